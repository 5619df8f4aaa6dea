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
from accueil.cases.models import ReplyTemplate, RoutingRule, Team
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
from tests.factories import TEST_PASSWORD
from tests.routes import access_rule, page_routes

STAFF_ROUTES = [
    (route, pattern) for route, pattern in page_routes() if access_rule(pattern)[0] == "staff"
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
        "file_id": agency_case(personas).attachments.get().id,
    }

    def value(match):
        return str(objects[match.group(1)])

    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", value, route.replace("<lang>", "fr"))


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


def agency_case(personas):
    """A request at the owner's office, with one file."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from accueil.cases.actions import do_open_case
    from accueil.cases.intake import Intake
    from accueil.cases.models import Case, CaseSettings

    found = Case.objects.filter(office=personas.office).first()
    if found is not None:
        return found
    CaseSettings.objects.get_or_create(
        service=personas.service, defaults={"office": personas.office}
    )
    from tests.cases.test_workspace import PNG

    photo = SimpleUploadedFile("trou.png", PNG, content_type="image/png")
    return do_open_case(
        Actor.staff(personas.owner),
        service=personas.service,
        channel="phone",
        intake=Intake(description="Lampadaire éteint.", language="fr"),
        files=[photo],
    )


def owner_session(personas):
    session = DeskSession.objects.filter(desk=personas.desk, closed_at=None).first()
    return session or do_open_desk(personas.desk, personas.owner, [personas.service])


def agency_visit(personas):
    visit = Visit.objects.filter(office=personas.office).first()
    return visit or do_check_in(personas.office, personas.service)


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


def test_there_are_staff_routes_to_check():
    assert len(STAFF_ROUTES) >= 5


@pytest.mark.parametrize("route,pattern", STAFF_ROUTES, ids=[r for r, _ in STAFF_ROUTES])
def test_staff_route_refuses_anonymous_users(client, personas, owner_token, route, pattern):
    url = fill(route, personas, owner_token)
    for method in (client.get, client.post):
        response = method(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("route,pattern", STAFF_ROUTES, ids=[r for r, _ in STAFF_ROUTES])
def test_staff_route_refuses_another_agency(client, personas, owner_token, route, pattern):
    url = fill(route, personas, owner_token)
    sign_in(client, personas.stranger_admin)  # the most powerful stranger
    if "<" in route.replace("<lang>", ""):
        # Addressing one of our objects: the stranger cannot even learn it exists.
        # 405 for the wrong method reveals nothing; the right method must say 404.
        statuses = {client.get(url).status_code, client.post(url).status_code}
        assert statuses <= {404, 405} and 404 in statuses, (url, statuses)
    else:
        # A page of their own: it must show nothing of ours.
        page = client.get(url).content.decode()
        assert personas.office.name_fr not in page and personas.service.name_fr not in page


@pytest.mark.parametrize("route,pattern", STAFF_ROUTES, ids=[r for r, _ in STAFF_ROUTES])
def test_staff_route_enforces_its_role(client, personas, owner_token, route, pattern):
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
        )
        call = getattr(client, method)
        if "security" not in operation:
            assert (method, path) in PUBLIC_API, f"{method} {path} has no authentication"
            continue
        checked += 1
        assert call(url).status_code == 401, path
        body = {} if method == "get" else {"data": {}, "content_type": "application/json"}
        response = call(url, headers={"authorization": f"Bearer {stranger_token}"}, **body)
        if "{" in path:
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
    team, _ = Team.objects.get_or_create(
        agency=personas.agency, slug="t", defaults={"name_fr": "Équipe", "name_en": "Team"}
    )
    rule, _ = RoutingRule.objects.get_or_create(agency=personas.agency, position=1, team=team)
    reply, _ = ReplyTemplate.objects.get_or_create(
        agency=personas.agency,
        slug="r",
        defaults={"title_fr": "T", "title_en": "T", "body_fr": "B", "body_en": "B"},
    )
    return [
        team,
        rule,
        reply,
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
