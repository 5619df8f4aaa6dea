"""The CSV exports: the A-11 layout column by column, UTF-8 with a BOM, and every formula-looking
comment written as text (the payloads of tests/security/corpus/spreadsheet.json)."""

import csv
import io
import json
from pathlib import Path

import pytest
from django.utils import translation

from accueil.core.actors import Actor
from accueil.feedback.exports import A11_HEAD, VERBATIM_HEAD
from accueil.feedback.models import Response
from accueil.feedback.reporting_actions import (
    do_flag,
    do_install_default_themes,
    do_redact,
    do_reread_comments,
)
from tests.feedback.reporting_world import NOV, answer, make_world, serve
from tests.moduledata import built_once

CORPUS = Path(__file__).parents[1] / "security" / "corpus"
SPREADSHEET = json.loads((CORPUS / "spreadsheet.json").read_text(encoding="utf-8"))["payloads"]
XSS = json.loads((CORPUS / "xss.json").read_text(encoding="utf-8"))["payloads"]

A11_ANSWER_COLUMNS = [
    "trust_1", "trust_0",
    "positive_effectiveness", "positive_ease", "positive_efficiency", "positive_transparency",
    "positive_humanity", "positive_employee",
    "negative_effectiveness", "negative_ease", "negative_efficiency", "negative_transparency",
    "negative_humanity", "negative_employee",
]  # fmt: skip


@pytest.fixture(scope="module")
def november(django_db_setup, django_db_blocker):
    with built_once(django_db_blocker, make_world) as world:
        yield world


@pytest.fixture
def world(db, november):
    return november


def download(client, user, path):
    client.force_login(user)
    response = client.get(path)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment; filename=")
    data = b"".join(response.streaming_content)
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(data.decode("utf-8")[1:], newline="")))


def test_the_a11_export_has_the_a11_columns_and_the_hand_computed_figures(client, world):
    rows = download(
        client, world.supervisor, "/en/staff/feedback/a11.csv?period=month&on=2026-11-03"
    )
    head, *body = rows
    assert head == A11_HEAD + A11_ANSWER_COLUMNS
    by_key = {(r[1], r[2], r[3]): dict(zip(head, r, strict=True)) for r in body}
    assert set(by_key) == {
        ("Parcs", "Ouest", "in_person"),
        ("Permis", "Est", "in_person"),
        ("Permis", "Est", "web"),
        ("Permis", "Ouest", "in_person"),
        ("Taxes", "Est", "in_person"),
    }
    est = by_key[("Permis", "Est", "in_person")]
    assert est["organization"] == "City of Lévis"
    assert (est["period"], est["period_start"], est["period_end"]) == (
        "2026-11", "2026-11-01", "2026-11-30",
    )  # fmt: skip
    assert (
        est["volume_of_customers"],
        est["volume_of_customers_provided_survey_opportunity"],
        est["volume_of_respondents"],
        est["response_rate"],
    ) == ("4", "4", "3", "0.75")
    assert (est["trust_1"], est["trust_0"]) == ("2", "1")
    assert (est["positive_ease"], est["positive_efficiency"]) == ("2", "1")
    assert (est["negative_efficiency"], est["negative_humanity"]) == ("1", "1")
    assert est["positive_employee"] == "0"
    web = by_key[("Permis", "Est", "web")]
    assert (web["positive_effectiveness"], web["positive_employee"]) == ("1", "1")
    taxes = by_key[("Taxes", "Est", "in_person")]
    assert (taxes["volume_of_customers"], taxes["response_rate"]) == ("3", "")


def test_the_seven_driver_export_counts_each_point(client, world):
    path = f"/fr/staff/feedback/a11.csv?period=month&on=2026-11-03&survey={world.drivers.pk}"
    head, *body = download(client, world.supervisor, path)
    assert head[len(A11_HEAD) : len(A11_HEAD) + 5] == [f"satisfaction_{p}" for p in range(1, 6)]
    parcs = next(dict(zip(head, r, strict=True)) for r in body if r[1] == "Parcs")
    assert [parcs[f"satisfaction_{p}"] for p in range(1, 6)] == ["0", "1", "0", "1", "1"]
    assert parcs["trust_3"] == "1"


@pytest.mark.parametrize("payload", SPREADSHEET + XSS[:3])
def test_a_comment_that_looks_like_a_formula_is_exported_as_text(client, world, payload):
    _visit, invitation = serve(world, world.est, world.permis, NOV)
    answer(invitation, NOV, trust="1", comment=payload)
    rows = download(
        client, world.supervisor, "/en/staff/feedback/comments.csv?period=month&on=2026-11-03"
    )
    assert rows[0] == VERBATIM_HEAD
    stored = invitation.response.comment  # as the survey kept it (trimmed of outer spaces)
    exported = [r[-1] for r in rows[1:] if r[-1].lstrip("'") == stored]
    assert len(exported) == 1
    cell = exported[0]
    first = cell.lstrip(" ")[:1]
    assert first not in ("=", "+", "-", "@", "\t", "\r")
    if stored.lstrip()[:1] in ("=", "+", "-", "@"):
        assert cell == "'" + stored


def test_the_comments_export_names_themes_flags_and_who_served(client, world):
    do_install_default_themes(world.agency)
    supervisor = Actor.staff(world.supervisor)
    do_reread_comments(supervisor)
    first = Response.objects.get(comment__contains="Accueil chaleureux")
    do_flag(supervisor, first)
    do_redact(supervisor, first, "418 555 0199")
    with translation.override("en"):
        rows = download(
            client, world.supervisor, "/en/staff/feedback/comments.csv?period=month&on=2026-11-03"
        )
    head, *body = rows
    found = next(dict(zip(head, r, strict=True)) for r in body if "chaleureux" in r[-1])
    assert found["themes"] == "wait; courtesy"
    assert (found["flagged"], found["personal_information_removed"]) == ("yes", "yes")
    assert found["served_by"] == "ana"
    assert found["comment"].endswith("Appelez-moi au […].")
    assert found["submitted_at"] == "2026-11-10T10:00:00-05:00"
