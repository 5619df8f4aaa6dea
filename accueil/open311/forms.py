from django import forms
from django.utils.translation import gettext_lazy as _

from accueil.core.validators import single_line


class KeyForm(forms.Form):
    name = forms.CharField(
        label=_("Application"),
        max_length=100,
        help_text=_("For example: “FixMyStreet” or “The city's mobile app”."),
        validators=[single_line],
    )
    contact = forms.CharField(
        label=_("Contact"),
        max_length=200,
        required=False,
        help_text=_("Who to call about this application (a person, an address)."),
        validators=[single_line],
    )
