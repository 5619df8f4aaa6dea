"""The workspace's forms: list filters, bulk changes and the forms on a case's page.

Choices offered (services, teams, agents) are always the agent's own agency's; a value from
elsewhere fails validation, and the actions check again. Every form that changes a case carries
the ``version`` the agent saw, so a change made meanwhile is a conflict, not an overwrite.
"""

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from accueil.cases.models import NEXT_STATUSES, Case, Status, Team
from accueil.cases.workspace_display import STAFF_STATUS, staff_status
from accueil.catalog.access import services_for
from accueil.catalog.models import Channel
from accueil.core.actors import Actor

MAX_BODY = 10_000


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class FilesField(forms.FileField):
    """Several files in one input; the action sniffs and checks each (core/uploads.py)."""

    widget = MultipleFileInput

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data] if data else []
        return [super(FilesField, self).clean(one, initial) for one in files]


def _agents(actor: Actor):
    return (
        get_user_model()
        .objects.filter(agency_id=actor.agency_id, is_active=True)
        .order_by("first_name", "last_name", "username")
    )


def _person(user) -> str:
    return user.get_full_name() or user.username


class FilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    status = forms.ChoiceField(label=_("Status"), required=False)
    service = forms.ModelChoiceField(
        label=_("Service"), queryset=None, required=False, empty_label=_("Any")
    )
    team = forms.ModelChoiceField(
        label=_("Team"), queryset=None, required=False, empty_label=_("Any")
    )
    channel = forms.ChoiceField(label=_("Channel"), required=False)

    def __init__(self, *args, actor: Actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs.update({"type": "search", "data-shortcut-target": "/"})
        self.fields["status"].choices = [("", _("Any")), *STAFF_STATUS.items()]
        self.fields["channel"].choices = [("", _("Any")), *Channel.choices]
        services = services_for(actor).order_by("name_fr")
        self.fields["service"].queryset = services
        self.fields["service"].label_from_instance = lambda service: service.name
        self.fields["service"].to_field_name = "slug"
        self.fields["team"].queryset = Team.objects.filter(agency_id=actor.agency_id)
        self.fields["team"].label_from_instance = lambda team: team.name
        self.fields["team"].to_field_name = "slug"


class BulkForm(forms.Form):
    """Checked cases, as ``reference:version`` (the version each row showed)."""

    ASSIGN_ME, ASSIGN, STATUS = "assign_me", "assign", "status"
    case = forms.MultipleChoiceField(
        label=_("Requests"),
        error_messages={"required": _("Check at least one request.")},
    )
    action = forms.ChoiceField(
        label=_("Change"),
        choices=[
            (ASSIGN_ME, _("Assign to me")),
            (ASSIGN, _("Assign to…")),
            (STATUS, _("Change status to…")),
        ],
    )
    assignee = forms.ModelChoiceField(
        label=_("Agent"), queryset=None, required=False, empty_label=_("Nobody (unassigned)")
    )
    status = forms.ChoiceField(label=_("New status"), required=False)

    def __init__(self, *args, actor: Actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = _agents(actor)
        self.fields["assignee"].label_from_instance = _person
        self.fields["status"].choices = [("", "—"), *STAFF_STATUS.items()]
        name = self.add_prefix("case")
        checked = self.data.getlist(name) if hasattr(self.data, "getlist") else []
        self.fields["case"].choices = [(value, value) for value in checked[:200]]

    def clean(self):
        data = super().clean()
        if data.get("action") == self.STATUS and not data.get("status"):
            self.add_error("status", _("Choose the new status."))
        return data

    def targets(self) -> list[tuple[str, int | None]]:
        found = []
        for value in self.cleaned_data["case"]:
            reference, _sep, version = value.partition(":")
            found.append((reference, int(version) if version.isdigit() else None))
        return found


class VersionedForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class ReplyForm(VersionedForm):
    body = forms.CharField(
        label=_("Your reply"),
        max_length=MAX_BODY,
        widget=forms.Textarea(attrs={"rows": 10, "data-draft": "reply"}),
        error_messages={"required": _("Write a message first.")},
    )
    template = forms.CharField(widget=forms.HiddenInput, required=False, max_length=60)
    files = FilesField(label=_("Files (optional)"), required=False)


class NoteForm(VersionedForm):
    body = forms.CharField(
        label=_("Internal note (never shown to the citizen)"),
        max_length=MAX_BODY,
        widget=forms.Textarea(attrs={"rows": 4, "data-draft": "note"}),
        error_messages={"required": _("Write a message first.")},
    )
    files = FilesField(label=_("Files (optional, staff only)"), required=False)


class StatusForm(VersionedForm):
    status = forms.ChoiceField(label=_("New status"))

    def __init__(self, *args, case: Case, **kwargs):
        super().__init__(*args, **kwargs)
        following = sorted(NEXT_STATUSES[Status(case.status)], key=list(Status).index)
        self.fields["status"].choices = [(status, staff_status(status)) for status in following]


class AssignForm(VersionedForm):
    assignee = forms.ModelChoiceField(
        label=_("Agent"), queryset=None, required=False, empty_label=_("Nobody (unassigned)")
    )
    team = forms.ModelChoiceField(
        label=_("Team"), queryset=None, required=False, empty_label=_("Keep the current team")
    )

    def __init__(self, *args, actor: Actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = _agents(actor)
        self.fields["assignee"].label_from_instance = _person
        self.fields["team"].queryset = Team.objects.filter(agency_id=actor.agency_id)
        self.fields["team"].label_from_instance = lambda team: team.name


class ReferenceForm(VersionedForm):
    reference = forms.CharField(
        label=_("Reference of the other request"),
        max_length=16,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        error_messages={"required": _("Give the reference, e.g. R-2026-4K7QXM.")},
    )

    def clean_reference(self):
        return self.cleaned_data["reference"].strip().upper()


class MergeForm(ReferenceForm):
    pass


class LinkForm(ReferenceForm):
    version = forms.IntegerField(
        widget=forms.HiddenInput, required=False
    )  # a link overwrites nothing
