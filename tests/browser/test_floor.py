"""The front line's screens as an office uses them, in Chromium at the sizes of real screens:
the wall TV's board, the touch kiosk, the status page a citizen watches, the console's keys.

A server of its own holds a busy office: 8 services, most with long names, 10 calls made today
at 4 desks, people waiting (one with a priority need) and a service notice."""

import json
import os
import re

import pytest

from tests.browser.conftest import facts_from, migrated_env, serving
from tests.browser.test_accessibility import violations

TV_SIZES = [(1280, 720), (1920, 1080), (1080, 1920)]
KIOSK_SIZES = [(1080, 1920), (1920, 1080)]
AGENT_PASSWORD = "floor-agent-2026"
SERVICES = [
    (
        "A",
        "Permis de construire, de rénovation et de démolition — demandes et renseignements",
        "Building, renovation and demolition permits — applications and information",
    ),
    (
        "B",
        "Taxes foncières, comptes de taxes et ententes de paiement",
        "Property taxes, tax bills and payment arrangements",
    ),
    ("C", "Permis de stationnement résidentiel", "Residential parking permits"),
    ("D", "Licences pour chiens et chats", "Dog and cat licences"),
    (
        "E",
        "Inscription aux activités de loisirs, aux camps de jour et aux bibliothèques",
        "Registration for recreation activities, day camps and libraries",
    ),
    ("F", "Constats d’infraction et cour municipale", "Tickets and municipal court"),
    ("G", "Célébration de mariages et d’unions civiles", "Marriage and civil union ceremonies"),
    ("H", "Assermentation", "Commissioner of oaths"),
]
SETUP = """
import json
from django.utils import translation
from accueil.accounts.models import Role
from accueil.core.actors import SYSTEM, Actor
from accueil.queues import actions
from accueil.queues.models import Need, VisitStatus
from accueil.queues.service_notices import do_publish_notice
from accueil.queues.views import visit_url
from tests.factories import AgencyFactory, DeskFactory, OfficeFactory, ServiceFactory, UserFactory

SERVICES = {services!r}
agency = AgencyFactory(name_fr="Ville de Rivière-Claire", name_en="City of Rivière-Claire")
office = OfficeFactory(agency=agency, name_fr="Centre de services aux citoyens Maisonneuve",
                       name_en="Maisonneuve Citizen Service Centre")
services = [ServiceFactory(agency=agency, ticket_prefix=p, name_fr=fr, name_en=en, offices=[office])
            for p, fr, en in SERVICES]
desks = [DeskFactory(office=office, label=str(n)) for n in (2, 4, 7, 12)]
agents = [
    UserFactory(username=f"floor-agent-{{n}}", agency=agency, role=Role.AGENT, offices=[office])
    for n in range(4)
]
agents[0].set_password({password!r}); agents[0].save()
actors = [Actor.staff(agent) for agent in agents]
for desk, agent in zip(desks, agents):
    actions.do_open_desk(desk, agent, services)
for n in range(16):
    actions.do_take_ticket(office, services[n % 8], language="fr")
pending = {{}}
for n in range(10):
    desk = desks[n % 4]
    if desk.id in pending:
        actions.do_start(pending[desk.id], actor=actors[n % 4])
        actions.do_complete(pending[desk.id], actor=actors[n % 4])
    pending[desk.id] = actions.do_call_next(desk, actor=actors[n % 4])
visit, _ = actions.do_take_ticket(office, services[1], language="fr", needs=[Need.ACCESSIBILITY],
                                  phone="613 555 0111")
do_publish_notice(SYSTEM, office=office, service=None,
    notice_fr="Le comptoir des permis ferme à 15\u00a0h aujourd’hui\u00a0; "
              "les autres services restent ouverts.",
    notice_en="The permit counter closes at 3 p.m. today; all other services stay open.")
called = pending[desks[0].id]
with translation.override("en"):
    paths = [visit_url(visit), visit_url(called)]
print(json.dumps({{"office": str(office.id), "visit": paths[0].removeprefix("/en"),
                  "called": paths[1].removeprefix("/en")}}))
"""


