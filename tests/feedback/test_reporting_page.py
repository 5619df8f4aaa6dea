"""The supervisor's feedback page: figures in each language's number format, filters as a GET
form, comments with flag and redact forms (CSRF), scoped to the supervisor's offices."""

import pytest
from django.test import Client

from accueil.core.actors import Actor
from accueil.core.models import Event
from accueil.feedback.models import Response, Verbatim
from accueil.feedback.reporting_actions import do_install_default_themes, do_reread_comments
from tests.feedback.reporting_world import make_world
from tests.moduledata import built_once

NBSP = "\u00a0"
NOVEMBER = "period=month&on=2026-11-03"


def make_read_world():
    world = make_world()
    do_install_default_themes(world.agency)
    do_reread_comments(Actor.staff(world.supervisor))
    return world


@pytest.fixture(scope="module")
def november(django_db_setup, django_db_blocker):
    with built_once(django_db_blocker, make_read_world) as world:
        yield world


@pytest.fixture
def world(db, november):
    return november


def page(client, user, query=NOVEMBER, language="fr"):
    client.force_login(user)
    response = client.get(f"/{language}/staff/feedback/?{query}")
    assert response.status_code == 200
    return response.content.decode()


def test_the_page_shows_the_figures_in_french_number_format(client, world):
    html = page(client, world.supervisor)
    assert "1er novembre 2026 au 30 novembre 2026" in html
    assert f"75{NBSP}%" in html  # Permis, Est, in person: 3 of 4
    assert f"66,7{NBSP}%" in html  # trust, all rows: 4 thumbs up of 6
    assert "<caption" in html and 'scope="col"' in html and 'scope="row"' in html
    assert "Accueil chaleureux" in html and "Very friendly staff" in html
    assert "/fr/staff/feedback/a11.csv?period=month&amp;on=2026-11-03" in html


def test_the_page_in_english_writes_english_numbers(client, world):
    html = page(client, world.supervisor, language="en")
    assert "November 1, 2026 to November 30, 2026" in html
    assert "75%" in html and "66.7%" in html


def test_filters_are_a_get_form_that_narrows_figures_and_comments(client, world):
    html = page(client, world.supervisor, f"{NOVEMBER}&office={world.ouest.pk}")
    assert "Accueil chaleureux" not in html  # a comment at Est
    assert "HYPERLINK" in html
    html = page(client, world.supervisor, f"{NOVEMBER}&theme=courtesy&q=impoli")
    assert "HYPERLINK" in html and "Accueil chaleureux" not in html


def test_filters_that_make_no_sense_are_left_out_not_a_500(client, world):
    bad = (
        f"period=century&on=yesterday&survey=nope&office={world.stranger.office.pk}"
        "&channel=telepathy&flagged=maybe"
    )
    html = page(client, world.supervisor, bad)
    assert "Some filters were not understood" in html or "Certains filtres" in html


def test_only_supervisors_see_the_page(client, world):
    client.force_login(world.colleague)
    assert client.get("/fr/staff/feedback/").status_code == 403
    assert client.get("/fr/staff/feedback/a11.csv").status_code == 403
    client.logout()
    assert client.get("/fr/staff/feedback/").status_code == 302


def test_a_supervisor_of_one_office_sees_only_its_figures_and_comments(client, world):
    html = page(client, world.supervisor_est)
    assert "Accueil chaleureux" in html and "HYPERLINK" not in html
    assert '<th scope="row">Parcs</th>' not in html  # served only at Ouest


def test_flag_and_redact_through_the_page_keep_the_filters(client, world):
    response = Response.objects.get(comment__contains="Accueil chaleureux")
    client.force_login(world.supervisor)
    back = f"{NOVEMBER}&theme=wait"
    answer = client.post(f"/fr/staff/feedback/comments/{response.pk}/flag/", {"back": back})
    assert answer.status_code == 302
    assert answer["Location"] == f"/fr/staff/feedback/?{back}#comments"
    assert Verbatim.objects.get(response=response).flagged
    answer = client.post(
        f"/fr/staff/feedback/comments/{response.pk}/redact/",
        {"passage": "418 555 0199", "back": back},
    )
    assert answer.status_code == 302
    assert "0199" not in Response.objects.get(pk=response.pk).comment
    html = page(client, world.supervisor, back)
    assert "Appelez-moi au […]" in html and "Renseignements personnels retirés" in html


def test_a_redaction_that_does_not_match_explains_itself(client, world):
    response = Response.objects.get(comment__contains="Accueil chaleureux")
    client.force_login(world.supervisor)
    answer = client.post(
        f"/fr/staff/feedback/comments/{response.pk}/redact/", {"passage": "514"}, follow=True
    )
    assert answer.status_code == 200
    assert "ne sont pas dans le commentaire" in answer.content.decode()
    assert not Event.objects.filter(verb="comment.redacted").exists()


def test_posts_need_the_csrf_token(world):
    response = Response.objects.get(comment__contains="Accueil chaleureux")
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(world.supervisor)
    answer = strict.post(f"/fr/staff/feedback/comments/{response.pk}/flag/")
    assert answer.status_code == 403
    assert not Verbatim.objects.get(response=response).flagged


def test_another_office_or_agency_gets_404_on_a_comment(client, world):
    ouest = Response.objects.get(comment__contains="HYPERLINK")
    client.force_login(world.supervisor_est)
    assert client.post(f"/fr/staff/feedback/comments/{ouest.pk}/flag/").status_code == 404
    client.force_login(world.stranger.supervisor)
    assert client.post(f"/fr/staff/feedback/comments/{ouest.pk}/flag/").status_code == 404
    assert not Verbatim.objects.get(response=ouest).flagged


def test_the_comment_text_is_escaped(client, world):
    from tests.feedback.reporting_world import NOV, answer, serve

    _visit, invitation = serve(world, world.est, world.permis, NOV)
    answer(invitation, NOV, trust="1", comment="<img src=x onerror=alert(1)> {{ request.user }}")
    html = page(client, world.supervisor)
    assert "<img src=x" not in html
    assert "&lt;img src=x onerror=alert(1)&gt; {{ request.user }}" in html


def test_each_comment_names_its_visit_or_links_to_its_request(client, world):
    from tests.feedback.reporting_world import NOV, answer, resolve

    case, invitation = resolve(world, "zoe@example.org", NOV)
    answer(invitation, NOV, trust="1", comment="Réponse rapide à ma demande")
    html = page(client, world.supervisor)
    assert f'href="/fr/cases/{case.reference}/"' in html
    visit_comment = Response.objects.get(comment__contains="Accueil chaleureux")
    from accueil.queues.models import Visit

    ticket = Visit.objects.get(pk=visit_comment.invitation.subject_id).ticket
    assert ticket in html
