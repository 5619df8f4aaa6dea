"""The agents' workspace through its pages: the list (views, filters, search, bulk changes),
a request's page and its forms, staff intake, downloads and the plain-language meter — each
page validated by ``CheckingClient``, on SQLite and PostgreSQL."""

import html
import json
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone

from accueil.cases import actions
from accueil.cases.models import Attachment, Case, CaseField, Message, ReplyTemplate, Status
from accueil.core.actors import PUBLIC, Actor
from accueil.lib.readability import measure
from tests.cases.conftest import intake
from tests.factories import UserFactory

CORPUS = Path(__file__).parents[1] / "security" / "corpus" / "xss.json"
XSS = json.loads(CORPUS.read_text(encoding="utf-8"))["payloads"]
MONTREAL = ZoneInfo("America/Montreal")
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f"
    b"\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\x00\x05\x00\x01\xff\x89\x99=\x1d"
    b"\x00\x00\x00\x00IEND\xaeB`\x82"
)


def open_case(world, **overrides):
    return actions.do_open_case(
        PUBLIC, service=world.service, channel="web", intake=intake(**overrides)
    )


def signed_in(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def ana(world, client):
    return signed_in(client, world.agents[0])


def case_of(world, agent_index=0, **overrides):
    case = open_case(world, **overrides)
    agent = world.agents[agent_index]
    if case.assignee != agent:
        actions.do_assign(Actor.staff(agent), case, assignee=agent)
    return Case.objects.get(pk=case.pk)


# -- the list ----------------------------------------------------------------------------------


def references_on(page) -> set[str]:
    text = page.content.decode()
    return {ref for ref in Case.objects.values_list("reference", flat=True) if ref in text}


def test_mine_lists_only_the_open_requests_assigned_to_me(world, ana):
    mine = case_of(world, 0)
    theirs = case_of(world, 1)
    resolved = case_of(world, 0)
    actions.do_change_status(Actor.staff(world.agents[0]), resolved, Status.RESOLVED)
    page = ana.get("/fr/cases/?view=mine")
    assert page.status_code == 200
    assert references_on(page) == {mine.reference}
    assert theirs.reference not in page.content.decode()


def test_unassigned_and_all_open_views(world, ana):
    mine = case_of(world, 0)
    loose = case_of(world, 1)
    actions.do_assign(Actor.staff(world.agents[1]), loose, assignee=None)
    assert references_on(ana.get("/fr/cases/?view=unassigned")) == {loose.reference}
    assert references_on(ana.get("/fr/cases/?view=open")) == {mine.reference, loose.reference}


def test_my_teams_shows_the_team_cases_not_another_teams(world, ana):
    from accueil.cases.models import Team

    ours = case_of(world, 1)
    other_team = Team.objects.create(
        agency=world.agency, slug="parcs", name_fr="Parcs", name_en="Parks"
    )
    elsewhere = case_of(world, 1)
    actions.do_assign(Actor.staff(world.agents[1]), elsewhere, assignee=None, team=other_team)
    assert references_on(ana.get("/fr/cases/?view=team")) == {ours.reference}


def test_breaching_soon_lists_warning_and_breached_cases_most_urgent_first(world, ana):
    calm = case_of(world, 0)
    late = case_of(world, 0)
    soon = case_of(world, 0)
    # The clock job decides these states from time; here they are set as it would leave them.
    Case.objects.filter(pk=late.pk).update(
        resolution_state="breached", resolution_due_at=timezone.now() - timedelta(hours=1)
    )
    Case.objects.filter(pk=soon.pk).update(
        resolution_state="warning", resolution_due_at=timezone.now() + timedelta(hours=3)
    )
    page = ana.get("/fr/cases/?view=breaching").content.decode()
    assert calm.reference not in page
    assert page.index(late.reference) < page.index(soon.reference)
    # State as a word and a symbol, not colour alone.
    assert "En retard" in page and "Bientôt dû" in page


def test_filters_by_status_service_team_and_channel(world, ana):
    web = case_of(world, 0)
    phone = actions.do_open_case(
        Actor.staff(world.agents[0]),
        service=world.service,
        channel="phone",
        intake=intake(description="Appel au sujet d’un lampadaire."),
    )
    assert references_on(ana.get("/fr/cases/?view=all&channel=phone")) == {phone.reference}
    assert references_on(ana.get("/fr/cases/?view=all&channel=web")) == {web.reference}
    both = {web.reference, phone.reference}
    assert references_on(ana.get("/fr/cases/?view=all&service=voirie&team=voirie")) == both
    assert references_on(ana.get("/fr/cases/?view=all&status=resolved")) == set()


def test_search_finds_words_from_the_description_name_and_address(world, ana):
    pothole = case_of(world, 0, description="Un nid-de-poule énorme devant l’école.")
    lamp = case_of(
        world, 0, description="Le lampadaire clignote toute la nuit.", name="Samuel Tremblay"
    )
    assert references_on(ana.get("/fr/cases/?view=all&q=lampadaire")) == {lamp.reference}
    assert references_on(ana.get("/fr/cases/?view=all&q=Tremblay")) == {lamp.reference}
    assert references_on(ana.get("/fr/cases/?view=all&q=école")) == {pothole.reference}


def test_postgresql_search_matches_french_and_english_word_forms(world, ana):
    if connection.vendor != "postgresql":
        pytest.skip("the full-text column exists on PostgreSQL only")
    french = case_of(world, 0, description="Les lampadaires de la rue sont éteints.")
    english = case_of(world, 0, description="The streetlights are flickering.", language="en")
    # Stemming: the singular finds the plural in each language.
    assert references_on(ana.get("/fr/cases/?view=all&q=lampadaire")) == {french.reference}
    assert references_on(ana.get("/fr/cases/?view=all&q=streetlight")) == {english.reference}


def test_a_whole_reference_opens_the_case(world, ana):
    case = case_of(world, 1)
    page = ana.get(f"/fr/cases/?q={case.reference.lower()}")
    assert page.status_code == 302 and page["Location"] == f"/fr/cases/{case.reference}/"


def test_another_agencys_reference_is_searched_not_opened(world, client):
    case = case_of(world, 0)
    page = signed_in(client, world.stranger).get(f"/fr/cases/?view=all&q={case.reference}")
    assert page.status_code == 200 and f"/fr/cases/{case.reference}/" not in page.content.decode()


def test_the_list_pages_by_fifty(world, ana):
    for _ in range(51):
        open_case(world)
    first = ana.get("/fr/cases/?view=all")
    second = ana.get("/fr/cases/?view=all&page=2")
    assert len(references_on(first)) == 50 and len(references_on(second)) == 1
    assert references_on(first).isdisjoint(references_on(second))


def test_each_row_shows_the_clock_due_in_the_offices_zone(world, ana):
    case = case_of(world, 0)
    due = timezone.localtime(case.response_due_at, MONTREAL)
    page = ana.get("/fr/cases/?view=mine").content.decode()
    assert "Dans les délais" in page
    assert f"{due.hour}\u00a0h" in page


# -- bulk changes ------------------------------------------------------------------------------


def test_bulk_assign_to_me_applies_to_each_checked_case_and_reports_a_conflict(world, ana):
    fresh = case_of(world, 1)
    stale = case_of(world, 1)
    seen = stale.version
    actions.do_change_status(Actor.staff(world.agents[1]), stale, Status.IN_PROGRESS)
    response = ana.post(
        "/fr/cases/bulk/",
        {
            "bulk-case": [f"{fresh.reference}:{fresh.version}", f"{stale.reference}:{seen}"],
            "bulk-action": "assign_me",
            "next": "/fr/cases/?view=all",
        },
        follow=True,
    )
    page = response.content.decode()
    assert response.redirect_chain[-1][0] == "/fr/cases/?view=all"
    assert Case.objects.get(pk=fresh.pk).assignee == world.agents[0]
    assert Case.objects.get(pk=stale.pk).assignee == world.agents[1]  # not overwritten
    assert "1\u00a0demande modifiée." in page
    assert stale.reference in page.split("en même temps")[-1]


def test_bulk_status_change_refuses_an_impossible_transition_by_name(world, ana):
    case = case_of(world, 0)
    closed = case_of(world, 0)
    agent = Actor.staff(world.agents[0])
    actions.do_change_status(agent, closed, Status.RESOLVED)
    actions.do_change_status(agent, closed, Status.CLOSED)
    closed.refresh_from_db()
    response = ana.post(
        "/fr/cases/bulk/",
        {
            "bulk-case": [
                f"{case.reference}:{case.version}",
                f"{closed.reference}:{closed.version}",
            ],
            "bulk-action": "status",
            "bulk-status": "waiting",
        },
        follow=True,
    )
    assert Case.objects.get(pk=case.pk).status == Status.WAITING
    assert Case.objects.get(pk=closed.pk).status == Status.CLOSED
    assert closed.reference in response.content.decode()


def test_bulk_cannot_touch_another_agencys_case(world, client):
    case = case_of(world, 0)
    signed_in(client, world.stranger).post(
        "/fr/cases/bulk/",
        {"bulk-case": [f"{case.reference}:{case.version}"], "bulk-action": "assign_me"},
    )
    assert Case.objects.get(pk=case.pk).assignee == world.agents[0]


def test_bulk_ignores_a_return_address_on_another_site(world, ana):
    case = case_of(world, 0)
    response = ana.post(
        "/fr/cases/bulk/",
        {
            "bulk-case": [f"{case.reference}:{case.version}"],
            "bulk-action": "assign_me",
            "next": "https://evil.example/",
        },
    )
    assert response["Location"] == "/fr/cases/"


# -- a case's page -----------------------------------------------------------------------------


def test_the_page_shows_the_request_answers_clocks_and_a_timeline_in_order(world, ana):
    case = case_of(world, 0)
    agent = Actor.staff(world.agents[0])
    actions.do_add_note(agent, case, "Vérifier avec les travaux publics.")
    actions.do_reply(agent, case, "Merci, nous passons demain.")
    citizen = actions.citizen_of_case(case.reference, case.tracking_secret)
    actions.do_citizen_reply(citizen, case, "Merci beaucoup !")
    page = ana.get(f"/fr/cases/{case.reference}/").content.decode()
    assert "Un gros nid-de-poule" in page
    assert "Taille" in page and "Grand" in page  # the answer, in the agent's language
    assert "Première réponse" in page and "Résolution" in page
    order = [
        page.index(t) for t in ("Demande reçue", "Vérifier avec", "Merci, nous", "Merci beaucoup")
    ]
    assert order == sorted(order)
    assert "Note interne (non envoyée)" in page
    english = ana.get(f"/en/cases/{case.reference}/").content.decode()
    assert "Size" in english and "Large" in english


def test_a_stranger_gets_404_and_a_colleague_of_the_agency_sees_the_case(world, client):
    case = case_of(world, 0)
    assert signed_in(client, world.stranger).get(f"/fr/cases/{case.reference}/").status_code == 404
    client.logout()
    assert signed_in(client, world.agents[1]).get(f"/fr/cases/{case.reference}/").status_code == 200


def test_an_agent_of_another_office_of_the_agency_gets_404(world, client):
    from tests.factories import OfficeFactory

    elsewhere = UserFactory(
        agency=world.agency, username="cy", offices=[OfficeFactory(agency=world.agency)]
    )
    case = case_of(world, 0)
    assert signed_in(client, elsewhere).get(f"/fr/cases/{case.reference}/").status_code == 404


def test_a_template_fills_the_reply_in_the_citizens_language(world, ana):
    case = case_of(world, 0, language="en", name="Sam Lee")
    template = ReplyTemplate.objects.filter(agency__isnull=True).first()
    page = ana.get(f"/fr/cases/{case.reference}/?template={template.pk}").content.decode()
    assert html.escape(template.body_en.split("((")[0].strip()[:30]) in page
    assert "Sam Lee" in page or "((name))" not in template.body_en
    french = ana.get(f"/fr/cases/{case.reference}/?template={template.pk}&language=fr")
    assert html.escape(template.body_fr.split("((")[0].strip()[:30]) in french.content.decode()


def test_replying_sends_the_message_and_records_the_template(world, ana):
    case = case_of(world, 0)
    response = ana.post(
        f"/fr/cases/{case.reference}/reply/",
        {
            "reply-body": "Nous passons demain.",
            "reply-version": case.version,
            "reply-template": "received",
        },
    )
    assert response.status_code == 302
    message = Message.objects.get(case=case, kind="reply")
    assert message.body == "Nous passons demain." and message.template == "received"


def test_a_conflicting_reply_keeps_the_typed_text_and_shows_the_change(world, ana):
    case = case_of(world, 0)
    seen = case.version
    actions.do_reply(Actor.staff(world.agents[1]), case, "Réponse de Bo.")
    typed = "Ma réponse soignée, tapée pendant dix minutes."
    response = ana.post(
        f"/fr/cases/{case.reference}/reply/", {"reply-body": typed, "reply-version": seen}
    )
    page = response.content.decode()
    assert response.status_code == 409
    assert typed in page  # the agent's work is still there
    assert "Réponse de Bo." in page  # and the colleague's change is shown
    assert "Quelqu’un a modifié cette demande" in page
    assert Message.objects.filter(case=case, kind="reply").count() == 1
    # The form now carries the version shown: sending again works.
    case.refresh_from_db()
    assert f'value="{case.version}"' in page
    again = ana.post(
        f"/fr/cases/{case.reference}/reply/", {"reply-body": typed, "reply-version": case.version}
    )
    assert again.status_code == 302


def test_an_empty_reply_is_refused_with_the_page_shown_again(world, ana):
    case = case_of(world, 0)
    response = ana.post(
        f"/fr/cases/{case.reference}/reply/", {"reply-body": " ", "reply-version": case.version}
    )
    assert response.status_code == 400
    assert not Message.objects.filter(case=case).exists()


def test_check_readability_without_javascript_keeps_the_text_and_sends_nothing(world, ana):
    case = case_of(world, 0)
    typed = "Nous réparons le trou demain. Merci de votre patience."
    response = ana.post(
        f"/fr/cases/{case.reference}/reply/",
        {"reply-body": typed, "reply-version": case.version, "check": "1", "language": "fr"},
    )
    page = response.content.decode()
    assert response.status_code == 200 and typed in page
    expected = round(measure(typed, "fr").headline, 1)
    assert str(expected).replace(".", ",") in page or str(expected) in page
    assert not Message.objects.filter(case=case).exists()


def test_a_note_is_internal_and_never_reaches_the_citizen(world, ana):
    from accueil.notify.models import Message as Outbox

    case = case_of(world, 0)
    before = Outbox.objects.count()
    response = ana.post(
        f"/fr/cases/{case.reference}/note/",
        {"note-body": "Dossier sensible.", "note-version": case.version},
    )
    assert response.status_code == 302
    assert Message.objects.get(case=case).kind == "note"
    assert Outbox.objects.count() == before


def test_status_change_with_a_stale_version_is_a_conflict_that_changes_nothing(world, ana):
    case = case_of(world, 0)
    seen = case.version
    actions.do_change_status(Actor.staff(world.agents[1]), case, Status.IN_PROGRESS)
    response = ana.post(
        f"/fr/cases/{case.reference}/status/", {"status-status": "resolved", "status-version": seen}
    )
    assert response.status_code == 409
    assert Case.objects.get(pk=case.pk).status == Status.IN_PROGRESS
    ok = ana.post(
        f"/fr/cases/{case.reference}/status/",
        {"status-status": "waiting", "status-version": seen + 1},
    )
    assert ok.status_code == 302 and Case.objects.get(pk=case.pk).status == Status.WAITING


def test_assigning_to_an_agent_of_another_agency_is_refused(world, ana):
    case = case_of(world, 0)
    response = ana.post(
        f"/fr/cases/{case.reference}/assign/",
        {"assign-assignee": world.stranger.pk, "assign-version": case.version},
    )
    assert response.status_code == 400
    assert Case.objects.get(pk=case.pk).assignee == world.agents[0]
    ok = ana.post(
        f"/fr/cases/{case.reference}/assign/",
        {"assign-assignee": world.agents[1].pk, "assign-version": case.version},
    )
    assert ok.status_code == 302 and Case.objects.get(pk=case.pk).assignee == world.agents[1]


def test_merge_and_link_by_reference(world, ana):
    original = case_of(world, 0)
    duplicate = case_of(world, 0)
    related = case_of(world, 0)
    merged = ana.post(
        f"/fr/cases/{duplicate.reference}/merge/",
        {"merge-reference": original.reference.lower(), "merge-version": duplicate.version},
    )
    assert merged.status_code == 302
    assert Case.objects.get(pk=duplicate.pk).duplicate_of == original
    linked = ana.post(
        f"/fr/cases/{original.reference}/link/", {"link-reference": related.reference}
    )
    assert linked.status_code == 302
    page = ana.get(f"/fr/cases/{original.reference}/").content.decode()
    assert related.reference in page and duplicate.reference in page


def test_merging_into_a_case_of_another_agency_is_refused_without_saying_it_exists(world, ana):
    case = case_of(world, 0)
    response = ana.post(
        f"/fr/cases/{case.reference}/merge/",
        {"merge-reference": "R-2026-AAAAAA", "merge-version": case.version},
    )
    assert response.status_code == 400
    assert "Aucune demande" in response.content.decode()
    assert Case.objects.get(pk=case.pk).duplicate_of is None


# -- files -------------------------------------------------------------------------------------


def test_files_download_as_attachments_only_for_staff_who_may_see_the_case(world, ana, client):
    case = actions.do_open_case(
        PUBLIC,
        service=world.service,
        channel="web",
        intake=intake(),
        files=[SimpleUploadedFile("trou.png", PNG, content_type="image/png")],
    )
    attachment = Attachment.objects.get(case=case)
    url = f"/fr/cases/{case.reference}/files/{attachment.pk}/"
    assert url in ana.get(f"/fr/cases/{case.reference}/").content.decode()
    response = ana.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    other = case_of(world, 0)
    assert ana.get(f"/fr/cases/{other.reference}/files/{attachment.pk}/").status_code == 404
    ana.logout()
    assert signed_in(client, world.stranger).get(url).status_code == 404


def test_a_refused_file_keeps_the_reply_text(world, ana):
    case = case_of(world, 0)
    typed = "Voici le formulaire."
    response = ana.post(
        f"/fr/cases/{case.reference}/reply/",
        {
            "reply-body": typed,
            "reply-version": case.version,
            "reply-files": SimpleUploadedFile(
                "x.svg", b"<svg onload=alert(1)></svg>", content_type="image/svg+xml"
            ),
        },
    )
    assert response.status_code == 400 and typed in response.content.decode()
    assert not Message.objects.filter(case=case).exists()


# -- the meter ---------------------------------------------------------------------------------


def test_the_meter_fragment_scores_the_text_against_the_target(world, ana):
    plain = "We fixed the hole. Thank you for telling us."
    hard = (
        "Notwithstanding the aforementioned considerations, the municipal administration's "
        "infrastructure rehabilitation programme necessitates comprehensive intergovernmental "
        "coordination prior to implementation."
    )
    response = ana.post(
        "/en/cases/meter/",
        {"reply-body": plain + " " + hard, "language": "en"},
        HTTP_HX_REQUEST="true",
    )
    fragment = response.content.decode()
    report = measure(plain + " " + hard, "en")
    assert response.status_code == 200
    assert f"{round(report.headline, 1)}" in fragment
    assert ("Meets the target." if report.meets() else "Below the target.") in fragment
    assert "Notwithstanding" in fragment  # the sentence that pulls the score down
    assert "We fixed the hole" not in fragment
    plain_only = ana.post(
        "/en/cases/meter/", {"reply-body": plain, "language": "en"}, HTTP_HX_REQUEST="true"
    )
    assert measure(plain, "en").meets() and "Meets the target." in plain_only.content.decode()


def test_the_meter_needs_csrf_and_staff(world, client):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(world.agents[0])
    assert strict.post("/fr/cases/meter/", {"body": "Bonjour."}).status_code == 403
    assert client.post("/fr/cases/meter/", {"body": "Bonjour."}).status_code == 302  # sign in


def test_the_reply_box_asks_for_the_meter_as_the_agent_types(world, ana):
    case = case_of(world, 0)
    page = ana.get(f"/fr/cases/{case.reference}/").content.decode()
    assert 'hx-post="/fr/cases/meter/"' in page
    assert 'hx-trigger="keyup changed delay:600ms"' in page
    assert 'aria-live="polite"' in page


# -- staff intake ------------------------------------------------------------------------------


def test_staff_intake_records_a_phone_request_with_the_services_questions(world, ana):
    chooser = ana.get("/fr/cases/new/")
    assert chooser.status_code == 200 and "Nids-de-poule" in chooser.content.decode()
    form = ana.get("/fr/cases/new/?service=voirie")
    assert "Taille" in form.content.decode()
    response = ana.post(
        "/fr/cases/new/?service=voirie",
        {
            "channel": "phone",
            "language": "en",
            "description": "Caller reports a deep pothole on Main Street.",
            "name": "Sam Lee",
            "phone": "514 555 0199",
            "address": "12 Main Street",
            "answer_size": "small",
        },
    )
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/fr/cases/{case.reference}/"
    assert case.channel == "phone" and case.language == "en"
    assert case.fields == {"size": "small"} and case.contact_name == "Sam Lee"
    assert ana.get(response["Location"]).status_code == 200


def test_staff_intake_refuses_missing_answers_and_keeps_the_input(world, ana):
    response = ana.post(
        "/fr/cases/new/?service=voirie",
        {
            "channel": "mail",
            "language": "fr",
            "description": "Lettre reçue ce matin.",
            "email": "pas-une-adresse",
        },
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "Lettre reçue ce matin." in page
    assert "Répondez à cette question." in page
    assert not Case.objects.exists()


def test_staff_intake_offers_only_the_agencys_services(world, client):
    from tests.factories import ServiceFactory

    ServiceFactory(agency=world.stranger.agency, slug="secret", name_fr="Service secret")
    page = signed_in(client, world.agents[0]).get("/fr/cases/new/?service=secret").content.decode()
    assert "Service secret" not in page and "Taille" not in page


# -- hostile text ------------------------------------------------------------------------------


@pytest.mark.parametrize("payload", XSS)
def test_hostile_text_is_inert_in_the_list_and_the_page(world, ana, payload):
    CaseField.objects.create(
        service=world.service, code="note", kind="text", label_fr="Précisions", label_en="Details"
    )
    case = case_of(
        world,
        0,
        description=payload,
        name=payload[:200],
        address=payload[:300],
        answers={"size": "large", "note": payload[:300]},
    )
    actions.do_reply(Actor.staff(world.agents[0]), case, payload)
    actions.do_add_note(Actor.staff(world.agents[0]), case, payload)
    citizen = actions.citizen_of_case(case.reference, case.tracking_secret)
    actions.do_citizen_reply(citizen, case, payload)
    for url in (
        "/fr/cases/?view=all",
        f"/fr/cases/{case.reference}/",
        f"/en/cases/{case.reference}/",
    ):
        page = ana.get(url).content.decode()
        if any(c in payload for c in '<>"'):
            assert payload not in page, url
            assert html.escape(payload)[:40] in page, url
        else:
            assert payload in page, url  # template-looking text stays literal
        assert 'href="javascript' not in page.lower(), url  # no link made of the text


def test_the_timeline_names_who_a_case_was_given_to_and_what_it_was_merged_into(world, ana):
    original = case_of(world, 0)
    duplicate = case_of(world, 1)
    agent = Actor.staff(world.agents[0])
    actions.do_assign(agent, duplicate, assignee=world.agents[0])
    actions.do_merge(agent, duplicate, original)
    page = ana.get(f"/fr/cases/{duplicate.reference}/").content.decode()
    timeline = page.split('id="timeline"')[1].split("</section>")[0]
    ana_name = world.agents[0].get_full_name() or world.agents[0].username
    assert f"Attribuée ({ana_name})" in timeline
    assert f"Fusionnée avec une autre demande ({original.reference})" in timeline
