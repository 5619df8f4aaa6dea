from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accueil.core.contact import clean_email, clean_phone
from accueil.queues.models import Need, Outcome, Placement, Source


class CheckInForm(forms.Form):
    """The kiosk and web check-in form; the office decides which services are offered."""

    service = forms.ModelChoiceField(
        queryset=None,
        label=_("What do you need?"),
        empty_label=None,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose a service."),
            "invalid_choice": _("Choose a service."),
        },
    )
    needs = forms.MultipleChoiceField(
        label=_("Do you need priority or help? (optional)"),
        choices=Need.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    phone = forms.CharField(
        label=_("Mobile phone, to get a text when your turn is near (optional)"),
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    email = forms.CharField(
        label=_("Email, to get a message when your turn is near (optional)"),
        required=False,
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    remote = forms.BooleanField(
        label=_("I am not at the office yet: tell me when to come"),
        required=False,
    )
    attempt = forms.UUIDField(widget=forms.HiddenInput)  # one per page: a double tap is one visit

    def __init__(self, *args, office, with_contact=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = office.services.filter(active=True).order_by(
            "ticket_prefix", "name_fr"
        )
        self.fields["service"].label_from_instance = lambda service: service.name
        if not with_contact:
            for name in ("email", "remote"):
                del self.fields[name]

    def clean_phone(self):
        return clean_phone(self.cleaned_data["phone"])

    def clean_email(self):
        return clean_email(self.cleaned_data["email"])

    def clean(self):
        data = super().clean()
        if data.get("remote") and not (data.get("phone") or data.get("email")):
            raise ValidationError(
                _("To wait away from the office, leave a phone number or an email address.")
            )
        return data


class OpenDeskForm(forms.Form):
    desk = forms.ModelChoiceField(queryset=None, label=_("Desk"), empty_label=None)
    services = forms.ModelMultipleChoiceField(
        queryset=None,
        label=_("Services you serve"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("None ticked: the desk's usual services."),
    )

    def __init__(self, *args, desks, services, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["desk"].queryset = desks
        self.fields["desk"].label_from_instance = lambda desk: (
            _("%(office)s — desk %(desk)s") % {"office": desk.office.name, "desk": desk.label}
        )
        # Only what the agent's offices provide; each must be offered where the desk is.
        self.fields["services"].queryset = services.filter(
            offices__in={desk.office_id for desk in desks}
        ).distinct()
        self.fields["services"].label_from_instance = lambda service: service.name

    def clean(self):
        data = super().clean()
        desk, services = data.get("desk"), data.get("services") or []
        if desk is not None:
            offered = set(desk.office.services.values_list("id", flat=True))
            elsewhere = [service.name for service in services if service.id not in offered]
            if elsewhere:
                raise ValidationError(
                    _("Not offered at %(office)s: %(services)s.")
                    % {"office": desk.office.name, "services": ", ".join(elsewhere)}
                )
        return data


class CompleteForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=Outcome.choices)


class TransferForm(forms.Form):
    service = forms.ModelChoiceField(
        queryset=None, label=_("To the line of"), required=False, empty_label=_("(same service)")
    )
    desk = forms.ModelChoiceField(
        queryset=None, label=_("Or to desk"), required=False, empty_label=_("(any desk)")
    )
    placement = forms.ChoiceField(label=_("Place in the line"), choices=Placement.choices)

    def __init__(self, *args, office, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = office.services.filter(active=True)
        self.fields["service"].label_from_instance = lambda service: service.name
        self.fields["desk"].queryset = office.desks.filter(active=True)
        self.fields["desk"].label_from_instance = lambda desk: (
            _("Desk %(desk)s") % {"desk": desk.label}
        )


class DisruptionForm(forms.Form):
    office = forms.ModelChoiceField(queryset=None, label=_("Office"), empty_label=None)
    service = forms.ModelChoiceField(
        queryset=None, label=_("Only for the line of"), required=False, empty_label=_("(everyone)")
    )
    notice_fr = forms.CharField(
        label=_("Notice in French"), max_length=300, widget=forms.Textarea(attrs={"rows": 3})
    )
    notice_en = forms.CharField(
        label=_("Notice in English"), max_length=300, widget=forms.Textarea(attrs={"rows": 3})
    )
    duration = forms.ChoiceField(
        label=_("Shown until"),
        required=False,  # the end of today
        choices=[
            ("end_of_day", _("the end of today")),
            ("1", _("one hour from now")),
            ("2", _("two hours from now")),
            ("4", _("four hours from now")),
            ("24", _("this time tomorrow")),
            ("168", _("this time next week")),
        ],
        help_text=_("On the display board, the kiosk, web check-in and every ticket's page."),
    )

    def clean_duration(self):
        return self.cleaned_data.get("duration") or "end_of_day"

    def __init__(self, *args, offices, services, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["office"].queryset = offices
        self.fields["office"].label_from_instance = lambda office: office.name
        self.fields["service"].queryset = services
        self.fields["service"].label_from_instance = lambda service: service.name


class BookingForm(forms.Form):
    """Choose one of the open slots of a day; an email is needed for the confirmation."""

    slot = forms.ChoiceField(
        label=_("Time"),
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose a time."),
            "invalid_choice": _("This time is no longer open. Choose another one."),
        },
    )
    email = forms.CharField(
        label=_("Email, for the confirmation and your calendar"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    phone = forms.CharField(
        label=_("Mobile phone, for a text reminder (optional)"),
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )

    def __init__(self, *args, slots, with_contact=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slot"].choices = [
            (slot.starts_at.isoformat(), slot.label) for slot in slots if slot.free
        ]
        if not with_contact:
            del self.fields["email"]
            del self.fields["phone"]

    def clean_email(self):
        email = clean_email(self.cleaned_data["email"])
        if not email:
            raise ValidationError(_("Enter a valid email address."))
        return email

    def clean_phone(self):
        return clean_phone(self.cleaned_data["phone"])


class ArrivalForm(forms.Form):
    code = forms.CharField(
        label=_("Booking code"),
        max_length=12,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )


class StaffVisitForm(forms.Form):
    """A visitor entered by staff: someone at the counter, or on the phone."""

    service = forms.ModelChoiceField(queryset=None, label=_("Service"), empty_label=None)
    source = forms.ChoiceField(
        label=_("How they came"),
        choices=[(Source.COUNTER, Source.COUNTER.label), (Source.PHONE, Source.PHONE.label)],
    )
    language = forms.ChoiceField(
        label=_("Their language"), choices=[("fr", "Français"), ("en", "English")]
    )
    phone = forms.CharField(
        label=_("Mobile phone, for notices (optional)"), required=False, max_length=40
    )

    def __init__(self, *args, office, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = office.services.filter(active=True).order_by("name_fr")
        self.fields["service"].label_from_instance = lambda service: service.name

    def clean_phone(self):
        return clean_phone(self.cleaned_data["phone"])
