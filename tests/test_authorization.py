"""Every route, every role, own object / colleague's / another agency's.

Routes are read from the URL map and the OpenAPI document, so a new route is covered the
moment it exists; one that forgets its access rule fails tests/test_route_list.py.
"""

import re

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.urls import reverse

from accueil.accounts.actions import do_issue_token
from accueil.accounts.models import ROLE_RANK, ApiToken, Role
from accueil.cases.models import Case
from accueil.catalog.models import Category, Holiday, OpeningHours
from accueil.core.actors import Actor
from accueil.core.models import ConsumerCursor
from accueil.notify.models import (
    Campaign,
    Consent,
    Message,
    OptOut,
    Template,
    WebhookEndpoint,
)
from accueil.queues.actions import do_check_in, do_open_desk
from accueil.queues.models import DeskSession, ServiceNotice, Visit
from tests.conftest import make_personas
from tests.factories import TEST_PASSWORD
from tests.moduledata import built_once
from tests.routes import access_rule, page_routes

# A route without a rule fails tests/test_route_list.py; here it is simply not a staff route.
STAFF_ROUTES = [
    (route, pattern)
    for route, pattern in page_routes()
    if (access_rule(pattern) or ["missing"])[0] == "staff"
]
# Login logs name people across every agency: only platform operators (superusers) see them.
OPERATOR_ONLY = {AccessAttempt, AccessFailureLog, AccessLog, OptOut, Consent, ConsumerCursor}
PUBLIC_API = {
    ("get", "/api/v1/offices"),
    ("get", "/api/v1/openapi.json"),
    # A citizen's own visit: open to whoever holds its secret (given at check-in), or staff.
    ("post", "/api/v1/offices/{office}/visits"),
    ("get", "/api/v1/visits/{visit}"),
    ("post", "/api/v1/visits/{visit}/cancel"),
    # What every display board shows in the waiting room.
    ("get", "/api/v1/offices/{office}/board"),
    ("get", "/api/v1/offices/{office}/events"),
    # Appointments: anyone books; then whoever holds the secret (given at booking), or staff
    # of the office (tests/api/test_appointments.py: everyone else gets 404).
    ("get", "/api/v1/offices/{office}/appointments/slots"),
    ("post", "/api/v1/offices/{office}/appointments"),
    ("get", "/api/v1/appointments/{appointment}"),
    ("post", "/api/v1/appointments/{appointment}/move"),
    ("post", "/api/v1/appointments/{appointment}/cancel"),
    # Requests (cases): the services' forms; anyone opens a request; then whoever holds its
    # tracking secret (given in the answer and the acknowledgement), or staff of its office
    # (test_case_api_* below: everyone else gets 404).
    ("get", "/api/v1/services"),
    ("post", "/api/v1/cases"),
    ("get", "/api/v1/cases/{reference}"),
    ("post", "/api/v1/cases/{reference}/attachments"),
    ("get", "/api/v1/cases/{reference}/attachments/{attachment}"),
    # The results against the published service standards: counts only, small ones suppressed
    # (tests/insights/test_transparency.py).
    ("get", "/api/v1/public/performance"),
}
PERSONA_BY_ROLE = {Role.AGENT: "owner", Role.SUPERVISOR: "supervisor", Role.ADMIN: "admin"}


def fill(route, personas, token):
    objects = {
        "office": personas.office.id,
        "service": personas.service.id,
        "token": token.id,
        "desk": personas.desk.id,
        "message": agency_message(personas).id,
        "template": agency_template(personas).id,
        "campaign": agency_campaign(personas).id,
        "session": owner_session(personas).id,
        "visit": agency_visit(personas).id,
        "notice": agency_notice(personas).id,
        "appointment": agency_appointment(personas).id,
        "action": "start",
        "reference": agency_case(personas).reference,
        "secret": agency_case(personas).tracking_secret,
        "file_id": agency_file(personas).id,
        "app": agency_client_app(personas).id,
        "response_id": agency_response(personas).id,
        "kudos": agency_kudos(personas).id,
    }

    def value(match):
        return str(objects[match.group(1)])

    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", value, route.replace("<lang>", "fr"))


