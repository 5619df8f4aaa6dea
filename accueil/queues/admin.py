"""What queues adds to the admin: each office's queue rules, on the office's page."""

from accueil.core.admin_site import ScopedInline, admin_inlines
from accueil.queues.models import QueueRules


class QueueRulesInline(ScopedInline):
    """How the office runs its lines (priority, transfers, recalls, notices, appointments)."""

    model = QueueRules
    template = "admin/edit_inline/stacked.html"
    max_num = 1


admin_inlines.register("catalog.Office", QueueRulesInline)
