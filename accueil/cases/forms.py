"""Forms of the cases app: a service's own questions, the public request form, the reply form.

The Django fields here only carry and show what people type; the rules are those of
``cases/intake.py`` (one set for the web form, staff intake and the REST API) and of
``actions.clean_files`` for files. Every field is therefore declared ``required=False`` and
the cleaners decide, so a refusal reads the same whichever way the request came in.

``answers_fields(service, language)`` builds the fields of a service's questions and
``read_answers(form, questions)`` turns what was posted into cleaned answers, place and
problems: the staff intake form can reuse both.
"""

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accueil.cases import intake
from accueil.cases.actions import clean_files
from accueil.cases.models import CaseField, CaseSettings, FieldKind
from accueil.core.actions import ActionError

PREFIX = "q_"  # a question's field is "q_<code>": codes never clash with the form's own fields
LATITUDE, LONGITUDE = "_lat", "_lng"  # a place question's coordinates: "q_<code>_lat", "…_lng"
MB = 1_000_000
USUAL_EXTENSION = {"jpeg": "jpg", "text": "txt"}  # as core.uploads names kinds to people


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; an empty list when none was chosen."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list:
        if not data:
            return []
        files = data if isinstance(data, (list, tuple)) else [data]
        return [super(MultipleFileField, self).clean(one, initial) for one in files]


def questions_of(service) -> list[CaseField]:
    return list(CaseField.objects.filter(service=service).order_by("position", "code"))


def _choice_label(choice: dict, language: str) -> str:
    return str(choice.get(language) or choice.get("fr") or choice.get("value"))


def _described(widget_attrs: dict, name: str, has_help: bool) -> dict:
    if has_help:
        widget_attrs["aria-describedby"] = f"id_{name}_helptext"
    return widget_attrs


def answers_fields(service, language: str, questions=None) -> dict[str, forms.Field]:
    """The form fields of a service's questions, labelled in ``language``.

    Names: ``q_<code>``; a place question adds ``q_<code>_lat`` and ``q_<code>_lng``. The
    widgets suit a phone (numeric keyboard, date picker, radio buttons large enough to tap)."""
    built: dict[str, forms.Field] = {}
    for question in questions if questions is not None else questions_of(service):
        name = PREFIX + question.code
        label = question.label(language)
        help_text = question.help(language)
        optional = not question.required and question.kind != FieldKind.YES_NO
        if optional:
            label = _("%(question)s (optional)") % {"question": label}
        attrs = _described({}, name, bool(help_text))
        common = {"label": label, "help_text": help_text, "required": False}
        kind = question.kind
        if kind == FieldKind.LONG_TEXT:
            attrs["rows"] = 5
            built[name] = forms.CharField(widget=forms.Textarea(attrs=attrs), **common)
        elif kind == FieldKind.NUMBER:
            attrs.update(inputmode="decimal", autocomplete="off")
            built[name] = forms.CharField(widget=forms.TextInput(attrs=attrs), **common)
        elif kind == FieldKind.DATE:
            built[name] = forms.CharField(
                widget=forms.DateInput(attrs={**attrs, "type": "date"}), **common
            )
        elif kind == FieldKind.CHOICE:
            choices = [(str(c.get("value")), _choice_label(c, language)) for c in question.choices]
            built[name] = forms.ChoiceField(
                choices=choices, widget=forms.RadioSelect(attrs=attrs), **common
            )
        elif kind == FieldKind.YES_NO:
            yes_no = [("yes", _("Yes")), ("no", _("No"))]
            built[name] = forms.ChoiceField(
                choices=yes_no, widget=forms.RadioSelect(attrs=attrs), **common
            )
        elif kind == FieldKind.FILE:
            built[name] = MultipleFileField(widget=MultipleFileInput(attrs=attrs), **common)
        elif kind == FieldKind.LOCATION:
            attrs.update(autocomplete="street-address")
            built[name] = forms.CharField(widget=forms.TextInput(attrs=attrs), **common)
            for suffix, text in ((LATITUDE, _("Latitude")), (LONGITUDE, _("Longitude"))):
                built[name + suffix] = forms.CharField(
                    label=text,
                    required=False,
                    widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
                )
        else:
            attrs.setdefault("autocomplete", "off")
            built[name] = forms.CharField(widget=forms.TextInput(attrs=attrs), **common)
        # A ChoiceField refuses unknown values itself: the intake cleaner must say it instead.
        if isinstance(built[name], forms.ChoiceField):
            built[name].valid_value = lambda _value: True  # type: ignore[method-assign]
    return built


