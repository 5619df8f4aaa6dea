from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy as _

from accueil.accounts.models import ApiToken, User
from accueil.core.admin_site import AgencyScopedAdmin


@admin.register(User)
class StaffAdmin(AgencyScopedAdmin, DjangoUserAdmin):
    list_display = ["username", "first_name", "last_name", "role", "is_active"]
    list_filter = ["role", "is_active"]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Person"), {"fields": ("first_name", "last_name", "email", "language")}),
        (_("Access"), {"fields": ("agency", "role", "offices", "is_active")}),
    )
    add_fieldsets = ((None, {"fields": ("username", "password1", "password2", "role", "agency")}),)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if request.user.is_superuser:
            return fieldsets
        # Agency administrators cannot move people to another agency.
        return [
            (title, {**opts, "fields": tuple(f for f in opts["fields"] if f != "agency")})
            for title, opts in fieldsets
        ]


@admin.register(ApiToken)
class ApiTokenAdmin(AgencyScopedAdmin):
    agency_path = "user__agency"
    list_display = ["name", "user", "role", "key_id", "expires_at", "revoked_at"]
    readonly_fields = ["key_id", "created_at", "last_used_at"]
    fields = ["name", "key_id", "role", "expires_at", "revoked_at", "created_at", "last_used_at"]

    def has_add_permission(self, request):  # noqa: ARG002 - the signature the framework calls
        return False  # tokens are issued from the staff pages or `accueil token`, shown once


# Roles replace Django's groups; an unused screen is one more thing to get wrong.
admin.site.unregister(Group)
