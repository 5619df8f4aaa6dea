"""The console at a glance: the ticket large, a timer, why the visitor has priority, the visit's
history, and when "did not come" becomes possible — in both languages."""

import re
from datetime import timedelta

from django.utils import timezone

from accueil.core.actors import Actor
from accueil.queues.actions import do_call_next, do_check_in, do_open_desk, do_recall
from accueil.queues.models import Need, QueueRules
from tests.factories import TEST_PASSWORD


def at_the_desk(personas, recalls=0):
    agent = Actor.staff(personas.owner)
    do_open_desk(personas.desk, personas.owner, [], actor=agent)
    do_check_in(personas.office, personas.service, needs=[Need.PREGNANT, Need.ELDERLY])
    visit = do_call_next(personas.desk, actor=agent)
    later = timezone.now()
    for _ in range(recalls):
        later += timedelta(minutes=5)
        visit = do_recall(visit, actor=agent, now=later)
    return visit


def page(client, language="fr"):
    client.post("/fr/login/", {"username": "owner", "password": TEST_PASSWORD})
    return client.get(f"/{language}/console/").content.decode()


def text_of(html, css_class):
    found = re.search(rf'class="{css_class}"[^>]*>(.*?)</', html, re.S)
    return re.sub(r"\s+", " ", found.group(1)).strip() if found else ""


def test_the_console_shows_the_visitor_at_a_glance(client, personas):
    visit = at_the_desk(personas, recalls=1)
    html = page(client)
    assert text_of(html, "console-ticket").startswith(visit.ticket)
    assert 'class="elapsed"' in html and "data-since=" in html
    assert "Grossesse" in html  # the declared needs, in the page's language
    history = re.findall(r"<li><time[^>]*>[^<]+</time> — ([^<]+)</li>", html)
    assert history == ["A pris un billet", "Appelé", "Rappelé"]
    english = page(client, "en")
    assert "Pregnancy" in english and "Senior or frail" in english


def test_the_no_show_rule_is_stated_before_it_bites(client, personas):
    QueueRules.objects.update_or_create(
        office=personas.office, defaults={"recalls_before_no_show": 2}
    )
    at_the_desk(personas)
    html = page(client, "en")
    assert "“Did not come” is available after 2 more calls." in html


def test_once_the_calls_are_made_the_rule_says_so(client, personas):
    QueueRules.objects.update_or_create(
        office=personas.office, defaults={"recalls_before_no_show": 1}
    )
    at_the_desk(personas, recalls=1)
    assert "If the person does not come, you can record it now." in page(client, "en")