def agency_kudos(personas):
    """A colleague's thanks to the owner, in their office."""
    from accueil.feedback.models import Kudos
    from accueil.feedback.recognition_actions import do_thank_colleague

    found = Kudos.objects.filter(agent=personas.owner).first()
    return found or do_thank_colleague(Actor.staff(personas.colleague), personas.owner.pk, "Merci")


def agency_message(personas):
    message, _ = Message.objects.get_or_create(
        idempotency_key="authz",
        defaults={
            "channel": "email",
            "recipient": "a@example.ca",
            "agency": personas.agency,
            "status": "failed",
        },
    )
    return message


def _case_for(service, office, assignee, description):
    from accueil.cases.actions import do_open_case
    from accueil.cases.intake import Intake
    from accueil.cases.models import CaseSettings

    CaseSettings.objects.get_or_create(service=service, defaults={"office": office})
    case = do_open_case(
        Actor.system(),
        service=service,
        channel="phone",
        intake=Intake(description=description, language="fr", email="lea@example.org"),
    )
    Case.objects.filter(pk=case.pk).update(assignee=assignee)
    case.assignee = assignee
    return case


def agency_case(personas):
    """The owner's request (assigned to them), in their office."""
    if not hasattr(personas, "case"):
        personas.case = _case_for(
            personas.service, personas.office, personas.owner, "Lampadaire éteint rue Cartier"
        )
    return personas.case


def colleague_case(personas):
    if not hasattr(personas, "colleague_case"):
        personas.colleague_case = _case_for(
            personas.service, personas.office, personas.colleague, "Lampadaire éteint rue Cartier"
        )
    return personas.colleague_case


def stranger_case(personas):
    """Another agency's request, with the same words in it (for searches)."""
    if not hasattr(personas, "stranger_case"):
        personas.stranger_case = _case_for(
            personas.stranger_service,
            personas.stranger_office,
            personas.stranger,
            "Lampadaire éteint rue Cartier",
        )
    return personas.stranger_case


def agency_file(personas, public=True):
    from accueil.cases.models import Attachment

    case = agency_case(personas)
    file, _ = Attachment.objects.get_or_create(
        case=case,
        public=public,
        defaults={
            "name": "public.txt" if public else "internal.txt",
            "kind": "text",
            "content_type": "text/plain",
            "size": 5,
            "data": b"hello",
        },
    )
    return file


def agency_client_app(personas):
    """An Open311 application of the agency (its keys page is for administrators)."""
    from accueil.accounts.models import ClientApp, ClientScope

    app = ClientApp.objects.filter(agency=personas.agency).first()
    return app or ClientApp.issue(personas.agency, "FixMyStreet", ClientScope.OPEN311)[0]


def owner_session(personas):
    session = DeskSession.objects.filter(desk=personas.desk, closed_at=None).first()
    return session or do_open_desk(personas.desk, personas.owner, [personas.service])


def agency_visit(personas):
    visit = Visit.objects.filter(office=personas.office).first()
    return visit or do_check_in(personas.office, personas.service)


def agency_response(personas):
    """A survey response with a comment, after a visit served at the owner's office."""
    from accueil.feedback.actions import do_answer, do_invite
    from accueil.feedback.models import Response
    from accueil.queues.actions import do_call_next, do_complete

    found = Response.objects.filter(office=personas.office).first()
    if found is not None:
        return found
    do_open_desk(personas.desk, personas.owner, [])
    visit = do_check_in(personas.office, personas.service)
    visit = do_complete(do_call_next(personas.desk))
    invitation = do_invite("visit", visit, agent_id=personas.owner.pk)
    return do_answer(invitation, {"trust": "1", "comment": "Merci Lou"}, final=True)


def agency_appointment(personas):
    from datetime import timedelta

    from django.utils import timezone

    from accueil.queues.models import Appointment

    start = timezone.now() + timedelta(days=1)
    appointment, _ = Appointment.objects.get_or_create(
        office=personas.office,
        code="AUTHZ1",
        defaults={
            "service": personas.service,
            "starts_at": start,
            "ends_at": start + timedelta(minutes=30),
        },
    )
    return appointment


