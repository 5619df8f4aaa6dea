"""The Django admin, opened to agency administrators and scoped to their own agency."""

from django import forms
from django.contrib import admin
from django.db import models
from django.utils.translation import gettext_lazy as _

from accueil.core import admin_actions
from accueil.core.actors import Actor


def scope_choices(request, db_field, queryset):
    """Choices in a form (foreign keys, many-to-many) limited to the user's agency."""
    if request.user.is_superuser or queryset is None:
        return queryset
    model = db_field.related_model
    if model._meta.model_name == "agency":
        return queryset.filter(id=request.user.agency_id)
    field_names = {field.name for field in model._meta.get_fields()}
    for path in ("agency", "office__agency"):
        if path.split("__")[0] in field_names:
            return queryset.filter(**{path: request.user.agency_id})
    return queryset


class AccueilAdminSite(admin.AdminSite):
    site_header = _("Accueil administration")
    site_title = _("Accueil administration")
    index_title = _("Agency settings")

    def has_permission(self, request):
        user = request.user
        if not (user.is_active and user.is_staff):
            return False
        return user.is_superuser or (user.agency_id is not None and user.role == "admin")


class AdminInlines:
    """Inlines one app adds to another app's admin page (the office page shows the queue rules
    that queues keeps), registered in the adding app's ``admin.py`` so neither imports the other.
    """

    def __init__(self) -> None:
        self._by_model: dict[str, list[type]] = {}

    def register(self, model_label: str, inline: type) -> None:
        found = self._by_model.setdefault(model_label.lower(), [])
        if inline not in found:
            found.append(inline)

    def for_model(self, model) -> list[type]:
        return list(self._by_model.get(model._meta.label_lower, []))


admin_inlines = AdminInlines()


class AgencyScopedAdmin(admin.ModelAdmin):
    """Agency administrators see and edit only their own agency's rows.

    ``agency_path`` is the lookup from the model to its agency ("agency", "office__agency").
    Other apps add inlines through ``admin_inlines``.
    """

    def get_inlines(self, request, obj):
        return [*super().get_inlines(request, obj), *admin_inlines.for_model(self.model)]

    agency_path = "agency"
    # Plain checkboxes: Django's filter_horizontal widget fails axe (aria-prohibited-attr).
    formfield_overrides = {models.ManyToManyField: {"widget": forms.CheckboxSelectMultiple}}

    def _is_operator(self, request):
        return request.user.is_superuser

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if self._is_operator(request):
            return queryset
        return queryset.filter(**{self.agency_path: request.user.agency_id})

    def has_module_permission(self, request):
        return self.admin_site.has_permission(request)

    def has_view_permission(self, request, obj=None):  # noqa: ARG002 - the signature the framework calls
        return self.admin_site.has_permission(request)

    has_add_permission = has_view_permission
    has_change_permission = has_view_permission
    has_delete_permission = has_view_permission

    def get_exclude(self, request, obj=None):
        exclude = list(super().get_exclude(request, obj) or [])
        if not self._is_operator(request) and self.agency_path == "agency":
            exclude.append("agency")
        return exclude

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if field is not None:
            field.queryset = scope_choices(request, db_field, field.queryset)
        return field

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if field is not None:
            field.queryset = scope_choices(request, db_field, field.queryset)
        return field

    def save_model(self, request, obj, form, change):  # noqa: ARG002 - the signature the framework calls
        own = self.agency_path == "agency" and not self._is_operator(request)
        own_agency_id = request.user.agency_id if own else None
        admin_actions.do_save_object(Actor.staff(request.user), obj, own_agency_id=own_agency_id)

    def save_related(self, request, form, formsets, change):
        # After the inlines are saved, so one event names every part that changed.
        admin_actions.do_finish_admin_change(
            Actor.staff(request.user),
            form,
            formsets,
            not change,
            lambda: super(AgencyScopedAdmin, self).save_related(request, form, formsets, change),
        )

    def delete_model(self, request, obj):
        admin_actions.do_delete_object(Actor.staff(request.user), obj)


class ScopedInline(admin.TabularInline):
    extra = 0
    formfield_overrides = AgencyScopedAdmin.formfield_overrides

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if field is not None:
            field.queryset = scope_choices(request, db_field, field.queryset)
        return field

    def has_view_permission(self, request, obj=None):  # noqa: ARG002 - the signature the framework calls
        return self.admin_site.has_permission(request)

    has_add_permission = has_view_permission
    has_change_permission = has_view_permission
    has_delete_permission = has_view_permission
