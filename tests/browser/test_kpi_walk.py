"""The supervisor's KPI pages walked with the keyboard in Chromium, FR and EN, axe on every step:
from the staff home to the overview, a filter changed (a GET form), then the visits view with
its charts and tables, on a desktop and on a phone-sized screen.

A server of its own: one office, two services, two weeks of visits served (and some surveys
answered) through the real actions at past times, and the rollups filled by the real consumer.

Set ``ACCUEIL_SCREENSHOTS`` to a folder to keep a screenshot of each step; nothing is compared."""

import re

import pytest

from tests.browser.conftest import facts_from, migrated_env, serving
from tests.browser.test_accessibility import violations
from tests.browser.test_queue_walk import tab_to
from tests.browser.test_reporting_walk import focus_and_press
from tests.browser.test_request_walk import shot

PASSWORD = "kpi-walk-2026"
SETUP = """
import json
from datetime import datetime, time, timedelta
from django.utils import timezone, translation
from accueil.accounts.models import Role
from accueil.core.actors import Actor
from accueil.core.consumers import consumers, feed
from accueil.feedback.actions import do_answer, do_invite
from accueil.lib.businesstime import parse_weekly
from accueil.queues.actions import do_call_next, do_check_in, do_complete, do_open_desk
from tests.factories import (AgencyFactory, DeskFactory, OfficeFactory, ServiceFactory,
                             StandardFactory, UserFactory)
agency = AgencyFactory(name_fr="Ville de Lac-Clair", name_en="Town of Lac-Clair")
office = OfficeFactory(agency=agency, name_fr="Hôtel de ville", name_en="Town Hall",
                       time_zone="America/Montreal")
office.set_weekly_hours(parse_weekly("mon-sun 00:00-24:00"))
permits = ServiceFactory(agency=agency, offices=[office], name_fr="Permis de stationnement",
                         name_en="Parking permits")
taxes = ServiceFactory(agency=agency, offices=[office], name_fr="Taxes foncières",
                       name_en="Property taxes")
StandardFactory(service=permits, threshold=15)
StandardFactory(service=taxes, threshold=10)
desk = DeskFactory(office=office, label="2")
desk.services.set([permits, taxes])
supervisor = UserFactory(username="kpi-supervisor", agency=agency, role=Role.SUPERVISOR,
                         first_name="Samir", last_name="Haddad")
supervisor.set_password({password!r}); supervisor.save()
agent = UserFactory(username="kpi-agent", agency=agency, role=Role.AGENT, offices=[office],
                    first_name="Amélie", last_name="Gagnon")
staff = Actor.staff(agent)
zone = office.zone
today = timezone.localdate(timezone.now(), zone)
start = datetime.combine(today - timedelta(days=13), time(8, 0), tzinfo=zone)
do_open_desk(desk, agent, [permits, taxes], actor=staff, now=start)
served = 0
for day in range(14):
    opening = datetime.combine(today - timedelta(days=13 - day), time(9, 0), tzinfo=zone)
    for index in range(3 + day % 4):
        service = permits if index % 2 else taxes
        arrive = opening + timedelta(minutes=40 * index + 7 * (day % 3))
        wait = 3 + (day * 7 + index * 5) % 22
        do_check_in(office, service, language="fr" if index % 3 else "en", now=arrive)
        visit = do_call_next(desk, actor=staff, now=arrive + timedelta(minutes=wait))
        done = arrive + timedelta(minutes=wait + 4 + index % 5)
        visit = do_complete(visit, actor=staff, now=done)
        served += 1
        if index % 2 == 0:
            invitation = do_invite("visit", visit, agent_id=visit.agent_id, at=done, now=done)
            if invitation is not None:
                with translation.override("fr"):
                    do_answer(invitation, {{"trust": "1" if wait < 15 else "0"}}, final=True,
                              now=done + timedelta(minutes=5))
while any(feed(consumers.get(name)) for name in ("insights.rollups",)):
    pass
print(json.dumps({{"served": served}}))
"""
TEXT = {
    "fr": {
        "link": "Indicateurs\u00a0: attente, demandes, satisfaction et conseillers",
        "visitors": "Visiteurs",
        "period": "7 derniers jours",
        "show": "Afficher",
        "view": "Visites et attente",
        "chart": "Attente moyenne, cette période et la précédente",
    },
    "en": {
        "link": "Indicators: waits, requests, satisfaction and agents",
        "visitors": "Visitors",
        "period": "Last 7 days",
        "show": "Show",
        "view": "Visits and waits",
        "chart": "Mean wait, this period and the previous one",
    },
}


@pytest.fixture(scope="module")
def kpi_server(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("kpi")
    env = migrated_env(data_dir)
    facts = facts_from(SETUP.format(password=PASSWORD), env)
    assert facts["served"] > 40
    with serving(data_dir, env) as base:
        yield base


def sign_in(page, base, language):
    page.goto(f"{base}/{language}/login/")
    tab_to(page, "#id_username")
    page.keyboard.type("kpi-supervisor")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf".*/{language}/staff/$"))


def headline(page, label):
    row = page.locator("table.headline tbody tr", has=page.locator("th", has_text=label)).first
    return [cell.strip() for cell in row.locator("td").all_inner_texts()]


@pytest.mark.parametrize("language", ["fr", "en"])
def test_a_supervisor_reads_the_indicators_and_filters_them_by_keyboard(
    browser, kpi_server, language
):
    text = TEXT[language]
    context = browser.new_context(locale="fr-CA", viewport={"width": 1366, "height": 900})
    page = context.new_page()
    sign_in(page, kpi_server, language)
    focus_and_press(page, page.get_by_role("link", name=text["link"]))
    page.wait_for_url(re.compile(rf".*/{language}/staff/insights/$"))
    assert violations(page) == []
    thirty_days = int(headline(page, text["visitors"])[0])
    assert thirty_days > 40
    chart = page.locator("svg[role=img]").first
    assert chart.get_attribute("aria-labelledby")
    shot(page, f"kpi-{language}-overview-desktop")

    # Last 7 days instead of 30, by keyboard: pick the option by typing, then send the form.
    tab_to(page, "#id_period")
    page.keyboard.type(text["period"][:6])
    assert page.locator("#id_period").input_value() == "7"
    focus_and_press(page, page.get_by_role("button", name=text["show"]))
    page.wait_for_url(re.compile(r".*period=7.*"))
    assert violations(page) == []
    seven_days = int(headline(page, text["visitors"])[0])
    assert 0 < seven_days < thirty_days

    # The visits view keeps the filter; each chart has its table.
    focus_and_press(page, page.get_by_role("link", name=text["view"]))
    page.wait_for_url(re.compile(rf".*/{language}/staff/insights/visits/\?.*period=7.*"))
    assert violations(page) == []
    assert page.locator("svg[role=img] title", has_text=text["chart"]).count() == 1
    assert page.locator("svg[role=img]").count() == page.locator("table.figures").count() == 4
    shot(page, f"kpi-{language}-visits-desktop")

    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    assert violations(page) == []
    shot(page, f"kpi-{language}-visits-phone")
    page.goto(f"{kpi_server}/{language}/staff/insights/")
    assert violations(page) == []
    shot(page, f"kpi-{language}-overview-phone")
    context.close()
