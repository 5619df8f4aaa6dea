"""Operator pages for what core runs: how far each event consumer has read, and why it fails."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from accueil.core import consumers
from accueil.core.models import ConsumerCursor


@admin.register(ConsumerCursor)
class ConsumerCursorAdmin(admin.ModelAdmin):
    """One cursor reads the whole log, across agencies: platform operators only, read-only."""

    list_display = ["name", "events_behind", "failures", "next_attempt_at", "updated_at"]
    readonly_fields = [
        "name",
        "txid",
        "event_id",
        "failures",
        "next_attempt_at",
        "last_error",
        "updated_at",
    ]

    def has_add_permission(self, request):  # noqa: ARG002 - the signature the framework calls
        return False

    def has_change_permission(self, request, obj=None):  # noqa: ARG002 - the signature the framework calls
        return request.user.is_superuser and request.method in ("GET", "HEAD")

    @admin.display(description=_("events to read"))
    def events_behind(self, cursor: ConsumerCursor) -> int | str:
        try:
            return consumers.behind(consumers.consumers.get(cursor.name))
        except KeyError:
            return _("no longer registered")
