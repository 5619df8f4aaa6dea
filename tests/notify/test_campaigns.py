"""CSV imports schedule reminders ahead of expiry and report every rejected row with its reason."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accueil.core.worker import drain_outbox
from accueil.notify.campaigns import run_imports
from accueil.notify.models import Campaign, Message, Status
from accueil.notify.templates_text import load_files
from tests.factories import TEST_PASSWORD

TORONTO = ZoneInfo("America/Toronto")


def in_days(n):
    return (timezone.now().astimezone(TORONTO) + timedelta(days=n)).date().isoformat()


def csv_file(rows, header="name,contact,channel,language,document,expires_on", sep=","):
    text = "\ufeff" + header.replace(",", sep) + "\n" + "\n".join(sep.join(r) for r in rows)
    return SimpleUploadedFile("liste.csv", text.encode("utf-8"), content_type="text/csv")


def upload(client, rows, **extra):
    client.post("/fr/login/", {"username": "supervisor", "password": TEST_PASSWORD})
    data = {"name": "Permis 2027", "days_ahead": "30", "file": csv_file(rows, **extra)}
    response = client.post("/fr/staff/campaigns/new/", data)
    assert response.status_code == 302, response.content.decode()[:500]
    return Campaign.objects.get()


def import_all():
    while run_imports():
        pass


GOOD = [
    [
        "Camille Tremblay",
        "camille@example.ca",
        "email",
        "fr",
        "permis de stationnement",
        in_days(90),
    ],
    ["Sam Lee", "+1 514 555 0123", "sms", "en", "dog licence", in_days(10)],
]
BAD = [
    ["", "x@example.ca", "email", "fr", "permis", in_days(90)],
    ["A", "pas-un-courriel", "email", "fr", "permis", in_days(90)],
    ["B", "5550123", "sms", "fr", "permis", in_days(90)],
    ["C", "c@example.ca", "pigeon", "fr", "permis", in_days(90)],
    ["D", "d@example.ca", "email", "es", "permis", in_days(90)],
    ["E", "e@example.ca", "email", "fr", "permis", "31/12/2027"],
    ["F", "f@example.ca", "email", "fr", "permis", in_days(-1)],
]


def test_each_valid_row_schedules_a_reminder_before_expiry(client, personas):
    load_files()
    campaign = upload(client, GOOD)
    import_all()
    campaign.refresh_from_db()
    assert (campaign.state, campaign.total_rows, campaign.accepted_rows) == ("done", 2, 2)
    assert campaign.source == ""  # the uploaded list is not kept
    email = Message.objects.get(channel="email")
    # 30 days before the row's expiry (GOOD is built at import: the test may run after midnight)
    reminder_day = datetime.fromisoformat(GOOD[0][5]).date() - timedelta(days=30)
    expected = datetime.combine(reminder_day, datetime.min.time().replace(hour=10), TORONTO)
    assert email.next_attempt_at == expected and email.proactive
    assert email.language == "fr" and "Votre permis de stationnement expire le" in email.subject
    sms = Message.objects.get(channel="sms")
    assert sms.recipient == "+15145550123" and sms.language == "en"
    assert sms.next_attempt_at <= timezone.now() + timedelta(seconds=5)  # due within 30 days: now


def test_every_rejected_row_is_reported_with_its_reason(client, personas):
    load_files()
    campaign = upload(client, GOOD + BAD)
    import_all()
    campaign.refresh_from_db()
    assert campaign.accepted_rows == 2
    assert [(r["line"], r["reason"]) for r in campaign.rejections] == [
        (4, "missing_value"),
        (5, "invalid_email"),
        (6, "invalid_phone"),
        (7, "unknown_channel"),
        (8, "unknown_language"),
        (9, "invalid_date"),
        (10, "already_expired"),
    ]
    page = client.get(f"/fr/staff/campaigns/{campaign.id}/").content.decode()
    assert "L’adresse courriel n’est pas valide." in page
    assert "Le document est déjà expiré." in page


def test_semicolons_and_a_missing_column_are_handled(client, personas):
    load_files()
    campaign = upload(client, GOOD, sep=";")
    import_all()
    campaign.refresh_from_db()
    assert campaign.accepted_rows == 2
    Campaign.objects.all().delete()
    Message.objects.all().delete()
    broken = upload(client, [["x", "y"]], header="name,contact")
    import_all()
    broken.refresh_from_db()
    assert broken.state == "done" and broken.rejections[0]["reason"] == "missing_columns"


def test_progress_is_visible_while_importing(client, personas, monkeypatch):
    load_files()
    monkeypatch.setattr("accueil.notify.campaigns.CHUNK", 1)
    campaign = upload(client, GOOD)
    assert run_imports() == 1
    campaign.refresh_from_db()
    assert (campaign.state, campaign.processed_rows, campaign.percent) == ("importing", 1, 50)
    fragment = client.get(f"/fr/staff/campaigns/{campaign.id}/", headers={"hx-request": "true"})
    assert 'hx-trigger="every 2s"' in fragment.content.decode()
    assert "1 sur 2 lignes lues" in fragment.content.decode()
    import_all()
    campaign.refresh_from_db()
    assert campaign.state == "done"
    done = client.get(f"/fr/staff/campaigns/{campaign.id}/", headers={"hx-request": "true"})
    assert "hx-trigger" not in done.content.decode()  # polling stops


def test_cancelling_drops_reminders_not_yet_sent(client, personas, smtp_server):
    load_files()
    campaign = upload(client, GOOD[:1])
    import_all()
    client.post(f"/fr/staff/campaigns/{campaign.id}/cancel/")
    Message.objects.update(next_attempt_at=timezone.now())
    drain_outbox()
    assert Message.objects.get().status == Status.DROPPED
    assert smtp_server.messages == []


def test_a_binary_or_huge_file_is_refused(client, personas):
    client.post("/fr/login/", {"username": "supervisor", "password": TEST_PASSWORD})
    binary = SimpleUploadedFile("x.csv", b"PK\x03\x04\x00\x00", content_type="text/csv")
    response = client.post(
        "/fr/staff/campaigns/new/", {"name": "x", "days_ahead": "30", "file": binary}
    )
    assert response.status_code == 400 and not Campaign.objects.exists()
    huge = SimpleUploadedFile("x.csv", b"a" * (2 * 1024 * 1024 + 1), content_type="text/csv")
    response = client.post(
        "/fr/staff/campaigns/new/", {"name": "x", "days_ahead": "30", "file": huge}
    )
    assert response.status_code == 400


def test_campaigns_are_for_supervisors_of_the_agency(client, personas):
    load_files()
    campaign = upload(client, GOOD)
    client.post("/fr/logout/")
    client.post("/fr/login/", {"username": "owner", "password": TEST_PASSWORD})
    assert client.get("/fr/staff/campaigns/").status_code == 403
    client.post("/fr/logout/")
    client.post("/fr/login/", {"username": "stranger-boss", "password": TEST_PASSWORD})
    assert client.get(f"/fr/staff/campaigns/{campaign.id}/").status_code == 404
