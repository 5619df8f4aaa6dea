"""Bad input never reaches a 500 in the API, and every error has the contract's one shape."""

import json
from pathlib import Path

import pytest
from django.conf import settings as django_settings

from accueil.queues.models import Visit
from tests.api.test_api import bearer

CORPUS = json.loads((Path(__file__).parent / "corpus" / "api_input.json").read_text("utf-8"))
ERROR_KEYS = {"code", "message", "details"}


def assert_error_shape(response, status, code):
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}
    assert {"code", "message"} <= set(body["error"]) <= ERROR_KEYS
    assert body["error"]["code"] == code
    assert body["error"]["message"]
    for detail in body["error"].get("details", []):
        assert set(detail) == {"field", "problem"}
    return body["error"]


# -- path ids that are not UUIDs: 404, like an id that names nothing ---------------------------

PATHS = [
    ("get", "/api/v1/offices/{}/board", False),
    ("post", "/api/v1/offices/{}/visits", False),
    ("get", "/api/v1/visits/{}", False),
    ("post", "/api/v1/visits/{}/cancel", False),
    ("get", "/api/v1/offices/{}/desks", True),
    ("post", "/api/v1/desks/{}/call-next", True),
    ("post", "/api/v1/visits/{}/start", True),
    ("post", "/api/v1/visits/{}/transfer", True),
]


@pytest.mark.parametrize("value", CORPUS["malformed_path_ids"])
@pytest.mark.parametrize(("method", "template", "staff"), PATHS)
def test_a_path_id_that_is_not_a_uuid_is_not_found(
    client, personas, method, template, staff, value
):
    headers = {"accept-language": "en", **(bearer(personas.owner) if staff else {})}
    body = {"service": str(personas.service.id)}
    call = getattr(client, method)
    if method == "post":
        response = call(
            template.format(value), body, content_type="application/json", headers=headers
        )
    else:
        response = call(template.format(value), headers=headers)
    error = assert_error_shape(response, 404, "not_found")
    assert error["message"] == "Nothing was found at this address."


# -- bodies over DATA_UPLOAD_MAX_MEMORY_SIZE: 413 in the contract's shape, never 500 -----------


@pytest.mark.parametrize("debug", [False, True])
@pytest.mark.parametrize("case", CORPUS["oversized_bodies"], ids=lambda c: c["content_type"])
def test_a_body_over_the_upload_limit_is_413_in_the_callers_language(
    client, personas, settings, case, debug
):
    settings.DEBUG = debug  # ninja answers a 500 with a traceback for unhandled errors in DEBUG
    size = django_settings.DATA_UPLOAD_MAX_MEMORY_SIZE + case["bytes_over_limit"]
    if case["content_type"] == "application/json":
        padding = "x" * size
        data = json.dumps({"service": str(personas.service.id), "email": padding})
    elif case["content_type"].startswith("multipart/"):
        # Files may be larger (core/uploads.py); a form field over the limit may not.
        field = 'Content-Disposition: form-data; name="a"'
        data = f"--x\r\n{field}\r\n\r\n{'x' * size}\r\n--x--\r\n"
    else:
        data = "a=" + "x" * size
    url = f"/api/v1/offices/{personas.office.id}/visits"
    english = client.post(
        url, data, content_type=case["content_type"], headers={"accept-language": "en"}
    )
    assert_error_shape(english, 413, "too_large")
    assert english.json()["error"]["message"] == "The request is too large."
    french = client.post(
        url, data, content_type=case["content_type"], headers={"accept-language": "fr"}
    )
    assert french.json()["error"]["message"] == "La requête est trop volumineuse."
    assert Visit.objects.count() == 0


def test_a_nul_byte_in_the_query_is_a_400_in_the_contract_shape(client, db):
    assert_error_shape(client.get("/api/v1/offices?x=%00"), 400, "bad_request")


# -- one shape for validation errors and business errors --------------------------------------


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"service": "not-a-uuid"}, "service"),
        ({"phone": "call me"}, "phone"),
        ({"phone": "555-01"}, "phone"),
        ({"email": "nobody@"}, "email"),
        ({"needs": ["vip"]}, "needs.0"),
        ({"language": "de"}, "language"),
        ({"service": "00000000-0000-0000-0000-000000000000"}, "service"),  # a business rule
    ],
)
def test_validation_and_business_errors_name_the_field_in_details(client, personas, body, field):
    payload = {"service": str(personas.service.id), **body}
    response = client.post(
        f"/api/v1/offices/{personas.office.id}/visits",
        payload,
        content_type="application/json",
        headers={"accept-language": "en"},
    )
    error = assert_error_shape(response, 400, "invalid")
    assert [d["field"] for d in error["details"]] == [field]


def test_a_missing_body_names_the_missing_field(client, personas):
    response = client.post(
        f"/api/v1/offices/{personas.office.id}/visits", {}, content_type="application/json"
    )
    error = assert_error_shape(response, 400, "invalid")
    assert [d["field"] for d in error["details"]] == ["service"]
    assert error["details"][0]["problem"] == "Ce champ est obligatoire."


def test_problems_are_in_the_callers_language_not_pydantics_english(client, personas):
    url = f"/api/v1/offices/{personas.office.id}/visits"
    answers = {
        language: client.post(
            url,
            {"service": "x", "language": "de"},
            content_type="application/json",
            headers={"accept-language": language},
        ).json()["error"]
        for language in ("fr", "en")
    }
    assert {d["problem"] for d in answers["en"]["details"]} == {
        "This is not a valid identifier.",
        "This value is not one of the allowed choices: fr, en.",  # the choices, named
    }
    assert {d["problem"] for d in answers["fr"]["details"]} == {
        "Cet identifiant n’est pas valide.",
        "Cette valeur ne fait pas partie des choix permis\u00a0: fr, en.",
    }


def test_a_transfer_to_a_desk_of_another_office_names_the_desk(client, personas):
    from accueil.queues.actions import do_call_next, do_open_desk, do_take_ticket
    from tests.factories import DeskFactory

    visit, _guess = do_take_ticket(personas.office, personas.service)
    do_open_desk(personas.desk, personas.owner, [])
    do_call_next(personas.desk)
    elsewhere = DeskFactory(office=personas.other_office, label="9")
    response = client.post(
        f"/api/v1/visits/{visit.id}/transfer",
        {"desk": str(elsewhere.id)},
        content_type="application/json",
        headers=bearer(personas.owner),
    )
    error = assert_error_shape(response, 400, "invalid")
    assert error["details"] == [{"field": "desk", "problem": error["message"]}]


def test_the_openapi_error_schema_declares_the_optional_details(client, db):
    document = client.get("/api/v1/openapi.json").json()
    schemas = document["components"]["schemas"]
    body = schemas["ErrorBody"]
    assert body["required"] == ["code", "message"]
    assert body["properties"]["details"]["items"] == {"$ref": "#/components/schemas/ErrorDetail"}
    assert body["additionalProperties"] is False  # no stray top-level "field"
    assert set(schemas["ErrorDetail"]["required"]) == {"field", "problem"}
