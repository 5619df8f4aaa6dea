from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from accueil.accounts.models import Role
from accueil.core.validators import single_line


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("What the token is for"),
        max_length=100,
        help_text=_("For example: “Kiosk at city hall” or “Open data export”."),
    )
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [
            (value, label) for value, label in Role.choices if actor.has_role(value)
        ]
        self.fields["role"].initial = actor.role

    def clean_name(self):
        name = self.cleaned_data["name"]
        single_line(name)
        return name.strip()


class StaffLoginForm(AuthenticationForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Autofocus would skip the skip link and the header for keyboard and screen-reader users.
        self.fields["username"].widget.attrs.pop("autofocus", None)
