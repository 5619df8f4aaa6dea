"""The one phone normaliser: every usual way of writing a number, or a refusal with a code."""

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from accueil.lib.contact import PHONE_CODES, PhoneError, normalise_phone, phone_key

CORPUS = json.loads(
    (Path(__file__).parents[1] / "security" / "corpus" / "phones.json").read_text("utf-8")
)


@pytest.mark.parametrize(("text", "expected"), CORPUS["accepted"].items())
def test_usual_ways_of_writing_a_number_give_one_e164_form(text, expected):
    assert normalise_phone(text) == expected


@pytest.mark.parametrize(("text", "code"), CORPUS["refused"].items())
def test_what_is_not_a_reachable_number_is_refused_with_a_code(text, code):
    with pytest.raises(PhoneError) as error:
        normalise_phone(text)
    assert error.value.code == code
    assert code in PHONE_CODES


def test_the_default_region_is_canada_and_can_be_changed():
    assert normalise_phone("01 23 45 67 89", region="FR") == "+33123456789"
    with pytest.raises(PhoneError):
        normalise_phone("01 23 45 67 89")


def test_the_matching_key_is_e164_and_falls_back_to_bare_digits():
    assert phone_key("(613) 555-0111") == phone_key("+1 613 555 0111") == "+16135550111"
    assert phone_key("12345") == "+12345"  # a short code still matches itself


@given(st.text(max_size=80))
def test_any_text_gives_e164_or_a_known_code(text):
    try:
        number = normalise_phone(text)
    except PhoneError as error:
        assert error.code in PHONE_CODES
    else:
        assert number.startswith("+") and number[1:].isdigit() and number.isascii()
        assert len(number) <= 16  # E.164: at most 15 digits
