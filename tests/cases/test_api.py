"""The requests part of the REST API, through the test client on a real database."""

import io
from datetime import datetime

import pytest
from PIL import Image

from accueil.cases import actions
from accueil.cases.models import Attachment, Case, CaseField, Message
from accueil.core.actors import PUBLIC, Actor
from accueil.notify.models import Message as Outbox
from tests.api.test_api import bearer
from tests.cases.conftest import intake
from tests.factories import AgencyFactory, ServiceFactory
from tests.security.corpus import files

BODY = {
    "service": "voirie",
    "description": "Un gros nid-de-poule devant le 12, rue Principale.",
    "language": "fr",
    "contact": {"name": "Léa Roy", "email": "lea@example.org"},
    "location": {"lat": 45.5017, "long": -73.5673, "address": "12, rue Principale"},
    "fields": {"size": "large"},
}


def post_case(client, body=None, headers=None, address="203.0.113.9", **changes):
    return client.post(
        "/api/v1/cases",
        {**BODY, **(body or {}), **changes},
        content_type="application/json",
        headers=headers or {},
        REMOTE_ADDR=address,
    )


def opened(world, **overrides):
    return actions.do_open_case(
        PUBLIC, service=world.service, channel="web", intake=intake(**overrides)
    )


def png(size=(8, 8)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, "red").save(out, "PNG")
    return out.getvalue()


# -- services ----------------------------------------------------------------------------------


def test_services_list_each_service_with_its_form_and_files(client, world):
    services = client.get("/api/v1/services").json()
    voirie = next(s for s in services if s["id"] == str(world.service.id))
    assert voirie["name"] == {"fr": "Nids-de-poule", "en": "Potholes"}
    assert voirie["agency"]["slug"] == world.agency.slug
    assert voirie["takes_requests_online"] is True
    assert {s["measure"] for s in voirie["standards"]} == {"response", "resolution"}
    [size] = voirie["fields"]
    assert size["code"] == "size" and size["kind"] == "choice" and size["required"]
    assert [c["value"] for c in size["choices"]] == ["small", "large"]
    assert voirie["files"] == {"kinds": ["jpeg", "png", "pdf"], "max_mb": 10}


def test_services_can_be_kept_to_one_agency(client, world):
    ServiceFactory(agency=AgencyFactory(slug="ailleurs"))
    mine = client.get(f"/api/v1/services?agency={world.agency.slug}").json()
    assert {s["agency"]["slug"] for s in mine} == {world.agency.slug}
    assert client.get("/api/v1/services?agency=nobody").json() == []


def test_services_query_count_does_not_grow_with_services(
    client, world, django_assert_max_num_queries
):
    for n in range(5):
        service = ServiceFactory(agency=world.agency, slug=f"s{n}")
        CaseField.objects.create(service=service, code="q", kind="text", label_fr="Q", label_en="Q")
    with django_assert_max_num_queries(6):
        assert len(client.get("/api/v1/services").json()) >= 6


# -- opening -----------------------------------------------------------------------------------


def test_anyone_opens_a_request_and_tracks_it_with_the_secret_given(client, world):
    response = post_case(client)
    assert response.status_code == 201, response.content
    answer = response.json()
    case = Case.objects.get(reference=answer["reference"])
    assert case.channel == "web" and case.fields == {"size": "large"}
    assert str(case.latitude) == "45.501700" and case.address == "12, rue Principale"
    assert answer["secret"] == case.tracking_secret
    assert answer["tracking_url"] == actions.tracking_url(case)
    # In the office's own time, with its offset.
    assert datetime.fromisoformat(answer["due_at"]) == case.resolution_due_at
    assert answer["due_at"].endswith(("-05:00", "-04:00"))
    # The acknowledgement carries the same link.
    assert answer["tracking_url"] in Outbox.objects.get(template="case.received").body
    tracked = client.get(f"/api/v1/cases/{case.reference}?secret={answer['secret']}")
    assert tracked.status_code == 200
    assert tracked.json()["status"] == "new" and tracked.json()["staff"] is None


def test_the_service_may_be_named_by_id(client, world):
    response = post_case(client, service=str(world.service.id))
    assert response.status_code == 201