@pytest.fixture(scope="module")
def floor(tmp_path_factory):
    """Base URL, office id, and the status pages (without the language) of a visitor waiting
    with a priority need and a phone, and of one called to desk 2 (floor-agent-0's desk)."""
    data_dir = tmp_path_factory.mktemp("floor")
    env = migrated_env(data_dir)
    facts = facts_from(SETUP.format(services=SERVICES, password=AGENT_PASSWORD), env)
    with serving(data_dir, env) as base:
        yield base, facts["office"], facts["visit"], facts["called"]


SHOTS = os.environ.get("ACCUEIL_SCREENSHOTS")  # a folder: keep a picture of each screen


def shot(page, name):
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"))


def screen(browser, width, height, language="fr"):
    context = browser.new_context(
        viewport={"width": width, "height": height}, locale=f"{language}-CA"
    )
    return context.new_page()


# -- The display board on a wall TV ----------------------------------------------------------

# Counts the stream's boards once the page's own handler has drawn each one: the test waits for
# the first instead of sleeping.
COUNT_BOARDS = """
window.boardsDrawn = 0;
const listen = EventSource.prototype.addEventListener;
EventSource.prototype.addEventListener = function (type, listener, options) {
  const counted = type !== "board" ? listener : function (event) {
    listener.call(this, event);
    window.boardsDrawn += 1;
  };
  return listen.call(this, type, counted, options);
};
"""

FITS = """() => {
  const rows = [...document.querySelectorAll('#waiting-rows tr')];
  const inside = el => { const r = el.getBoundingClientRect();
    return r.top >= 0 && r.left >= 0 && r.bottom <= innerHeight && r.right <= innerWidth; };
  return {
    scroll: document.documentElement.scrollHeight, height: innerHeight,
    wide: document.documentElement.scrollWidth, width: innerWidth,
    rows: rows.length, hidden: rows.filter(r => !inside(r)).map(r => r.textContent.trim()),
    earlier: document.querySelectorAll('#earlier-calls li').length,
    current: inside(document.getElementById('current-call')),
  };
}"""


@pytest.mark.parametrize("width,height", TV_SIZES)
@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_board_fits_one_tv_screen(browser, floor, width, height, language):
    base, office, *_ = floor
    page = screen(browser, width, height, language)
    page.add_init_script(COUNT_BOARDS)
    page.goto(f"{base}/{language}/display/{office}/")
    page.wait_for_function("() => window.boardsDrawn > 0")  # the live board, drawn again by JS
    facts = page.evaluate(FITS)
    shot(page, f"board-{language}-{width}x{height}")
    assert facts["scroll"] <= facts["height"], facts
    assert facts["wide"] <= facts["width"], facts
    assert facts["rows"] == 8 and facts["hidden"] == [], facts
    assert facts["current"] and 1 <= facts["earlier"] <= 5, facts
    # The agency, the office, the clock and the notice are on the screen too.
    assert page.locator(".board-agency").is_visible()
    assert page.locator("#clock-time").inner_text().strip()
    assert page.locator("#notices .service-notice").first.is_visible()
    assert violations(page) == []
    page.context.close()


def board_event(ticket, desk):
    board = {
        "calls": [{"ticket": ticket, "desk": desk, "called_at": ticket, "status": "called"}],
        "services": [],
        "notices": [],
    }
    return f"event: board\ndata: {json.dumps(board)}\n\n"