@dataclass
class Place:
    address: str = ""
    latitude: Decimal | None = None
    longitude: Decimal | None = None


@dataclass
class ReadAnswers:
    answers: dict[str, Any] = field(default_factory=dict)
    place: Place = field(default_factory=Place)
    files: list = field(default_factory=list)  # the files given to file questions
    problems: dict[str, str] = field(default_factory=dict)  # field name → sentence


def read_answers(form: forms.Form, questions: list[CaseField]) -> ReadAnswers:
    """The questions' answers from a bound form, through the intake cleaners.

    The first place question gives the request its address and coordinates; its answer is the
    address, or the coordinates when only those were given."""
    data = form.data
    result = ReadAnswers()
    raw: dict[str, Any] = {}
    for question in questions:
        name = PREFIX + question.code
        if question.kind == FieldKind.FILE:
            chosen = form.files.getlist(name) if hasattr(form.files, "getlist") else []
            if question.required and not chosen:
                result.problems[name] = _("Add a file.")
            result.files.extend(chosen)
            continue
        if question.kind == FieldKind.LOCATION:
            place = Place()
            for suffix, limit, attribute in (
                (LATITUDE, 90, "latitude"),
                (LONGITUDE, 180, "longitude"),
            ):
                try:
                    value = intake.clean_coordinate(data.get(name + suffix, ""), limit)
                except ValidationError as error:
                    result.problems[name + suffix] = " ".join(error.messages)
                    continue
                setattr(place, attribute, value)
            if (place.latitude is None) != (place.longitude is None) and not any(
                key in result.problems for key in (name + LATITUDE, name + LONGITUDE)
            ):
                missing = LONGITUDE if place.longitude is None else LATITUDE
                result.problems[name + missing] = _("Give both the latitude and the longitude.")
            try:
                place.address = intake.clean_address(data.get(name, ""))
            except ValidationError as error:
                result.problems[name] = " ".join(error.messages)
                continue
            given = place.address
            if not given and place.latitude is not None and place.longitude is not None:
                given = f"{place.latitude}, {place.longitude}"
            raw[question.code] = given
            if result.place == Place():
                result.place = place
            continue
        raw[question.code] = data.get(name)
    answers, problems = intake.clean_answers(questions, raw)
    result.answers = answers
    for code, message in problems.items():
        result.problems.setdefault(PREFIX + code, message)
    return result


