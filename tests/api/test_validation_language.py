"""Validation details say what is wrong in the caller's language, never Pydantic's English."""

from typing import Literal
from uuid import UUID

import pytest
from django.utils import translation
from pydantic import BaseModel, ConfigDict, Field
from pydantic import ValidationError as PydanticError

from accueil.api.errors import _problem
from tests.api.test_api import bearer


class Sample(BaseModel):
    model_config = ConfigDict(extra="forbid")
    required: str
    short: str = Field("", max_length=3)
    count: int = 0
    small: int = Field(0, le=5)
    ident: UUID | None = None
    language: Literal["fr", "en"] = "fr"
    items: list[int] = Field(default_factory=list, max_length=2)
    flag: bool = False
    when: str = ""


BAD = {
    "short": "abcdef",
    "count": "many",
    "small": 9,
    "ident": "not-a-uuid",
    "language": "de",
    "items": [1, 2, 3],
    "flag": "perhaps",
    "surprise": 1,
}


def errors():
    with pytest.raises(PydanticError) as caught:
        Sample.model_validate(BAD)
    return caught.value.errors()


def test_every_common_pydantic_error_is_said_in_french_and_english():
    found = errors()
    kinds = {error["type"] for error in found}
    assert {
        "missing",
        "string_too_long",
        "int_parsing",
        "less_than_equal",
        "uuid_parsing",
        "literal_error",
        "too_long",
        "bool_parsing",
        "extra_forbidden",
    } <= kinds
    for error in found:
        with translation.override("fr"):
            french = _problem(error)
        with translation.override("en"):
            english = _problem(error)
        assert french != error["msg"] and english != error["msg"], error
        assert french != english, (error["type"], french)
    by_type = {error["type"]: error for error in found}
    with translation.override("fr"):
        assert _problem(by_type["string_too_long"]) == (
            "Ce texte est trop long\u00a0: au plus 3 caractères."
        )
        assert _problem(by_type["literal_error"]) == (
            "Cette valeur ne fait pas partie des choix permis\u00a0: fr, en."
        )
        assert _problem(by_type["int_parsing"]) == "Un nombre entier est attendu."


def test_an_api_call_in_french_gets_french_details(client, personas):
    response = client.post(
        f"/api/v1/offices/{personas.office.id}/visits",
        {"service": "not-a-uuid", "phone": "1" * 41, "language": "de"},
        content_type="application/json",
        headers={**bearer(personas.owner), "accept-language": "fr"},
    )
    assert response.status_code == 400
    details = {item["field"]: item["problem"] for item in response.json()["error"]["details"]}
    assert details["service"] == "Cet identifiant n’est pas valide."
    assert details["phone"] == "Ce texte est trop long\u00a0: au plus 40 caractères."
    assert details["language"].startswith("Cette valeur ne fait pas partie des choix permis")
    english = client.post(
        f"/api/v1/offices/{personas.office.id}/visits",
        {"service": str(personas.service.id), "phone": "1" * 41},
        content_type="application/json",
        headers={**bearer(personas.owner), "accept-language": "en"},
    )
    problems = [item["problem"] for item in english.json()["error"]["details"]]
    assert problems == ["This text is too long: at most 40 characters."]
