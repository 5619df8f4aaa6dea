"""Staff pages: the outbox with failures and resend, and the wording of messages."""

from django import forms
from django.contrib import messages as flash
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accueil.core.guards import staff_required
from accueil.notify.actions import RESENDABLE, do_resend, do_save_template
from accueil.notify.models import Message, Status, Template
from accueil.notify.templates_text import MissingValue, placeholders
from accueil.notify.templates_text import render as render_text

SAMPLE_VALUES = {
    "name": "Camille Tremblay",
    "office": "Centre Est",
    "ticket": "A-042",
    "desk": "4",
    "minutes": "10",
    "document": "permis",
    "expires_on": "2026-12-31",
    "agency": "Ville de Démo",
    "username": "ctremblay",
    "failures": "10",
    "since": "2026-11-27 09:15 (America/Toronto)",
    "link": "https://accueil.example.ca/fr/login/",
}


def mask(address: str) -> str:
    """Enough to recognise a message, not enough to copy the contact."""
    if "@" in address:
        name, _, domain = address.partition("@")
        return f"{name[:1]}•••@{domain}"
    return f"•••{address[-4:]}" if len(address) > 4 else "•••"


@staff_required("supervisor")
@require_GET
def outbox(request):
    status = request.GET.get("status", "")
    rows = Message.objects.filter(agency_id=request.actor.agency_id)
    if status in Status.values:
        rows = rows.filter(status=status)
    rows = list(rows.order_by("-created_at")[:200])
    for row in rows:
        row.masked = mask(row.recipient)
    context = {
        "rows": rows,
        "statuses": Status.choices,
        "current": status,
        "resendable": RESENDABLE,
    }
    return render(request, "notify/outbox.html", context)


@staff_required("supervisor")
@require_POST
def resend(request, message):
    try:
        found = Message.objects.get(id=message, agency_id=request.actor.agency_id)
    except (Message.DoesNotExist, ValueError):
        raise Http404 from None
    do_resend(request.actor, found)
    flash.success(request, _("The message will be sent again."))
    return redirect("notify:outbox")


class TemplateForm(forms.Form):
    subject = forms.CharField(
        label=gettext_lazy("Subject (email only)"), required=False, max_length=200
    )
    body = forms.CharField(label=gettext_lazy("Text"), widget=forms.Textarea(attrs={"rows": 8}))

    def __init__(self, *args, template, **kwargs):
        super().__init__(*args, **kwargs)
        self.template = template

    def clean(self):
        data = super().clean()
        draft = Template(
            channel=self.template.channel,
            subject=data.get("subject", ""),
            body=data.get("body", ""),
        )
        allowed = set(placeholders(self.template.body + self.template.subject)) or set(
            SAMPLE_VALUES
        )
        unknown = set(placeholders(draft.body + draft.subject)) - allowed
        if unknown:
            raise forms.ValidationError(
                _("Unknown placeholder: %(names)s.") % {"names": ", ".join(sorted(unknown))}
            )
        try:
            data["preview"] = render_text(draft, SAMPLE_VALUES)
        except (MissingValue, ValueError):
            raise forms.ValidationError(
                _("The text cannot be shown with example values.")
            ) from None
        return data


def _templates_for(actor):
    own = list(Template.objects.filter(agency_id=actor.agency_id))
    replaced = {(t.key, t.channel, t.language) for t in own}
    defaults = [
        t
        for t in Template.objects.filter(agency__isnull=True)
        if (t.key, t.channel, t.language) not in replaced
    ]
    return own, defaults


@staff_required("admin")
@require_GET
def templates(request):
    own, defaults = _templates_for(request.actor)
    return render(request, "notify/templates.html", {"own": own, "defaults": defaults})


@staff_required("admin")
@require_http_methods(["GET", "POST"])
def edit_template(request, template):
    try:
        found = Template.objects.get(
            Q(agency_id=request.actor.agency_id) | Q(agency__isnull=True), id=template
        )
    except (Template.DoesNotExist, ValueError):
        raise Http404 from None
    form = TemplateForm(
        request.POST or None, template=found, initial={"subject": found.subject, "body": found.body}
    )
    preview = None
    if request.method == "POST" and form.is_valid():
        preview = form.cleaned_data["preview"]
        if "save" in request.POST:
            do_save_template(
                request.actor,
                found,
                subject=form.cleaned_data["subject"],
                body=form.cleaned_data["body"],
            )
            flash.success(request, _("The text was saved."))
            return redirect("notify:templates")
    status = 400 if form.errors else 200
    context = {
        "form": form,
        "template": found,
        "preview": preview,
        "names": placeholders(found.body + found.subject),
    }
    return render(request, "notify/edit_template.html", context, status=status)
