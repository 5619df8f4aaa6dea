from django.contrib import admin

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

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


@admin.register(models.Office)
class OfficeAdmin(AgencyScopedAdmin):
    list_display = ["name_fr", "name_en", "time_zone", "active"]
    inlines = [OpeningHoursInline, ClosureInline, DeskInline]  # + what apps register
    prepopulated_fields = {"slug": ["name_fr"]}


@admin.register(models.Service)
class ServiceAdmin(AgencyScopedAdmin):
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