def agency_notice(personas):
    from datetime import timedelta

    from django.utils import timezone

    notice, _ = ServiceNotice.objects.get_or_create(
        office=personas.office,
        text_fr="Fermé.",
        defaults={"text_en": "Closed.", "expires_at": timezone.now() + timedelta(hours=1)},
    )
    return notice


def agency_campaign(personas):
    campaign, _ = Campaign.objects.get_or_create(agency=personas.agency, name="Permis")
    return campaign


def agency_template(personas):
    template, _ = Template.objects.get_or_create(
        agency=personas.agency,
        key="visit.called",
        channel="sms",
        language="fr",
        defaults={"body": "((ticket))"},
    )
    return template


def sign_in(client, user):
    client.post("/fr/login/", {"username": user.username, "password": TEST_PASSWORD})


@pytest.fixture
def owner_token(personas):
    token, _ = do_issue_token(Actor.staff(personas.owner), "owner's")
    return token


def make_route_world():
    """The personas, the owner's token and every object a staff route addresses (``fill``
    makes each once and finds it after), for the three checks run on every staff route."""
    personas = make_personas()
    token, _ = do_issue_token(Actor.staff(personas.owner), "owner's")
    fill(STAFF_ROUTES[0][0], personas, token)
    return personas, token


@pytest.fixture(scope="class")
def route_world_once(django_db_setup, django_db_blocker):
    """Built for the class below, rolled back when its last test ends."""
    with built_once(django_db_blocker, make_route_world) as built:
        yield built


def test_there_are_staff_routes_to_check():
    assert len(STAFF_ROUTES) >= 5


class TestEveryStaffRoute:
    """Three checks on each staff route (about 350 tests). They share one world, built once
    for the class and rolled back after it (tests/moduledata.py); what a test changes is rolled
    back after that test. The tests below this class build their own personas."""

    @pytest.fixture
    def route_world(self, db, route_world_once):
        return route_world_once

    @pytest.mark.parametrize("route,pattern", STAFF_ROUTES, ids=[r for r, _ in STAFF_ROUTES])
    def test_staff_route_refuses_anonymous_users(self, client, route_world, route, pattern):
        personas, owner_token = route_world
        url = fill(route, personas, owner_token)
        for method in (client.get, client.post):
            response = method(url)
            assert response.status_code == 302, url
            assert response["Location"].startswith(reverse("accounts:login"))

    @pytest.mark.parametrize("route,pattern", STAFF_ROUTES, ids=[r for r, _ in STAFF_ROUTES])
    def test_staff_route_refuses_another_agency(self, client, route_world, route, pattern):
        personas, owner_token = route_world
        url = fill(route, personas, owner_token)
        sign_in(client, personas.stranger_admin)  # the most powerful stranger
        if "<" in route.replace("<lang>", ""):
            # Addressing one of our objects: the stranger cannot even learn it exists.
            # 405 for the wrong method reveals nothing; the right method must say 404.
            statuses = {client.get(url).status_code, client.post(url).status_code}
            assert statuses <= {404, 405} and 404 in statuses, (url, statuses)
        else:
            # A page of their own: it must show nothing of ours.
            response = client.get(url)
            # A CSV export streams its rows: read them all.
            body = b"".join(response.streaming_content) if response.streaming else response.content
            page = body.decode()
            assert personas.office.name_fr not in page and personas.service.name_fr not in page

    @pytest.mark.parametrize("route,pattern", STAFF_ROUTES, ids=[r for r, _ in STAFF_ROUTES])
    def test_staff_route_enforces_its_role(self, client, route_world, route, pattern):
        personas, owner_token = route_world
        url = fill(route, personas, owner_token)
        minimum = access_rule(pattern)[1]
        for role, persona in PERSONA_BY_ROLE.items():
            client.post("/fr/logout/")
            sign_in(client, getattr(personas, persona))
            status = client.get(url).status_code
            if ROLE_RANK[role] < ROLE_RANK[Role(minimum)]:
                assert status == 403, (url, role)
            elif persona == "owner" or pattern.name != "revoke-token":
                assert status in (200, 405), (url, role)