def test_the_board_chimes_and_speaks_when_its_address_asks(browser, floor):
    """?chime=1&speak=fr,en: a new call is read in French then in English ("A 42", not
    "A minus forty-two"); the board shown on arrival is not announced again."""
    base, office, *_ = floor
    page = screen(browser, 1920, 1080, "fr")
    page.add_init_script(
        "window.__said = [];"
        "window.speechSynthesis.speak = u => window.__said.push([u.lang, u.text]);"
    )
    streams = []

    def stream(route):
        streams.append(route.request.url)
        if len(streams) > 1:  # later reconnections: nothing new
            route.fulfill(status=204)
            return
        body = board_event("B-007", "2") + board_event("A-042", "4")
        route.fulfill(status=200, headers={"Content-Type": "text/event-stream"}, body=body)

    page.route("**/api/v1/offices/*/events", stream)
    page.goto(f"{base}/fr/display/{office}/?chime=1&speak=fr,en")
    assert page.locator("#chime-toggle").get_attribute("aria-pressed") == "true"
    page.wait_for_function("() => window.__said.length >= 2")
    assert page.evaluate("window.__said") == [
        ["fr-CA", "Billet A 42, guichet 4"],
        ["en-CA", "Ticket A 42, desk 4"],
    ]
    page.context.close()


# -- The touch kiosk ---------------------------------------------------------------------------

SMALL_TARGETS = """() => [...document.querySelectorAll(
    'a[href], button, input:not([type=hidden]), select, textarea, summary, label')]
  .filter(el => el.checkVisibility() && !el.closest('[hidden]'))
  .map(el => [el, el.getBoundingClientRect()])
  .filter(([el, r]) => r.width > 0 && (r.width < 48 || r.height < 48))
  .map(([el, r]) => `${el.tagName} "${(el.textContent || el.name || '').trim().slice(0, 40)}" `
                    + `${Math.round(r.width)}×${Math.round(r.height)}`)"""


def small_targets(page):
    return page.evaluate(SMALL_TARGETS)


@pytest.mark.parametrize("width,height", KIOSK_SIZES)
@pytest.mark.parametrize("language", ["fr", "en"])
def test_every_kiosk_target_is_at_least_48_px(browser, floor, width, height, language):
    base, office, *_ = floor
    page = screen(browser, width, height, language)
    page.clock.install()
    page.goto(f"{base}/{language}/kiosk/{office}/")
    size = f"{language}-{width}x{height}"
    # The start: services to choose, the booking code with its keypad.
    assert page.locator("[data-keypad-for=id_code]").is_visible()
    shot(page, f"kiosk-start-{size}")
    assert small_targets(page) == []
    assert violations(page) == []

    # The details: priority needs and the phone number, typed on the keypad.
    page.locator("label.choice").nth(1).click()
    page.locator("details.more summary").click()
    page.get_by_label(NEEDS[language]).check()
    for key in "6135550111":
        page.locator(f"[data-keypad-for=id_phone] [data-key='{key}']").click()
    assert page.input_value("#id_phone") == "6135550111"
    page.locator("[data-keypad-for=id_phone] [data-key=delete]").click()
    page.locator("[data-keypad-for=id_phone] [data-key='1']").click()
    page.locator("#id_phone").scroll_into_view_if_needed()
    shot(page, f"kiosk-form-{size}")
    assert small_targets(page) == []
    assert violations(page) == []

    # The ticket shows the choices back.
    page.locator("form.check-in-form button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/kiosk/.*/tickets/.*"))
    choices = page.inner_text(".ticket-choices")
    assert NEEDS[language] in choices and "0111" in choices
    shot(page, f"kiosk-ticket-{size}")
    assert small_targets(page) == []
    assert violations(page) == []
    page.context.close()


NEEDS = {"fr": "Mobilité réduite ou handicap", "en": "Reduced mobility or a disability"}


