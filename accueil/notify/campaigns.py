"""CSV imports of expiring documents: each valid row schedules a reminder, each bad row says why.

Columns (header required, comma or semicolon, UTF-8 with or without BOM):
``name, contact, channel (email|sms), language (fr|en), document, expires_on (YYYY-MM-DD)``.
The worker imports in chunks and records progress, so staff watch it happen; importing again
after a crash is harmless, because every reminder's idempotency key is its campaign and line.
"""

import csv
import io
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.core.validators import validate_email
from django.db import transaction
from django.utils import formats, timezone, translation

from accueil.lib.contact import PhoneError, normalise_phone
from accueil.notify.actions import notify
from accueil.notify.checks import still_wanted
from accueil.notify.models import Campaign
from accueil.notify.templates_text import MissingValue

COLUMNS = ("name", "contact", "channel", "language", "document", "expires_on")
CHUNK = 200
SEND_AT = time(10, 0)  # reminders go out at 10:00 in the office's zone
STALE_IMPORT = timedelta(minutes=5)
MAX_EXPIRY_YEARS = 10  # an expiry date further ahead is refused (passports last 10 years)

# Reason codes stored on the campaign; the page shows them in the reader's language.
REASONS = (
    "missing_columns",
    "missing_value",
    "unknown_channel",
    "unknown_language",
    "invalid_email",
    "invalid_phone",
    "invalid_date",
    "already_expired",
    "expiry_too_far",
    "invalid_text",
    "too_long",
)


def latest_expiry(today: date) -> date:
    """Expiry dates more than MAX_EXPIRY_YEARS ahead are typing mistakes (2205 for 2025), not
    documents: a reminder centuries away would only sit in the outbox."""
    try:
        return today.replace(year=today.year + MAX_EXPIRY_YEARS)
    except ValueError:  # 29 February
        return today.replace(year=today.year + MAX_EXPIRY_YEARS, day=28)


class BadFile(ValueError):
    pass


def read_rows(source: str) -> list[dict[str, str]]:
    text = source.lstrip("\ufeff")
    try:
        dialect = csv.Sniffer().sniff(text.splitlines()[0] if text else "", delimiters=",;")
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    header = [name.strip().lower() for name in reader.fieldnames or []]
    missing = [column for column in COLUMNS if column not in header]
    if missing:
        raise BadFile(", ".join(missing))
    reader.fieldnames = header
    return [{k: (v or "").strip() for k, v in row.items() if k} for row in reader]


def check_row(row: dict[str, str], today: date) -> str | None:
    if any(not row.get(column) for column in COLUMNS):
        return "missing_value"
    if any(len(row[column]) > 200 for column in COLUMNS):
        return "too_long"
    if row["channel"] not in ("email", "sms"):
        return "unknown_channel"
    if row["language"] not in ("fr", "en"):
        return "unknown_language"
    if row["channel"] == "email":
        try:
            validate_email(row["contact"])
        except Exception:  # noqa: BLE001 - any refusal is an invalid address
            return "invalid_email"
    else:
        try:
            normalise_phone(row["contact"])
        except PhoneError:
            return "invalid_phone"
    try:
        expires = date.fromisoformat(row["expires_on"])
    except ValueError:
        return "invalid_date"
    if expires < today:
        return "already_expired"
    if expires > latest_expiry(today):
        return "expiry_too_far"
    if any(ch in row["name"] + row["document"] for ch in "\r\n\x00"):
        return "invalid_text"
    return None


def send_at(campaign: Campaign, expires: date) -> datetime:
    zone = ZoneInfo(campaign.time_zone)
    planned = datetime.combine(expires - timedelta(days=campaign.days_ahead), SEND_AT, zone)
    return max(planned, timezone.now())


def schedule(campaign: Campaign, line: int, row: dict[str, str]) -> str | None:
    expires = date.fromisoformat(row["expires_on"])
    contact = row["contact"] if row["channel"] == "email" else normalise_phone(row["contact"])
    with translation.override(row["language"]):
        shown_date = formats.date_format(expires, "DATE_FORMAT")
    values = {
        "name": row["name"],
        "document": row["document"],
        "expires_on": shown_date,
        "agency": campaign.agency.tr("name"),
    }
    try:
        notify(
            key="document.expiring",
            channel=row["channel"],
            recipient=contact,
            language=row["language"],
            values=values,
            agency=campaign.agency,
            idempotency_key=f"campaign:{campaign.id}:{line}",
            send_at=send_at(campaign, expires),
            proactive=True,
            time_zone=campaign.time_zone,
            reason=("campaign", campaign.id),
        )
    except (MissingValue, ValueError):
        return "invalid_text"
    return None


def claim_import() -> Campaign | None:
    """Take the next chunk of some campaign; a claim left by a crashed worker goes stale."""
    now = timezone.now()
    waiting = Campaign.objects.filter(state__in=("pending", "importing")).order_by("created_at")
    for campaign in waiting[:5]:
        if campaign.heartbeat and now - campaign.heartbeat < STALE_IMPORT:
            continue  # another worker is on this chunk
        claimed = Campaign.objects.filter(
            id=campaign.id, state=campaign.state, heartbeat=campaign.heartbeat
        ).update(state="importing", heartbeat=now)
        if claimed:
            campaign.refresh_from_db()
            return campaign
    return None


def run_chunk(campaign: Campaign) -> None:
    """Import the next CHUNK rows; the reminders and the progress commit together."""
    today = timezone.now().astimezone(ZoneInfo(campaign.time_zone)).date()
    try:
        rows = read_rows(campaign.source)
    except (BadFile, csv.Error) as error:
        Campaign.objects.filter(id=campaign.id).update(
            state="done",
            source="",
            heartbeat=None,
            rejections=[{"line": 1, "reason": "missing_columns", "detail": str(error)}],
        )
        return
    start = campaign.processed_rows
    rejections, accepted = list(campaign.rejections), campaign.accepted_rows
    with transaction.atomic():
        for offset, row in enumerate(rows[start : start + CHUNK]):
            line = start + offset + 2  # the header is line 1
            reason = check_row(row, today) or schedule(campaign, line, row)
            if reason:
                rejections.append({"line": line, "reason": reason})
            else:
                accepted += 1
        processed = min(start + CHUNK, len(rows))
        finished = processed >= len(rows)
        Campaign.objects.filter(id=campaign.id, state="importing").update(
            total_rows=len(rows),
            processed_rows=processed,
            accepted_rows=accepted,
            rejections=rejections,
            heartbeat=None,
            **({"state": "done", "source": ""} if finished else {}),
        )


def run_imports() -> int:
    """At most one chunk per call, so the outbox keeps moving during a large import."""
    campaign = claim_import()
    if campaign is None:
        return 0
    run_chunk(campaign)
    return 1


@still_wanted.register("campaign")
def campaign_not_cancelled(campaign_id: str) -> bool:
    return not Campaign.objects.filter(id=campaign_id, state="cancelled").exists()