def test_colleague_cannot_revoke_the_owners_token(client, personas, owner_token):
    sign_in(client, personas.colleague)
    assert client.post(f"/fr/staff/tokens/{owner_token.id}/revoke/").status_code == 404
    assert ApiToken.objects.get(pk=owner_token.pk).revoked_at is None


# -- the REST API, from its own OpenAPI document ---------------------------------------------


def api_operations(client):
    document = client.get("/api/v1/openapi.json").json()
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            yield method, path, operation


def test_every_api_operation_is_public_on_purpose_or_needs_a_token(client, personas):
    stranger_token = do_issue_token(Actor.staff(personas.stranger), "x")[1]
    visit = do_check_in(personas.office, personas.service)
    checked = 0
    for method, path, operation in api_operations(client):
        url = (
            path.replace("{office}", str(personas.office.id))
            .replace("{desk}", str(personas.desk.id))
            .replace("{visit}", str(visit.id))
            .replace("{reference}", agency_case(personas).reference)
            .replace("{attachment}", str(agency_file(personas).id))
        )
        call = getattr(client, method)
        if "security" not in operation:
            assert (method, path) in PUBLIC_API, f"{method} {path} has no authentication"
            continue
        checked += 1
        assert call(url).status_code == 401, path
        body = {} if method == "get" else {"data": {}, "content_type": "application/json"}
        response = call(url, headers={"authorization": f"Bearer {stranger_token}"}, **body)
        if "{" in path and response.status_code == 400:
            # A body that does not even parse is refused before the object is looked up: the
            # same answer for one that does not exist, so it says nothing about ours.
            nothing = re.sub(r"\{\w+\}", "00000000-0000-0000-0000-000000000000", path)
            elsewhere = call(nothing, headers={"authorization": f"Bearer {stranger_token}"}, **body)
            assert response.content == elsewhere.content, path
        elif "{" in path:
            assert response.status_code in (403, 404), (path, response.content)
    assert checked >= 8


# -- the Django admin, scoped to the administrator's agency -------------------------------------


def admin_objects(personas, owner_token):
    category = Category.objects.create(
        agency=personas.agency, slug="c", name_fr="Cat", name_en="Cat"
    )
    holiday = Holiday.objects.create(
        agency=personas.agency, date="2026-07-01", name_fr="Fête", name_en="Day"
    )
    webhook = WebhookEndpoint.objects.create(
        agency=personas.agency, name="Permis", url="https://hooks.example.ca/in"
    )
    # A number no page holds by chance: the test looks for the key in the other admin's pages.
    hours, _ = OpeningHours.objects.get_or_create(
        id=7_350_912, office=personas.office, weekday=0, opens="08:30", closes="16:30"
    )
    from accueil.cases.models import MailAddress, ReplyTemplate, RoutingRule, Team

    team, _ = Team.objects.get_or_create(
        agency=personas.agency, slug="voirie", defaults={"name_fr": "V", "name_en": "R"}
    )
    rule, _ = RoutingRule.objects.get_or_create(agency=personas.agency, team=team, position=1)
    reply, _ = ReplyTemplate.objects.get_or_create(
        agency=personas.agency,
        slug="merci",
        defaults={"title_fr": "M", "title_en": "T", "body_fr": "M", "body_en": "T"},
    )
    receiving, _ = MailAddress.objects.get_or_create(
        address="requetes@authz.example",
        defaults={"agency": personas.agency, "service": personas.service},
    )
    from accueil.feedback.models import Survey, ThemeRule

    survey, _ = Survey.objects.get_or_create(
        agency=personas.agency, kind="custom", title_fr="Sondage", title_en="Survey"
    )
    theme, _ = ThemeRule.objects.get_or_create(
        agency=personas.agency, code="attente", defaults={"label_fr": "A", "label_en": "W"}
    )
    return [
        survey,
        theme,
        team,
        rule,
        reply,
        receiving,
        personas.desk,
        hours,
        personas.agency,
        personas.office,
        personas.service,
        category,
        holiday,
        personas.owner,
        owner_token,
        agency_message(personas),
        agency_template(personas),
        webhook,
    ]


