"""What a public reader of GET requests sees: never a contact; the details of Open311's own
requests only; the bare facts of the others; nothing personal after retention. And how our
lifecycle maps to open/closed, with notes, the one responsible and the expected time."""

import json
from datetime import timedelta

from django.utils import timezone

from accueil.cases.actions import do_change_status, do_forget_expired, do_merge, do_open_case
from accueil.cases.models import Case
from accueil.core.actors import Actor
from tests.cases.conftest import intake
from tests.open311.conftest import BASE, report, validate


def listed(client, city, fmt="json", **params):
    response = client.get(
        f"{BASE}/requests.{fmt}", {"jurisdiction_id": city.jurisdiction, **params}
    )
    assert response.status_code == 200, response.content
    return response


def by_id(client, city):
    return {r["service_request_id"]: r for r in listed(client, city).json()}


def web_case(city, **overrides):
    return do_open_case(
        Actor.public(),
        service=city.service,
        channel="web",
        intake=intake(
            address="8, rue Secrète",
            latitude="45.1",
            longitude="-73.1",
            phone="5145550123",
            answers={"size": "small", "where": "8, rue Secrète"},
            **overrides,
        ),
    )


def test_no_contact_detail_is_ever_published(client, city):
    client.post(f"{BASE}/requests.json", report(city))
    web_case(city)
    for fmt in ("json", "xml"):
        body = listed(client, city, fmt).content.decode()
        for secret in ("lea@example.org", "Léa", "Roy", "555", "fms-42", "phone-7"):
            assert secret not in body, (fmt, secret)


def test_requests_from_other_channels_show_only_non_personal_facts(client, city):
    web = web_case(city, description="Mon voisin M. Tremblay, 8 rue Secrète, a un trou.")
    row = by_id(client, city)[web.reference]
    assert row["status"] == "open" and row["service_code"] == "voirie"
    assert row["requested_datetime"] and row["expected_datetime"]
    for hidden in ("description", "address", "lat", "long", "media_url"):
        assert row[hidden] is None, hidden
    assert "Tremblay" not in json.dumps(row) and "Secrète" not in json.dumps(row)
    tree = validate(listed(client, city, "xml").content, "requests")
    assert tree.findtext("request/description") in ("", None)


def test_an_anonymised_request_shows_nothing_personal(client, city):
    reference = client.post(f"{BASE}/requests.json", report(city)).json()[0]["service_request_id"]
    case = Case.objects.get(reference=reference)
    agent = Actor.staff(city.agents[0])
    do_change_status(agent, case, "resolved")
    case.refresh_from_db()
    do_change_status(agent, case, "closed")
    do_forget_expired(now=timezone.now() + timedelta(days=city.service.retention_days + 1))
    row = by_id(client, city)[reference]
    assert row["status"] == "closed"
    assert (row["description"], row["address"], row["lat"], row["media_url"]) == (None,) * 4


def test_status_maps_our_lifecycle_to_open_and_closed(client, city):
    reference = client.post(f"{BASE}/requests.json", report(city)).json()[0]["service_request_id"]
    case = Case.objects.get(reference=reference)
    agent = Actor.staff(city.agents[0])
    expected = {
        "acknowledged": ("open", "Acknowledged"),
        "in_progress": ("open", "In progress"),
        "waiting": ("open", "Waiting for the citizen"),
        "resolved": ("closed", "Resolved"),
        "closed": ("closed", "Closed"),
    }
    for status, (mapped, notes) in expected.items():
        case.refresh_from_db()
        do_change_status(agent, case, status)
        row = by_id(client, city)[reference]
        assert (row["status"], row["status_notes"]) == (mapped, notes), status
        if mapped == "open":
            due = timezone.localtime(
                Case.objects.get(pk=case.pk).resolution_due_at, city.office.zone
            )
            assert row["expected_datetime"] == due.isoformat(timespec="seconds")
        else:
            assert row["expected_datetime"] is None
    assert row["agency_responsible"] == "Roads"  # the team's name, in the reader's language
    assert row["updated_datetime"].endswith(("-05:00", "-04:00"))  # Montréal's offset


def test_a_merged_duplicate_is_closed_and_points_to_the_original(client, city):
    original = web_case(city)
    reference = client.post(f"{BASE}/requests.json", report(city)).json()[0]["service_request_id"]
    duplicate = Case.objects.get(reference=reference)
    do_merge(Actor.staff(city.agents[0]), duplicate, original)
    row = by_id(client, city)[reference]
    assert row["status"] == "closed"
    assert original.reference in row["status_notes"]
    french = client.get(
        f"{BASE}/requests/{reference}.json",
        {"jurisdiction_id": city.jurisdiction},
        headers={"Accept-Language": "fr"},
    ).json()[0]
    assert (
        original.reference in french["status_notes"]
        and french["status_notes"] != row["status_notes"]
    )


def test_another_agencys_requests_are_not_in_our_jurisdiction(client, city):
    from accueil.cases.models import CaseSettings
    from tests.factories import ServiceFactory

    theirs = ServiceFactory(agency=city.stranger.agency, slug="voirie", channels=["app", "web"])
    CaseSettings.objects.create(service=theirs, office=city.stranger.agency.offices.first())
    case = do_open_case(Actor.public(), service=theirs, channel="web", intake=intake(answers={}))
    assert case.reference not in by_id(client, city)
    response = client.get(
        f"{BASE}/requests/{case.reference}.json", {"jurisdiction_id": city.jurisdiction}
    )
    assert response.status_code == 404


def test_retention_also_forgets_what_the_application_told_us(client, city):
    from accueil.core.consumers import consumers
    from accueil.core.models import Event
    from accueil.open311.actions import do_forget_submissions
    from accueil.open311.models import Submission

    reference = client.post(f"{BASE}/requests.json", report(city)).json()[0]["service_request_id"]
    case = Case.objects.get(reference=reference)
    agent = Actor.staff(city.agents[0])
    do_change_status(agent, case, "resolved")
    case.refresh_from_db()
    do_change_status(agent, case, "closed")
    do_forget_expired(now=timezone.now() + timedelta(days=city.service.retention_days + 1))
    # The worker feeds the consumer after commit (tests/core/test_consumers.py proves the
    # feeding); here, its handler with the events it registered for.
    retention = consumers.get("open311.retention")
    assert retention.handle is do_forget_submissions and "case.anonymised" in retention.verbs
    retention.handle(list(Event.objects.filter(verb__in=retention.verbs)))
    kept = Submission.objects.get(case=case)
    assert (kept.account_id, kept.device_id, kept.media_url) == ("", "", "")
    assert kept.token  # the token still resolves to the (now empty) public reference
