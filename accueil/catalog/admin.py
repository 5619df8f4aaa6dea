from django import forms
from django.contrib import admin
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from accueil.catalog import models
from accueil.core.admin_site import AgencyScopedAdmin, ScopedInline


class OpeningHoursInline(ScopedInline):
    model = models.OpeningHours


class ClosureInline(ScopedInline):
    model = models.Closure


class DeskInline(ScopedInline):
    model = models.Desk


class StandardInline(ScopedInline):
    model = models.ServiceStandard


@admin.register(models.Agency)
class AgencyAdmin(AgencyScopedAdmin):
    agency_path = "id"
    list_display = ["name_fr", "name_en", "slug"]

    # Agencies are created and removed by platform operators only.
    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):  # noqa: ARG002 - the signature the framework calls
        return request.user.is_superuser


@admin.register(models.Office)
class OfficeAdmin(AgencyScopedAdmin):
    list_display = ["name_fr", "name_en", "time_zone", "active"]
    inlines = [OpeningHoursInline, ClosureInline, DeskInline]  # + what apps register
    prepopulated_fields = {"slug": ["name_fr"]}


class ServiceForm(forms.ModelForm):
    """Channels as checkboxes over the known ones; the model keeps its JSON list."""

    channels = forms.MultipleChoiceField(
        label=capfirst(_("channels")),
        choices=models.Channel.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("How people can get this service."),
    )

    class Meta:
        model = models.Service
        fields = "__all__"  # noqa: DJ007 - the admin decides which fields it shows

    def clean_channels(self):
        # In the order of the choices, so the saved list does not depend on the clicks.
        chosen = set(self.cleaned_data["channels"])
        return [value for value in models.Channel.values if value in chosen]


@admin.register(models.Service)
class ServiceAdmin(AgencyScopedAdmin):
    form = ServiceForm
    list_display = ["name_fr", "name_en", "category", "ticket_prefix", "active"]
    list_filter = ["active"]
    search_fields = ["name_fr", "name_en"]
    inlines = [StandardInline]
    prepopulated_fields = {"slug": ["name_fr"]}


@admin.register(models.Category)
class CategoryAdmin(AgencyScopedAdmin):
    list_display = ["name_fr", "name_en", "position"]


@admin.register(models.Holiday)
class HolidayAdmin(AgencyScopedAdmin):
    list_display = ["date", "name_fr", "name_en", "office"]


# Desks and opening hours are edited under their office too; listed here so that they can be
# found from the admin index and filtered across offices.
@admin.register(models.Desk)
class DeskAdmin(AgencyScopedAdmin):
    agency_path = "office__agency"
    list_display = ["label", "office"]
    # Only offices with rows here: a plain filter would list every agency's offices.
    list_filter = [("office", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["label"]


@admin.register(models.OpeningHours)
class OpeningHoursAdmin(AgencyScopedAdmin):
    agency_path = "office__agency"
    list_display = ["office", "weekday", "opens", "closes"]
    list_filter = [("office", admin.RelatedOnlyFieldListFilter), "weekday"]