@pytest.mark.parametrize("width,height", KIOSK_SIZES)
def test_the_kiosk_returns_to_its_welcome_screen_when_left_alone(browser, floor, width, height):
    base, office, *_ = floor
    page = screen(browser, width, height, "en")
    page.clock.install()
    page.goto(f"{base}/en/kiosk/{office}/")
    assert page.locator("#attract").is_hidden()
    page.clock.run_for(61_000)
    page.locator("#attract").wait_for()
    shot(page, f"kiosk-attract-en-{width}x{height}")
    assert small_targets(page) == []
    assert violations(page) == []
    page.locator("#attract-start").click()
    assert page.locator("#attract").is_hidden()

    # Someone left halfway: the welcome screen comes back on a clean page.
    page.locator("label.choice").first.click()
    page.clock.run_for(61_000)
    page.wait_for_url(re.compile(r".*\?attract=1$"))
    page.locator("#attract").wait_for()
    assert not page.locator("input[name=service]:checked").count()
    page.context.close()


# -- The status page a citizen watches -------------------------------------------------------

PHONE_AND_DESKTOP = [(390, 844), (1366, 768)]


@pytest.mark.parametrize("width,height", PHONE_AND_DESKTOP)
@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_status_page_shows_the_ticket_large(browser, floor, width, height, language):
    base, _, waiting, called = floor
    page = screen(browser, width, height, language)
    page.goto(f"{base}/{language}{waiting}")
    number = page.locator("h2.ticket-heading .ticket-number")
    assert re.fullmatch(r"B-\d{3}", number.inner_text().strip())
    assert float(number.evaluate("el => getComputedStyle(el).fontSize")[:-2]) >= 48
    assert page.locator(".ticket-position .ticket-big").inner_text().strip().isdigit()
    assert page.locator(".ticket-wait").is_visible()
    assert page.locator(".service-notice").is_visible()
    assert page.locator(".visit-leave button").is_visible()
    assert page.locator("#visit-live[hx-trigger]").count() == 1  # it keeps updating itself
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")
    shot(page, f"status-waiting-{language}-{width}x{height}")
    assert violations(page) == []

    # Once called, the desk is the biggest thing on the page.
    page.goto(f"{base}/{language}{called}")
    assert "2" in page.inner_text(".ticket-called")
    desk = page.locator(".ticket-desk strong")
    assert desk.inner_text().strip() == "2"
    assert float(desk.evaluate("el => getComputedStyle(el).fontSize")[:-2]) >= 64
    shot(page, f"status-called-{language}-{width}x{height}")
    assert violations(page) == []
    page.context.close()


# -- The console's shortcut keys -------------------------------------------------------------

CONSOLE = {
    "fr": {"Appeler le suivant": "N", "Commencer": "S", "Rappeler": "R", "Terminer": "C"},
    "en": {"Call next": "N", "Start": "S", "Call again": "R", "Complete": "C"},
}


@pytest.mark.parametrize("language", ["fr", "en"])
def test_console_buttons_are_named_without_their_shortcut_key(browser, floor, language):
    """Once read "Call nextN": the key is a <kbd> apart, hidden from the name, announced by
    aria-keyshortcuts."""
    base, *_ = floor
    page = screen(browser, 1366, 768, language)
    page.goto(f"{base}/{language}/login/")
    page.fill("#id_username", "floor-agent-0")
    page.fill("#id_password", AGENT_PASSWORD)
    page.press("#id_password", "Enter")
    page.wait_for_url(re.compile(rf".*/{language}/staff/.*"))
    page.goto(f"{base}/{language}/console/")
    for name, key in CONSOLE[language].items():
        button = page.get_by_role("button", name=name, exact=True)
        assert button.count() == 1, name
        assert button.get_attribute("aria-keyshortcuts") == key
        cap = button.locator("kbd")
        assert cap.inner_text() == key and cap.get_attribute("aria-hidden") == "true"
        # Set apart from the label: a gap between the text and the key cap.
        gap = button.evaluate(
            "b => b.querySelector('kbd').getBoundingClientRect().left"
            " - [...b.childNodes].filter(n => n.nodeType === 3 && n.textContent.trim())"
            ".map(n => { const r = document.createRange(); r.selectNodeContents(n);"
            " return r.getBoundingClientRect().right; })[0]"
        )
        assert gap >= 8, (name, gap)
    shot(page, f"console-{language}")
    page.context.close()