def test_a_slug_two_agencies_share_needs_the_agency(client, world):
    ServiceFactory(agency=AgencyFactory(slug="autre"), slug="voirie", channels=["web"])
    response = post_case(client)
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["field"] == "agency"
    assert post_case(client, agency=world.agency.slug).status_code == 201


def test_every_problem_is_named_by_its_field_in_the_callers_language(client, world):
    response = client.post(
        "/api/v1/cases",
        {
            "service": "voirie",
            "description": " ",
            "contact": {"email": "not-an-email", "phone": "12"},
            "location": {"lat": 95, "long": "abc"},
            "fields": {"size": "huge", "colour": "red"},
        },
        content_type="application/json",
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 422
    error = response.json()["error"]
    fields = {d["field"] for d in error["details"]}
    assert fields == {
        "description",
        "contact.email",
        "contact.phone",
        "location.lat",
        "location.long",
        "fields.size",
        "fields.colour",
    }
    assert error["code"] == "invalid" and error["message"] == "Some fields are missing or invalid."
    assert Case.objects.count() == 0
    french = post_case(client, description="", headers={"Accept-Language": "fr"})
    assert french.json()["error"]["details"][0]["problem"] == "Décrivez votre demande."


def test_a_required_answer_is_required(client, world):
    response = post_case(client, fields={})
    assert response.status_code == 422
    assert response.json()["error"]["details"] == [
        {"field": "fields.size", "problem": "Répondez à cette question."}
    ]


def test_an_unknown_service_is_a_problem_with_the_service(client, world):
    response = post_case(client, service="nope")
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["field"] == "service"


def test_a_service_that_takes_no_requests_online_refuses_the_public(client, world):
    world.service.channels = ["phone"]
    world.service.save()
    response = post_case(client)
    assert response.status_code == 422 and response.json()["error"]["code"] == "unavailable"


def test_the_public_cannot_claim_a_phone_call(client, world):
    response = post_case(client, channel="phone")
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["field"] == "channel"


def test_an_agent_records_a_phone_request(client, world):
    ana = world.agents[0]
    response = post_case(client, channel="phone", headers=bearer(ana))
    assert response.status_code == 201
    assert Case.objects.get(reference=response.json()["reference"]).channel == "phone"


def test_another_agencys_agent_cannot_open_a_request_for_ours(client, world):
    response = post_case(client, channel="phone", headers=bearer(world.stranger))
    assert response.status_code == 404
    assert Case.objects.count() == 0


def test_opening_requests_is_rate_limited_per_address(client, world, settings):
    settings.CASE_RATE = "2/3600"
    assert post_case(client).status_code == 201
    assert post_case(client).status_code == 201
    refused = post_case(client)
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert post_case(client, address="198.51.100.4").status_code == 201  # another address
    assert post_case(client, headers=bearer(world.agents[0])).status_code == 201  # staff


def test_a_retry_with_the_same_idempotency_key_gets_the_same_request(client, world):
    first = post_case(client, headers={"Idempotency-Key": "k-1"}).json()
    again = post_case(client, headers={"Idempotency-Key": "k-1"}).json()
    assert again == first and Case.objects.count() == 1
    assert Outbox.objects.filter(template="case.received").count() == 1


def test_the_same_key_from_another_address_is_another_request(client, world):
    mine = post_case(client, headers={"Idempotency-Key": "k-1"}).json()
    theirs = post_case(client, headers={"Idempotency-Key": "k-1"}, address="198.51.100.7")
    assert theirs.json()["reference"] != mine["reference"]
    assert mine["secret"] not in theirs.content.decode()


def test_the_same_key_with_another_request_is_refused(client, world):
    post_case(client, headers={"Idempotency-Key": "k-1"})
    response = post_case(client, headers={"Idempotency-Key": "k-1"}, description="Autre chose.")
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "idempotency_mismatch"
    assert Case.objects.count() == 1


# -- reading -----------------------------------------------------------------------------------


def test_staff_read_notes_and_who_holds_it_the_citizen_does_not(client, world):
    case = opened(world)
    agent = Actor.staff(case.assignee)
    actions.do_reply(agent, case, "Nous irons voir demain.")
    actions.do_add_note(agent, case, "Secret interne : camion 12.")
    staff = client.get(f"/api/v1/cases/{case.reference}", headers=bearer(case.assignee)).json()
    kinds = [entry["kind"] for entry in staff["timeline"]]
    assert kinds == ["status", "status", "reply", "note"]  # new, in progress, reply, note
    assert staff["timeline"][2]["author"] == case.assignee.username
    assert staff["staff"]["assignee"] == case.assignee.username
    assert staff["staff"]["contact"]["email"] == "lea@example.org"
    citizen = client.get(f"/api/v1/cases/{case.reference}", {"secret": case.tracking_secret}).json()
    assert [entry["kind"] for entry in citizen["timeline"]] == ["status", "status", "reply"]
    assert "camion" not in str(citizen) and case.assignee.username not in str(citizen)
    assert citizen["staff"] is None


@pytest.mark.parametrize("who", ["nobody", "wrong secret", "other case's secret", "stranger"])
def test_nobody_else_reads_a_request_and_the_answer_is_that_of_an_unknown_one(client, world, who):
    case = opened(world)
    other = opened(world)
    url = f"/api/v1/cases/{case.reference}"
    calls = {
        "nobody": lambda u: client.get(u),
        "wrong secret": lambda u: client.get(u, {"secret": "A" * 22}),
        "other case's secret": lambda u: client.get(u, {"secret": other.tracking_secret}),
        "stranger": lambda u: client.get(u, headers=bearer(world.stranger)),
    }
    response = calls[who](url)
    unknown = calls[who]("/api/v1/cases/R-2026-AAAAAA")
    assert response.status_code == unknown.status_code == 404
    assert response.json() == unknown.json()


# -- the staff's list --------------------------------------------------------------------------


def test_the_list_pages_newest_first_with_a_cursor(client, world):
    refs = [opened(world).reference for _ in range(5)]
    headers = bearer(world.agents[0])
    first = client.get("/api/v1/cases?limit=2", headers=headers).json()
    second = client.get(f"/api/v1/cases?limit=2&cursor={first['next']}", headers=headers).json()
    third = client.get(f"/api/v1/cases?limit=2&cursor={second['next']}", headers=headers).json()
    seen = [row["reference"] for page in (first, second, third) for row in page["items"]]
    assert sorted(seen) == sorted(refs) and len(set(seen)) == 5
    assert third["next"] is None
    assert client.get("/api/v1/cases?cursor=zzz", headers=headers).status_code == 422


def test_the_views_mine_unassigned_and_breaching(client, world):
    ana, bo = world.agents
    mine = opened(world)
    actions.do_assign(Actor.staff(ana), mine, assignee=ana)
    nobodys = opened(world)
    actions.do_assign(Actor.staff(ana), nobodys, assignee=None)
    late = opened(world)
    actions.do_assign(Actor.staff(ana), late, assignee=bo)
    Case.objects.filter(pk=late.pk).update(resolution_state="breached")

    def view(name):
        rows = client.get(f"/api/v1/cases?view={name}", headers=bearer(ana)).json()["items"]
        return {row["reference"] for row in rows}

    assert view("mine") == {mine.reference}
    assert view("unassigned") == {nobodys.reference}
    assert view("breaching") == {late.reference}
    assert view("team") == {mine.reference, nobodys.reference, late.reference}
    assert client.get("/api/v1/cases?view=x", headers=bearer(ana)).status_code == 422


def test_the_list_filters_by_status_and_searches(client, world):
    hole = opened(world, description="Un nid-de-poule énorme rue Saint-Denis.")
    lamp = opened(world, description="Un lampadaire éteint avenue du Parc.")
    actions.do_change_status(Actor.staff(world.agents[0]), lamp, "acknowledged")
    headers = bearer(world.agents[0])

    def refs(query):
        rows = client.get(f"/api/v1/cases?{query}", headers=headers).json()["items"]
        return {row["reference"] for row in rows}

    assert refs("status=acknowledged") == {lamp.reference}
    assert refs("status=new,acknowledged") == {hole.reference, lamp.reference}
    assert refs("q=lampadaire") == {lamp.reference}
    assert refs(f"q={hole.reference.lower()}") == {hole.reference}
    assert client.get("/api/v1/cases?status=bogus", headers=headers).status_code == 422


def test_a_strangers_list_and_search_never_show_our_requests(client, world):
    case = opened(world, description="Lampadaire éteint")
    headers = bearer(world.stranger)
    for query in ("", "q=lampadaire", f"q={case.reference}", "view=unassigned"):
        assert client.get(f"/api/v1/cases?{query}", headers=headers).json()["items"] == []


def test_the_list_query_count_does_not_grow_with_rows(client, world, django_assert_max_num_queries):
    headers = bearer(world.agents[0])
    opened(world)
    with django_assert_max_num_queries(8) as one:
        client.get("/api/v1/cases", headers=headers)
    for _ in range(10):
        opened(world)
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert len(client.get("/api/v1/cases", headers=headers).json()["items"]) == 11


# -- the staff's changes -----------------------------------------------------------------------


def test_assign_reply_note_and_status_change_the_request(client, world):
    ana, bo = world.agents
    case = opened(world)
    url = f"/api/v1/cases/{case.reference}"
    headers = bearer(ana)
    version = client.get(url, headers=headers).json()["staff"]["version"]
    given = client.post(
        f"{url}/assign",
        {"assignee": "bo", "version": version},
        content_type="application/json",
        headers=headers,
    )
    assert given.status_code == 200 and given.json()["staff"]["assignee"] == "bo"
    replied = client.post(
        f"{url}/reply",
        {"body": "Merci, c’est noté."},
        content_type="application/json",
        headers=headers,
    )
    assert replied.json()["status"] == "in_progress"
    client.post(
        f"{url}/notes", {"body": "Voir Bo."}, content_type="application/json", headers=headers
    )
    version = client.get(url, headers=headers).json()["staff"]["version"]
    done = client.post(
        f"{url}/status",
        {"status": "resolved", "version": version},
        content_type="application/json",
        headers=headers,
    )
    assert done.status_code == 200 and done.json()["status"] == "resolved"
    assert list(Message.objects.filter(case=case).values_list("kind", flat=True)) == [
        "reply",
        "note",
    ]


def test_a_stale_version_is_a_conflict_and_changes_nothing(client, world):
    case = opened(world)
    url = f"/api/v1/cases/{case.reference}"
    headers = bearer(world.agents[0])
    seen = client.get(url, headers=headers).json()["staff"]["version"]
    client.post(
        f"{url}/status",
        {"status": "acknowledged", "version": seen},
        content_type="application/json",
        headers=headers,
    )
    late = client.post(
        f"{url}/status",
        {"status": "waiting", "version": seen},
        content_type="application/json",
        headers=headers,
    )
    assert late.status_code == 409 and late.json()["error"]["code"] == "conflict"
    assert Case.objects.get(pk=case.pk).status == "acknowledged"
    stale_assign = client.post(
        f"{url}/assign",
        {"assignee": None, "version": seen},
        content_type="application/json",
        headers=headers,
    )
    assert stale_assign.status_code == 409
    assert Case.objects.get(pk=case.pk).assignee_id == case.assignee_id


def test_assigning_to_someone_of_another_agency_is_refused(client, world):
    case = opened(world)
    response = client.post(
        f"/api/v1/cases/{case.reference}/assign",
        {"assignee": world.stranger.username},
        content_type="application/json",
        headers=bearer(world.agents[0]),
    )
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["field"] == "assignee"


def test_a_template_alone_sends_it_filled_in_the_citizens_language(client, world):
    from accueil.cases.models import ReplyTemplate

    template = ReplyTemplate.objects.filter(agency__isnull=True).first()
    case = opened(world, language="en", name="Lea")
    response = client.post(
        f"/api/v1/cases/{case.reference}/reply",
        {"template": template.slug},
        content_type="application/json",
        headers=bearer(world.agents[0]),
    )
    assert response.status_code == 200
    message = Message.objects.get(case=case)
    assert message.template == template.slug and "((" not in message.body
    assert message.body.split()[0] == template.body_en.split()[0]


def test_a_staff_change_needs_a_token_and_the_right_agency(client, world):
    case = opened(world)
    url = f"/api/v1/cases/{case.reference}/notes"
    body = {"body": "x"}
    assert client.post(url, body, content_type="application/json").status_code == 401
    stranger = client.post(
        url, body, content_type="application/json", headers=bearer(world.stranger)
    )
    assert stranger.status_code == 404 and not Message.objects.exists()


# -- files -------------------------------------------------------------------------------------


def send(client, case, name, data, *, secret=None, headers=None, kind="note"):
    upload = io.BytesIO(data)
    upload.name = name
    query = f"?secret={secret}" if secret else ""
    return client.post(
        f"/api/v1/cases/{case.reference}/attachments{query}",
        {"body": "Voici une photo.", "files": [upload], "kind": kind},
        headers=headers or {},
        REMOTE_ADDR="203.0.113.50",
    )


def test_the_citizen_sends_a_photo_and_downloads_it_back_as_an_attachment(client, world):
    case = opened(world)
    response = send(client, case, "trou.png", png(), secret=case.tracking_secret)
    assert response.status_code == 201, response.content
    [file] = response.json()["attachments"]
    assert file["from_citizen"] and file["public"] and file["kind"] == "png"
    got = client.get(
        f"/api/v1/cases/{case.reference}/attachments/{file['id']}",
        {"secret": case.tracking_secret},
    )
    assert got.status_code == 200
    assert got["Content-Disposition"].startswith("attachment")
    assert got["X-Content-Type-Options"] == "nosniff"
    assert got.content.startswith(b"\x89PNG")


def test_a_staff_note_file_is_never_served_to_the_citizen(client, world):
    case = opened(world)
    response = send(client, case, "plan.png", png(), headers=bearer(world.agents[0]))
    assert response.status_code == 201
    file = Attachment.objects.get(case=case)
    assert file.public is False
    url = f"/api/v1/cases/{case.reference}/attachments/{file.id}"
    assert client.get(url, {"secret": case.tracking_secret}).status_code == 404
    assert client.get(url, headers=bearer(world.agents[0])).status_code == 200
    citizen = client.get(f"/api/v1/cases/{case.reference}", {"secret": case.tracking_secret})
    assert citizen.json()["attachments"] == []


def test_another_cases_file_is_not_reachable_through_this_case(client, world):
    mine, theirs = opened(world), opened(world)
    send(client, theirs, "a.png", png(), secret=theirs.tracking_secret)
    file = Attachment.objects.get(case=theirs)
    url = f"/api/v1/cases/{mine.reference}/attachments/{file.id}"
    assert client.get(url, {"secret": mine.tracking_secret}).status_code == 404
    stranger = client.get(
        f"/api/v1/cases/{theirs.reference}/attachments/{file.id}", headers=bearer(world.stranger)
    )
    assert stranger.status_code == 404


@pytest.mark.parametrize(
    "name,data",
    [
        ("dessin.svg", files.read("svg_with_script.svg")),
        ("report.pdf.html", files.read("report.pdf.html")),
        ("form.pdf", files.read("html_renamed.pdf")),
        ("scan.pdf", files.read("pdf_html_polyglot.pdf")),
        ("photo.png", files.image("JPEG")),
    ],
)
def test_scriptable_or_mismatched_files_are_refused_with_the_reason(client, world, name, data):  # noqa: E501
    case = opened(world)
    response = send(client, case, name, data, secret=case.tracking_secret)
    assert response.status_code == 415, response.content
    error = response.json()["error"]
    assert error["code"] in ("upload_scriptable", "upload_mismatch")
    assert error["details"][0]["field"] == "files" and error["message"]
    assert not Attachment.objects.exists()


def test_a_50000_by_50000_png_is_refused_by_its_pixels(client, world):
    case = opened(world)
    big = files.png_header_only(50_000, 50_000)
    response = send(client, case, "big.png", big, secret=case.tracking_secret)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "upload_too_many_pixels"
    assert not Attachment.objects.exists()


def test_a_citizens_files_are_rate_limited_per_address_and_staff_are_not(client, world, settings):
    settings.CASE_RATE = "1/3600"
    case = opened(world)
    assert send(client, case, "a.png", png(), secret=case.tracking_secret).status_code == 201
    refused = send(client, case, "b.png", png(), secret=case.tracking_secret)
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert Attachment.objects.filter(case=case).count() == 1
    staff = send(client, case, "c.png", png(), headers=bearer(world.agents[0]))
    assert staff.status_code == 201


def test_an_empty_upload_is_a_problem_with_files_and_changes_nothing(client, world):
    case = opened(world)
    response = client.post(
        f"/api/v1/cases/{case.reference}/attachments?secret={case.tracking_secret}",
        {"body": "Rien."},
    )
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["field"] == "files"
    assert not Message.objects.filter(case=case).exists()
