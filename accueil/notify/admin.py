from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from accueil.core.admin_site import AgencyScopedAdmin
from accueil.notify.hidden import HIDDEN_BODIES
from accueil.notify.models import Consent, Message, OptOut, Template, WebhookEndpoint


@admin.register(Message)
class MessageAdmin(AgencyScopedAdmin):
    list_display = ["created_at", "channel", "message_type", "status", "why", "attempts", "sent_at"]
    list_filter = ["status", "channel"]
    readonly_fields = ["message_type", "why", *(f.name for f in Message._meta.fields)]

    @admin.display(description=_("message"))
    def message_type(self, message):
        return message.type_label

    @admin.display(description=_("why"))
    def why(self, message):
        return message.reason

    def has_add_permission(self, request):  # noqa: ARG002 - the signature the framework calls
        return False  # messages are written by actions, never by hand

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        if obj is not None and obj.template in HIDDEN_BODIES:
            # e.g. a reset link signs in as its owner until it expires: nobody else reads it.
            fields = [name for name in fields if name != "body"]
        return fields


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(AgencyScopedAdmin):
    list_display = ["name", "url", "active"]
    readonly_fields = ["secret"]


@admin.register(Template)
class TemplateAdmin(AgencyScopedAdmin):
    list_display = ["key", "channel", "language", "updated_at"]
    list_filter = ["channel", "language"]


@admin.register(OptOut)
class OptOutAdmin(admin.ModelAdmin):
    """Opt-outs span agencies (a person stops all reminders): platform operators only."""

    list_display = ["channel", "source", "created_at"]
    readonly_fields = ["channel", "address_digest", "source", "created_at"]


@admin.register(Consent)
class ConsentAdmin(admin.ModelAdmin):
    """Like opt-outs, consents belong to the person, not an agency: operators only."""

    list_display = ["channel", "purpose", "source", "created_at"]
    readonly_fields = ["channel", "address_digest", "purpose", "source", "created_at"]
