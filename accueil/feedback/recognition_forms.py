"""Recognition's forms. None names the agent a citizen thanks: that comes from the invitation."""

from django import forms
from django.utils.translation import gettext_lazy as _

from accueil.feedback.models.recognition import COMMENT_MAX, MESSAGE_MAX


class ThanksForm(forms.Form):
    message = forms.CharField(
        label=_("Your thanks"),
        help_text=_("The person who served you will read it. Please do not write your name."),
        max_length=MESSAGE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ColleagueForm(forms.Form):
    recipient = forms.ChoiceField(label=_("Colleague"))
    message = forms.CharField(
        label=_("Your thanks"),
        max_length=MESSAGE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, colleagues, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["recipient"].choices = [("", _("Choose a colleague"))] + [
            (str(user.pk), user.get_full_name() or user.username) for user in colleagues
        ]


class PulseCommentForm(forms.Form):
    comment = forms.CharField(
        label=_("Anything to add? (optional)"),
        help_text=_("Nobody will know it was you. It is shown only among five answers or more."),
        required=False,
        max_length=COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
