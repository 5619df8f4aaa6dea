from django import forms
from django.utils.translation import gettext_lazy as _

from accueil.catalog.models import Channel, Office, Service
from accueil.lib.businesstime import format_weekly, parse_weekly


class ServiceForm(forms.ModelForm):
    channels = forms.MultipleChoiceField(
        label=_("Channels"), choices=Channel.choices, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Service
        fields = [
            "name_fr",
            "name_en",
            "category",
            "description_fr",
            "description_en",
            "what_to_bring_fr",
            "what_to_bring_en",
            "eligibility_fr",
            "eligibility_en",
            "fees_fr",
            "fees_en",
            "duration_fr",
            "duration_en",
            "channels",
            "offices",
            "ticket_prefix",
            "appointment_minutes",
            "retention_days",
            "active",
        ]
        widgets = {"offices": forms.CheckboxSelectMultiple}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        agency_id = self.instance.agency_id
        self.fields["offices"].queryset = Office.objects.filter(agency_id=agency_id)
        self.fields["category"].queryset = self.fields["category"].queryset.filter(
            agency_id=agency_id
        )
        for name, field in self.fields.items():
            if name.endswith(
                (
                    "description_fr",
                    "description_en",
                    "_bring_fr",
                    "_bring_en",
                    "eligibility_fr",
                    "eligibility_en",
                )
            ):
                field.widget.attrs["rows"] = 3


class OfficeForm(forms.ModelForm):
    hours = forms.CharField(
        label=_("Opening hours"),
        help_text=_(
            "Days and intervals, for example: mon-fri 08:30-12:00,13:00-16:30; sat 09:00-12:00"
        ),
        widget=forms.TextInput(attrs={"spellcheck": "false", "autocomplete": "off"}),
    )

    class Meta:
        model = Office
        fields = ["name_fr", "name_en", "address", "time_zone", "phone", "email", "active"]
        widgets = {"address": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["hours"].initial = format_weekly(self.instance.weekly_hours())

    def clean_hours(self):
        try:
            return parse_weekly(self.cleaned_data["hours"])
        except ValueError:
            raise forms.ValidationError(
                _("These hours cannot be read. Write them like: mon-fri 09:00-17:00")
            ) from None
