"""Issue 11, Done-when 1: each way in — the public web form, an agent's phone intake, the REST
API — opens a request that staff then find through the REST API and in the workspace list,
and whose citizen can follow it."""

import pytest

from accueil.cases.models import Case
from accueil.core.capabilities import secret_for
from tests.api.test_api import bearer
from tests.pagecheck import CheckingClient


def web_form(world):
    response = CheckingClient().post(
        "/fr/requests/voirie/",
        {"description": "Nid-de-poule (formulaire).", "q_size": "large", "email": "a@example.org"},
        REMOTE_ADDR="203.0.113.21",
    )
    assert response.status_code == 302, response.content.decode()[:500]
    return "formulaire"


def staff_intake(world):
    agent = CheckingClient()
    agent.force_login(world.agents[0])
    response = agent.post(
        "/fr/cases/new/?service=voirie",
        {
            "channel": "phone",
            "language": "fr",
            "description": "Nid-de-poule (téléphone).",
            "name": "Sam Lee",
            "answer_size": "small",
        },
    )
    assert response.status_code == 302, response.content.decode()[:500]
    return "téléphone"


def rest_api(world):
    response = CheckingClient().post(
        "/api/v1/cases",
        {
            "service": "voirie",
            "description": "Nid-de-poule (API).",
            "language": "fr",
            "contact": {"name": "Léa", "email": "b@example.org"},
            "fields": {"size": "large"},
        },
        content_type="application/json",
        REMOTE_ADDR="203.0.113.22",
    )
    assert response.status_code == 201, response.content
    assert response.json()["tracking_url"].startswith("http")
    return "API"


@pytest.mark.parametrize("path", [web_form, staff_intake, rest_api], ids=lambda p: p.__name__)
def test_each_way_in_opens_a_request_staff_find_by_api_and_in_the_workspace(world, path):
    marker = path(world)
    case = Case.objects.get(description__contains=f"({marker})")
    api = CheckingClient()
    staff = api.get(f"/api/v1/cases/{case.reference}", headers=bearer(world.agents[1]))
    assert staff.status_code == 200 and staff.json()["reference"] == case.reference
    listed = api.get("/api/v1/cases?view=all", headers=bearer(world.agents[1]))
    assert case.reference in listed.content.decode()
    workspace = CheckingClient()
    workspace.force_login(world.agents[1])
    page = workspace.get("/fr/cases/?view=all")
    assert case.reference in page.content.decode()
    # The citizen follows it with the secret their link carries; without it, nothing.
    secret = secret_for("case", case.id)
    assert api.get(f"/api/v1/cases/{case.reference}?secret={secret}").status_code == 200
    assert api.get(f"/api/v1/cases/{case.reference}").status_code == 404
    assert CheckingClient().get(f"/fr/track/{case.reference}/{secret}/").status_code == 200
