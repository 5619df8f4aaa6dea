"""Administrators choose and word surveys: the agency's A-11 and 7-driver forms, custom ones
(at most 15 questions), and per service which survey follows a visit or a request, how many
people are asked, for how long and how often (an inline on the service)."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from accueil.core.admin_site import AgencyScopedAdmin, ScopedInline, admin_inlines
from accueil.feedback import models
from accueil.feedback.actions import do_ensure_standard_surveys

WAYS = [(value, label) for value, label in models.SentVia.choices if value]


class QuestionFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        kept = [
            form
            for form in self.forms
            if form.has_changed() or form.instance.pk
            if not self._should_delete_form(form)
        ]
        if len(kept) > models.MAX_QUESTIONS:
            raise forms.ValidationError(
                _("A survey has at most %(limit)s questions: remove one before adding another.")
                % {"limit": models.MAX_QUESTIONS}
            )


class QuestionInline(ScopedInline):
    model = models.Question
    formset = QuestionFormSet
    fields = ["position", "code", "kind", "label_fr", "label_en", "driver", "required", "choices"]


@admin.register(models.Survey)
class SurveyAdmin(AgencyScopedAdmin):
    list_display = ["title_fr", "title_en", "kind", "active"]
    inlines = [QuestionInline]

    def changelist_view(self, request, extra_context=None):
        # The standard forms exist before anyone picks one (made once, with their event).
        if request.user.agency is not None:
            do_ensure_standard_surveys(request.user.agency)
        return super().changelist_view(request, extra_context)


class SurveySettingsForm(forms.ModelForm):
    channels = forms.MultipleChoiceField(
        label=_("ways of inviting"),
        choices=WAYS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: every way."),
    )

    class Meta:
        model = models.SurveySettings
        fields = ["survey", "sampling_rate", "expiry_days", "cooldown_days", "channels"]


class SurveySettingsInline(ScopedInline):
    model = models.SurveySettings
    form = SurveySettingsForm
    fk_name = "service"
    max_num = 1


admin_inlines.register("catalog.Service", SurveySettingsInline)