def admin_urls(obj):
    meta = obj._meta
    changelist = reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")
    change = reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk])
    return changelist, change


def test_every_registered_admin_model_is_checked(personas, owner_token):
    checked = {type(obj) for obj in admin_objects(personas, owner_token)}
    assert set(admin.site._registry) == checked | OPERATOR_ONLY


def test_login_logs_are_for_platform_operators_only(client, personas):
    sign_in(client, personas.admin)
    for model in OPERATOR_ONLY:
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        assert client.get(url).status_code == 403


def test_admin_refuses_anonymous_users_and_agents(client, personas, owner_token):
    for obj in admin_objects(personas, owner_token):
        for url in admin_urls(obj):
            assert client.get(url).status_code == 302
    sign_in(client, personas.owner)
    for obj in admin_objects(personas, owner_token)[:1]:
        for url in admin_urls(obj):
            response = client.get(url)
            assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_admin_of_another_agency_sees_nothing_of_ours(client, personas, owner_token):
    objects = admin_objects(personas, owner_token)
    sign_in(client, personas.stranger_admin)
    for obj in objects:
        changelist, change = admin_urls(obj)
        assert str(obj.pk) not in client.get(changelist).content.decode()
        response = client.get(change)
        assert response.status_code == 302, change  # "does not exist", back to the index
        assert client.post(change, {"name_fr": "hacked"}).status_code in (302, 403)


def test_agency_admin_manages_their_own_agency(client, personas, owner_token):
    objects = admin_objects(personas, owner_token)
    sign_in(client, personas.admin)
    for obj in objects:
        changelist, change = admin_urls(obj)
        assert client.get(changelist).status_code == 200
        assert client.get(change).status_code == 200, change
    form = client.get(admin_urls(personas.service)[1]).content.decode()
    assert personas.stranger_office.name_fr not in form  # choices are scoped too


def test_admin_changes_to_inlines_are_recorded_as_events(client, personas):
    from accueil.core.events import events_for

    sign_in(client, personas.admin)
    url = admin_urls(personas.office)[1]
    page = client.get(url)
    form = page.context["adminform"].form
    data = {name: form[name].value() or "" for name in form.fields}
    data["active"] = "on"
    for formset in page.context["inline_admin_formsets"]:
        management = formset.formset.management_form
        prefix = formset.formset.prefix
        for name in management.fields:
            data[f"{prefix}-{name}"] = management[name].value()
        for index, inline_form in enumerate(formset.formset.forms):
            for name in inline_form.fields:
                value = inline_form[name].value()
                if value is not None and value is not False:
                    data[f"{prefix}-{index}-{name}"] = (
                        [str(v) for v in value] if isinstance(value, list) else str(value)
                    )
    data["opening_hours-0-closes"] = "16:00"
    response = client.post(url, data)
    assert response.status_code == 302, response.context and response.context["errors"]
    event = events_for(personas.office).get()
    assert event.verb == "office.updated"
    assert event.data["inlines"] == ["openinghours"]
    assert event.agency == personas.agency


# -- requests (cases): every endpoint × every role × own / colleague's / another agency's -----
#
# The citizen holds the secret of the owner's request (``agency_case``); with it they try the
# colleague's and the other agency's too. Staff use bearer tokens. Whoever may not see a
# request gets the 404 an unknown reference gets, whatever they hold.

CASE_ROLES = [
    "anonymous",
    "citizen",
    "owner",
    "colleague",
    "supervisor",
    "admin",
    "stranger",
    "stranger admin",
]
CASE_TARGETS = ["own", "colleague's", "another agency's"]
OUR_STAFF = {"owner", "colleague", "supervisor", "admin"}
THEIR_STAFF = {"stranger", "stranger admin"}


def case_target(personas, target):
    return {
        "own": agency_case,
        "colleague's": colleague_case,
        "another agency's": stranger_case,
    }[target](personas)


