"""Staff intake: an agent records a request taken by phone, at the counter or by mail.

Two steps on one address: choose the service (``?service=<slug>``), then fill the form built
from that service's questions (``CaseField``). The input is checked by the same cleaners as the
citizen's web form and the REST API (``cases/intake.py``), and the case is opened by the same
action, with the channel the request came through and the agent as the actor.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accueil.cases import actions
from accueil.cases import intake as cleaners
from accueil.cases.models import CaseField, FieldKind
from accueil.cases.workspace_forms import FilesField
from accueil.catalog.access import services_for
from accueil.catalog.models import Channel
from accueil.core.actions import ActionError
from accueil.core.guards import staff_required

INTAKE_CHANNELS = [Channel.PHONE, Channel.IN_PERSON, Channel.MAIL, Channel.EMAIL]
ANSWER = "answer_"


class ServiceChoiceForm(forms.Form):
    service = forms.ModelChoiceField(
        label=gettext_lazy("Service"), queryset=None, empty_label=None, to_field_name="slug"
    )

    def __init__(self, *args, services, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = services
        self.fields["service"].label_from_instance = lambda service: service.name


class IntakeForm(forms.Form):
    channel = forms.ChoiceField(
        label=gettext_lazy("How did the request come in?"),
        choices=[(c.value, c.label) for c in INTAKE_CHANNELS],
        widget=forms.RadioSelect,
    )
    language = forms.ChoiceField(
        label=gettext_lazy("Language of the citizen"),
        choices=[("fr", "Français"), ("en", "English")],
        widget=forms.RadioSelect,
    )
    description = forms.CharField(
        label=gettext_lazy("The request, in the citizen’s words"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    name = forms.CharField(label=gettext_lazy("Name (optional)"), required=False)
    email = forms.CharField(
        label=gettext_lazy("Email (optional)"),
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    phone = forms.CharField(
        label=gettext_lazy("Phone (optional)"),
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    address = forms.CharField(label=gettext_lazy("Address or place (optional)"), required=False)
    latitude = forms.CharField(
        label=gettext_lazy("Latitude (optional)"),
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    longitude = forms.CharField(
        label=gettext_lazy("Longitude (optional)"),
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    files = FilesField(label=gettext_lazy("Files (optional)"), required=False)

    def __init__(self, *args, questions: list[CaseField], language: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = questions
        for question in questions:
            self.fields[ANSWER + question.code] = question_field(question, language)

    def answer_fields(self):
        return [self[ANSWER + question.code] for question in self.questions]


def question_field(question: CaseField, language: str) -> forms.Field:
    """One of the service's questions as a form field. Required-ness is checked by
    ``clean_answers`` (one rule for every entry path); the browser is only told of it."""
    attrs = {"required": True} if question.required else {}
    label = question.label(language)
    if question.required:
        label = _("%(question)s (required)") % {"question": label}
    options = {"label": label, "help_text": question.help(language), "required": False}
    kind = question.kind
    if kind == FieldKind.LONG_TEXT:
        return forms.CharField(widget=forms.Textarea(attrs={"rows": 4, **attrs}), **options)
    if kind == FieldKind.NUMBER:
        return forms.CharField(
            widget=forms.TextInput(attrs={"inputmode": "decimal", **attrs}), **options
        )
    if kind == FieldKind.DATE:
        return forms.CharField(widget=forms.DateInput(attrs={"type": "date", **attrs}), **options)
    if kind == FieldKind.CHOICE:
        choices = [("", "—")] + [
            (str(c.get("value")), str(c.get(language) or c.get("fr") or c.get("value")))
            for c in question.choices
        ]
        return forms.ChoiceField(choices=choices, widget=forms.Select(attrs=attrs), **options)
    if kind == FieldKind.YES_NO:
        return forms.ChoiceField(
            choices=[("yes", _("Yes")), ("no", _("No"))], widget=forms.RadioSelect, **options
        )
    if kind == FieldKind.FILE:
        return FilesField(**options)
    return forms.CharField(widget=forms.TextInput(attrs=attrs), **options)


def _cleaned_intake(form: IntakeForm) -> tuple[cleaners.Intake | None, list]:
    """The Intake and the files, or None with the problems added to the form."""
    data = form.cleaned_data
    problems: dict[str, str] = {}

    def check(name, cleaner, *args):
        try:
            return cleaner(data.get(name), *args)
        except ValidationError as error:
            problems[name] = " ".join(str(m) for m in error.messages)
            return None

    description = check("description", cleaners.clean_description)
    name, email, phone, contact_problems = cleaners.clean_contact(
        data.get("name"), data.get("email"), data.get("phone")
    )
    problems.update(contact_problems)
    address = check("address", cleaners.clean_address)
    latitude = check("latitude", cleaners.clean_coordinate, 90)
    longitude = check("longitude", cleaners.clean_coordinate, 180)
    files = list(data.get("files") or [])
    raw = {}
    for question in form.questions:
        value = data.get(ANSWER + question.code)
        if question.kind == FieldKind.FILE:
            files += list(value or [])
            if question.required and not value:
                problems[ANSWER + question.code] = _("Answer this question.")
            continue
        raw[question.code] = value
    answers, answer_problems = cleaners.clean_answers(form.questions, raw)
    problems.update({ANSWER + code: message for code, message in answer_problems.items()})
    for field, message in problems.items():
        form.add_error(field if field in form.fields else None, message)
    if problems:
        return None, files
    found = cleaners.Intake(
        description=description or "",
        language=data["language"],
        name=name,
        email=email,
        phone=phone,
        address=address or "",
        latitude=latitude,
        longitude=longitude,
        answers=answers,
    )
    return found, files


@staff_required()
@require_http_methods(["GET", "POST"])
def intake(request):
    offered = services_for(request.actor).filter(active=True).order_by("name_fr")
    recordable = actions.staff_can_record(request.actor, offered)
    services = offered.filter(pk__in=[s.pk for s in recordable])
    chooser = ServiceChoiceForm(request.GET or None, services=services)
    if not chooser.is_valid():
        context = {"chooser": ServiceChoiceForm(services=services), "service": None}
        return render(request, "cases/workspace/intake.html", context)
    service = chooser.cleaned_data["service"]
    language = (get_language() or "fr")[:2]
    questions = list(CaseField.objects.filter(service=service))
    form = IntakeForm(
        request.POST or None,
        request.FILES or None,
        questions=questions,
        language=language,
        initial={"channel": Channel.PHONE, "language": language},
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            found, files = _cleaned_intake(form)
            if found is not None:
                try:
                    case = actions.do_open_case(
                        request.actor,
                        service=service,
                        channel=form.cleaned_data["channel"],
                        intake=found,
                        files=files,
                    )
                except ActionError as error:
                    form.add_error(error.field if error.field in form.fields else None, str(error))
                else:
                    messages.success(
                        request,
                        _("Request %(reference)s is recorded.") % {"reference": case.reference},
                    )
                    return redirect("cases:detail", case.reference)
    context = {"chooser": chooser, "service": service, "form": form}
    return render(request, "cases/workspace/intake.html", context, status=status)