def accepted_files(case_settings: CaseSettings) -> str:
    """The service's file rules in words: kinds, size of each, size of all."""
    kinds = sorted(f".{USUAL_EXTENSION.get(k, k)}" for k in case_settings.attachment_kinds)
    each = min(case_settings.attachment_max_mb * MB, settings.UPLOAD_MAX_BYTES)
    if not kinds:
        return _("This service takes no files.")
    return _(
        "Files accepted: %(kinds)s. Up to %(each)s MB each and %(all)s MB in all. Photos lose "
        "their hidden details (such as the place they were taken) when we receive them."
    ) % {
        "kinds": ", ".join(kinds),
        "each": number_format(each // MB),
        "all": number_format(settings.UPLOAD_REQUEST_MAX_BYTES // MB),
    }


class RequestForm(forms.Form):
    """The public request form: description, the service's questions, contact and files."""

    description = forms.CharField(
        label=gettext_lazy("Describe your request"),
        help_text=gettext_lazy("Say what happened, where and since when."),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6, "aria-describedby": "id_description_helptext"}),
    )
    name = forms.CharField(
        label=gettext_lazy("Your name (optional)"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.CharField(
        label=gettext_lazy("Email (optional)"),
        help_text=gettext_lazy(
            "We send your tracking link here and tell you each time your request moves."
        ),
        required=False,
        widget=forms.EmailInput(
            attrs={"autocomplete": "email", "aria-describedby": "id_email_helptext"}
        ),
    )
    phone = forms.CharField(
        label=gettext_lazy("Phone (optional)"),
        help_text=gettext_lazy("Without an email, we send you text messages here."),
        required=False,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "tel",
                "inputmode": "tel",
                "aria-describedby": "id_phone_helptext",
            }
        ),
    )
    files = MultipleFileField(label=gettext_lazy("Files (optional)"))

    def __init__(self, *args: Any, service, case_settings: CaseSettings, language: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.service = service
        self.case_settings = case_settings
        self.language = language
        self.questions = questions_of(service)
        questions = answers_fields(service, language, self.questions)
        # The service's questions come right after the description.
        ordered = {"description": self.fields.pop("description"), **questions}
        ordered.update(self.fields)
        self.fields = ordered
        self.fields["files"].help_text = accepted_files(case_settings)
        self.fields["files"].widget.attrs["aria-describedby"] = "id_files_helptext"
        if not case_settings.attachment_kinds:
            del self.fields["files"]
        self.intake: intake.Intake | None = None
        self.all_files: list = []

    @property
    def question_names(self) -> list[str]:
        return [name for name in self.fields if name.startswith(PREFIX)]

    @property
    def question_rows(self) -> list[dict]:
        """Each question with its bound field(s), for the template to draw by kind."""
        rows = []
        for question in self.questions:
            name = PREFIX + question.code
            row = {"kind": question.kind, "field": self[name]}
            if question.kind == FieldKind.LOCATION:
                row.update(latitude=self[name + LATITUDE], longitude=self[name + LONGITUDE])
            rows.append(row)
        return rows

    def clean(self):
        data = super().clean()
        problems: dict[str, str] = {}
        try:
            description = intake.clean_description(self.data.get("description"))
        except ValidationError as error:
            problems["description"] = " ".join(error.messages)
            description = ""
        name, email, phone, contact_problems = intake.clean_contact(
            self.data.get("name"), self.data.get("email"), self.data.get("phone")
        )
        problems.update(contact_problems)
        read = read_answers(self, self.questions)
        problems.update(read.problems)
        files = list(read.files)
        if "files" in self.fields:
            files = [*self.files.getlist("files"), *files]
        problems.update(self._refused_files())
        for key, message in problems.items():
            self.add_error(key if key in self.fields else None, message)
        if not problems:
            self.intake = intake.Intake(
                description=description,
                language=self.language,
                name=name,
                email=email,
                phone=phone,
                address=read.place.address,
                latitude=read.place.latitude,
                longitude=read.place.longitude,
                answers=read.answers,
            )
            self.all_files = files
        return data

    def _refused_files(self) -> dict[str, str]:
        """Each chosen file checked now, with the action's own rules, so a refusal is shown
        beside the input it came from (the action checks them again when it opens the case)."""
        problems: dict[str, str] = {}
        for name, input_field in self.fields.items():
            if not isinstance(input_field, MultipleFileField):
                continue
            for uploaded in self.files.getlist(name):
                try:
                    clean_files(self.case_settings, [uploaded])
                except ActionError as error:
                    problems[name] = _("%(file)s: %(reason)s") % {
                        "file": uploaded.name,
                        "reason": str(error),
                    }
                    break
        return problems


class ReplyForm(forms.Form):
    """The citizen's answer on the tracking page."""

    body = forms.CharField(
        label=gettext_lazy("Your message"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    files = MultipleFileField(label=gettext_lazy("Files (optional)"))