def as_role(personas, role):
    """(headers, query) for one role; tokens are issued once per test and user."""
    users = {
        "owner": personas.owner,
        "colleague": personas.colleague,
        "supervisor": personas.supervisor,
        "admin": personas.admin,
        "stranger": personas.stranger,
        "stranger admin": personas.stranger_admin,
    }
    if role == "anonymous":
        return {}, {}
    if role == "citizen":
        return {}, {"secret": agency_case(personas).tracking_secret}
    tokens = personas.__dict__.setdefault("tokens", {})
    if role not in tokens:
        tokens[role] = do_issue_token(Actor.staff(users[role]), "authz")[1]
    return {"authorization": f"Bearer {tokens[role]}"}, {}


def may_read(role, target):
    if role == "citizen":
        return target == "own"
    if role in OUR_STAFF:
        return target in ("own", "colleague's")
    if role in THEIR_STAFF:
        return target == "another agency's"
    return False


def not_found_alike(response, unknown):
    assert response.status_code == unknown.status_code == 404, response.content
    assert response.json() == unknown.json()


@pytest.mark.parametrize("target", CASE_TARGETS)
@pytest.mark.parametrize("role", CASE_ROLES)
def test_case_api_read_is_for_its_office_or_its_secret(client, personas, role, target):
    case = case_target(personas, target)
    headers, query = as_role(personas, role)
    response = client.get(f"/api/v1/cases/{case.reference}", query, headers=headers)
    if may_read(role, target):
        assert response.status_code == 200, response.content
        assert response.json()["reference"] == case.reference
    else:
        unknown = client.get("/api/v1/cases/R-2026-AAAAAA", query, headers=headers)
        not_found_alike(response, unknown)


@pytest.mark.parametrize("target", CASE_TARGETS)
@pytest.mark.parametrize("role", CASE_ROLES)
def test_case_api_downloads_only_for_whoever_may_see_the_file(client, personas, role, target):
    from accueil.cases.models import Attachment

    case = case_target(personas, target)
    public = Attachment.objects.create(
        case=case, name="p.txt", kind="text", content_type="text/plain", size=1, data=b"p"
    )
    internal = Attachment.objects.create(
        case=case,
        name="i.txt",
        kind="text",
        content_type="text/plain",
        size=1,
        data=b"i",
        public=False,
    )
    headers, query = as_role(personas, role)
    base = f"/api/v1/cases/{case.reference}/attachments"
    for file in (public, internal):
        response = client.get(f"{base}/{file.id}", query, headers=headers)
        allowed = may_read(role, target) and (file.public or role != "citizen")
        if allowed:
            assert response.status_code == 200 and response.content == bytes(file.data)
            assert response["Content-Disposition"].startswith("attachment")
        else:
            unknown = client.get(f"{base}/{Case().id}", query, headers=headers)
            not_found_alike(response, unknown)


STAFF_CHANGES = {
    "assign": {"assignee": None},
    "reply": {"body": "Bonjour, nous nous en occupons."},
    "notes": {"body": "Note interne."},
    "status": {"status": "acknowledged"},
}


@pytest.mark.parametrize("change", sorted(STAFF_CHANGES))
@pytest.mark.parametrize("target", CASE_TARGETS)
@pytest.mark.parametrize("role", CASE_ROLES)
def test_case_api_changes_are_for_staff_of_its_office_and_a_refusal_changes_nothing(
    client, personas, role, target, change
):
    case = case_target(personas, target)
    before = Case.objects.values().get(pk=case.pk)
    messages = case.messages.count()
    headers, query = as_role(personas, role)
    query_string = f"?secret={query['secret']}" if query else ""
    response = client.post(
        f"/api/v1/cases/{case.reference}/{change}{query_string}",
        STAFF_CHANGES[change],
        content_type="application/json",
        headers=headers,
    )
    if role in ("anonymous", "citizen"):
        assert response.status_code == 401  # a tracking secret is no staff token
    elif may_read(role, target):
        assert response.status_code == 200, response.content
        return
    else:
        assert response.status_code == 404
    assert Case.objects.values().get(pk=case.pk) == before
    assert case.messages.count() == messages


