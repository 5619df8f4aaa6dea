"""Staff pages for proactive campaigns: upload a CSV, watch the import, read every rejection."""

from django import forms
from django.contrib import messages as flash
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accueil.core.guards import staff_required
from accueil.notify.actions import do_cancel_campaign, do_start_campaign
from accueil.notify.campaigns import SEND_AT
from accueil.notify.models import Campaign, Message, Status

MAX_UPLOAD = 2 * 1024 * 1024


def reason_text(code: str) -> str:
    texts = {
        "missing_columns": _("The file lacks required columns."),
        "missing_value": _("A required value is empty."),
        "unknown_channel": _("The channel must be email or sms."),
        "unknown_language": _("The language must be fr or en."),
        "invalid_email": _("The email address is not valid."),
        "invalid_phone": _(
            "The phone number cannot be used: write it like 514 555-0100, or with + and the "
            "country code."
        ),
        "invalid_date": _("The date must be written YYYY-MM-DD."),
        "already_expired": _("The document has already expired."),
        "expiry_too_far": _("The expiry date is more than 10 years away: check the year."),
        "invalid_text": _("A value holds characters that cannot be sent."),
        "too_long": _("A value is longer than 200 characters."),
    }
    return texts.get(code, code)


class CampaignForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=100)
    days_ahead = forms.IntegerField(
        label=gettext_lazy("Days before expiry"), min_value=0, max_value=365, initial=30
    )
    file = forms.FileField(
        label=gettext_lazy("CSV file"),
        help_text=gettext_lazy(
            "Columns: name, contact, channel (email or sms), language (fr or en), document, "
            "expires_on (YYYY-MM-DD)."
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD:
            raise forms.ValidationError(_("The file is larger than 2 MB."))
        raw = upload.read()
        if b"\x00" in raw:
            raise forms.ValidationError(_("This is not a text (CSV) file."))
        try:
            return raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise forms.ValidationError(_("Save the file as UTF-8 CSV and try again.")) from None


def access_campaign(actor, campaign_id) -> Campaign:
    try:
        return Campaign.objects.get(id=campaign_id, agency_id=actor.agency_id)
    except (Campaign.DoesNotExist, ValueError):
        raise Http404 from None


@staff_required("supervisor")
@require_GET
def campaigns(request):
    rows = Campaign.objects.filter(agency_id=request.actor.agency_id)[:100]
    return render(request, "notify/campaigns.html", {"campaigns": rows})


@staff_required("supervisor")
@require_http_methods(["GET", "POST"])
def new_campaign(request):
    form = CampaignForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        office = request.user.agency.offices.first()
        campaign = do_start_campaign(
            request.actor,
            name=form.cleaned_data["name"],
            days_ahead=form.cleaned_data["days_ahead"],
            source=form.cleaned_data["file"],
            time_zone=office.time_zone if office else "America/Toronto",
        )
        return redirect("notify:campaign", campaign.id)
    status = 400 if form.errors else 200
    return render(request, "notify/new_campaign.html", {"form": form}, status=status)


@staff_required("supervisor")
@require_GET
def campaign_detail(request, campaign):
    found = access_campaign(request.actor, campaign)
    counts = dict(
        Message.objects.filter(reason_type="campaign", reason_id=str(found.id))
        .values_list("status")
        .annotate(n=Count("id"))
    )
    context = {
        "campaign": found,
        "rejections": [{**r, "text": reason_text(r["reason"])} for r in found.rejections[:500]],
        "scheduled": counts.get(Status.QUEUED, 0),
        "sent": counts.get(Status.SENT, 0) + counts.get(Status.DELIVERED, 0),
        "not_sent": counts.get(Status.FAILED, 0) + counts.get(Status.DROPPED, 0),
        "running": found.state in ("pending", "importing"),
        "send_at": SEND_AT,
    }
    template = "notify/_campaign_progress.html" if request.htmx else "notify/campaign.html"
    return render(request, template, context)


@staff_required("supervisor")
@require_POST
def cancel_campaign(request, campaign):
    found = access_campaign(request.actor, campaign)
    do_cancel_campaign(request.actor, found)
    flash.success(request, _("The campaign is cancelled: reminders not yet sent will not go."))
    return redirect("notify:campaign", found.id)
