"""Administrators configure how requests are taken and routed: teams, routing rules, each
service's questions and files, reply templates. Cases themselves are worked in the workspace
(``/fr/cases/``), never edited in the admin, where nothing would record why they changed."""

from django.contrib import admin

from accueil.cases import models
from accueil.core.admin_site import AgencyScopedAdmin, ScopedInline, admin_inlines


class MembershipInline(ScopedInline):
    model = models.Membership


@admin.register(models.Team)
class TeamAdmin(AgencyScopedAdmin):
    list_display = ["name_fr", "name_en", "assignment"]
    inlines = [MembershipInline]
    prepopulated_fields = {"slug": ["name_fr"]}


@admin.register(models.RoutingRule)
class RoutingRuleAdmin(AgencyScopedAdmin):
    list_display = ["position", "service", "category", "keywords", "area", "team"]


class CaseFieldInline(ScopedInline):
    model = models.CaseField


class CaseSettingsInline(ScopedInline):
    model = models.CaseSettings


admin_inlines.register("catalog.Service", CaseSettingsInline)
admin_inlines.register("catalog.Service", CaseFieldInline)


@admin.register(models.ReplyTemplate)
class ReplyTemplateAdmin(AgencyScopedAdmin):
    list_display = ["slug", "title_fr", "title_en", "active"]


@admin.register(models.MailAddress)
class MailAddressAdmin(AgencyScopedAdmin):
    list_display = ["address", "service", "language", "active"]