@pytest.mark.parametrize("target", CASE_TARGETS)
@pytest.mark.parametrize("role", CASE_ROLES)
def test_case_api_file_uploads_only_by_whoever_may_see_the_request(client, personas, role, target):
    import io

    case = case_target(personas, target)
    headers, query = as_role(personas, role)
    upload = io.BytesIO(b"Un plan du quartier.\n")
    upload.name = "plan.txt"
    from accueil.cases.models import CaseSettings

    CaseSettings.objects.filter(service=case.service).update(attachment_kinds=["text"])
    query_string = f"?secret={query['secret']}" if query else ""
    response = client.post(
        f"/api/v1/cases/{case.reference}/attachments{query_string}",
        {"body": "Voici un fichier.", "files": [upload]},
        headers=headers,
    )
    if may_read(role, target):
        assert response.status_code == 201, response.content
    else:
        assert response.status_code == 404, response.content
        assert not case.attachments.exists()


@pytest.mark.parametrize("role", CASE_ROLES)
def test_case_api_list_and_search_never_cross_agencies(client, personas, role):
    ours = [agency_case(personas), colleague_case(personas)]
    theirs = stranger_case(personas)
    headers, _query = as_role(personas, role)
    queries = ["", "q=lampadaire", "q=Cartier", "view=open", "view=unassigned"]
    queries += [f"q={case.reference}" for case in [*ours, theirs]]
    for query in queries:
        response = client.get(f"/api/v1/cases?{query}", headers=headers)
        if role in ("anonymous", "citizen"):
            assert response.status_code == 401
            continue
        found = {row["reference"] for row in response.json()["items"]}
        visible = {c.reference for c in ours} if role in OUR_STAFF else {theirs.reference}
        assert found <= visible, (query, found)
        if query in ("", "q=lampadaire", "q=Cartier"):
            assert found == visible, (query, found)


def neighbours(reference):
    """References one letter away from a real one: what someone guessing would try first."""
    from accueil.cases.actions import REFERENCE_ALPHABET

    head, last = reference[:-1], reference[-1]
    at = REFERENCE_ALPHABET.index(last)
    return [head + REFERENCE_ALPHABET[(at + step) % len(REFERENCE_ALPHABET)] for step in (1, -1)]


@pytest.mark.parametrize("role", CASE_ROLES)
def test_case_api_guessing_references_or_secrets_finds_nothing(client, personas, role):
    case = agency_case(personas)
    other = colleague_case(personas)
    headers, query = as_role(personas, role)
    unknown = client.get("/api/v1/cases/R-2026-AAAAAA", query, headers=headers)
    for guess in neighbours(case.reference):
        if Case.objects.filter(reference=guess).exists():
            continue
        not_found_alike(client.get(f"/api/v1/cases/{guess}", query, headers=headers), unknown)
    # The secret of one request opens no other, and a near-miss opens nothing.
    for reference, secret in (
        (other.reference, case.tracking_secret),
        (case.reference, other.tracking_secret),
        (
            case.reference,
            case.tracking_secret[:-1] + ("A" if case.tracking_secret[-1] != "A" else "B"),
        ),
        (case.reference, case.tracking_secret.lower()),
    ):
        if secret == case.tracking_secret and reference == case.reference:
            continue
        response = client.get(f"/api/v1/cases/{reference}", {"secret": secret})
        not_found_alike(response, client.get("/api/v1/cases/R-2026-AAAAAA", {"secret": secret}))


def test_case_pages_with_another_requests_secret_are_not_found(client, personas):
    """The tracking pages, by URL: another request's secret, or a neighbouring reference."""
    case, other = agency_case(personas), colleague_case(personas)
    urls = [
        f"/fr/track/{case.reference}/{other.tracking_secret}/",
        f"/fr/track/{other.reference}/{case.tracking_secret}/",
        f"/fr/track/{case.reference}/{other.tracking_secret}/files/{agency_file(personas).id}/",
        *(f"/fr/track/{guess}/{case.tracking_secret}/" for guess in neighbours(case.reference)),
    ]
    for url in urls:
        assert client.get(url).status_code == 404, url
        assert client.post(url.rstrip("/") + "/reply/", {"body": "x"}).status_code == 404, url
    assert not case.messages.exists() and not other.messages.exists()
