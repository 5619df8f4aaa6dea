"""axe-core on every page, in French and in English, anonymous and signed in.

Pages are found by following links from the home and staff pages, so a new page is checked as
soon as something links to it; the route list makes sure no route is left unreached.
"""

import json
import re
from collections import deque
from pathlib import Path
from urllib.parse import urljoin, urlparse

from axe_playwright_python.sync_playwright import Axe

from tests.browser.conftest import sign_in

ROUTES = json.loads((Path(__file__).parents[1] / "route-list.json").read_text())
# Routes that are not pages to look at: actions (POST) and machine endpoints; and pages reached
# from a message rather than a link, which have their own test below.
NOT_PAGES = {
    "logout",
    "revoke-token",
    "resend",
    "cancel-campaign",
    "healthz",
    "favicon",
    # Reached by posting the "forgot password" form and from the email: test_password_reset.py.
    "password-reset-sent",
    "password-reset-confirm",
    "readyz",
    "sms-status",
    "sms-inbound",
    "unsubscribe",
    # Queue actions (POST) and pages reached by taking a ticket: test_queue_walk.py checks them.
    "kiosk-ticket",
    "visit",
    "visit-cancel",
    "console-open",
    "console-pause",
    "console-close",
    "console-call-next",
    "console-serve",
    "kiosk-arrival",
    "console-add-visit",
    "console-notice-withdraw",
    "appointment",
    "appointment-change",
    "appointment-cancel",
    "appointment-calendar",
    # Staff changes to one appointment: test_appointments_walk.py walks them (axe included).
    "staff-appointment-move",
    "staff-appointment-cancel",
    # A request's tracking page, its reply and its files are reached from the link given after
    # sending a request: test_request_walk.py walks them (axe included).
    "track",
    "citizen-reply",
    "citizen-file",
    # The workspace's changes to one request (POST), its downloads, and a request's own page
    # (the demo has no request to link to): test_workspace_walk.py walks them, axe included.
    "bulk",
    "meter",
    # Surveys: reached from an invitation (its secret link), from the code on the desk's card,
    # or opened once on the counter tablet: test_survey_walk.py walks them, axe included.
    "survey",
    "thanks",
    "short",
    "tablet",
    "detail",
    "reply",
    "note",
    "status",
    "assign",
    "merge",
    "link",
    "file",
    # The feedback page's CSV downloads and its changes to comments (POST):
    # test_reporting_walk.py walks the page and its forms, axe included.
    "reporting-a11-csv",
    "reporting-comments-csv",
    "reporting-reread",
    "comment-flag",
    "comment-redact",
    # Recognition: the thanks after a survey (reached from its thank-you page) and the POST
    # changes to one compliment; test_recognition_walk.py walks them, axe included.
    "thanks-agent",
    "kudos-offer",
    "kudos-private",
    "kudos-decide",
    # Revoking a client application's key (POST): tests/open311/test_keys_page.py.
    "revoke",
    # The open-data files, downloads linked from the transparency page:
    # tests/insights/test_transparency.py and test_transparency_walk.py fetch them.
    "performance-csv",
    "performance-json",
    # The live floor's changes to a desk (POST): tests/insights/test_floor.py and
    # test_floor_walk.py (the close button, by keyboard, axe included).
    "floor-desk-open",
    "floor-desk-services",
    "floor-desk-close",
    # The KPI pages' CSV downloads: tests/insights/test_kpi_pages.py reads them;
    # test_kpi_walk.py walks the pages they are linked from, axe included.
    "kpi-overview-csv",
    "kpi-visits-csv",
    "kpi-requests-csv",
    "kpi-satisfaction-csv",
    "kpi-agents-csv",
}
BLOCKING = {"serious", "critical"}
axe = Axe()


def crawl(page, base, starts, allowed):
    """Breadth-first over same-site links whose path matches ``allowed``."""
    seen, queue, found = set(), deque(starts), []
    while queue:
        path = queue.popleft()
        if path in seen:
            continue
        seen.add(path)
        response = page.goto(base + path)
        assert response is not None and response.status == 200, path
        found.append((path, violations(page)))
        for href in page.eval_on_selector_all(
            # A download (a CSV export) is not a page to open.
            "a[href]:not([download])",
            "els => els.map(e => e.getAttribute('href'))",
        ):
            target = urlparse(urljoin(base + path, href))
            if target.netloc == urlparse(base).netloc and allowed(target.path):
                queue.append(target.path)
    return found


def violations(page):
    results = axe.run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in BLOCKING
    ]


def route_regex(route):
    pattern = re.sub(r"<uuid:\w+>", "[0-9a-f-]{36}", route.replace("<lang>", "(fr|en)"))
    pattern = re.sub(r"<(?:slug|str):\w+>", "[^/]+", pattern)
    return re.compile("^/" + pattern + "$")


def assert_every_route_reached(paths, access_prefix):
    for row in ROUTES:
        if row["name"] in NOT_PAGES or not row["access"].startswith(access_prefix):
            continue
        if row["route"].startswith("open311/"):
            continue  # an API for civic apps, not pages: tests/open311/ covers every resource
        regex = route_regex(row["route"])
        for language in ("fr", "en"):
            assert any(regex.match(p) and p.startswith(f"/{language}/") for p in paths), (
                f"no link reaches {row['route']} in {language}"
            )


def test_public_pages_have_no_serious_accessibility_violation(page, server):
    def public(path):
        staff = ("/admin/", "/staff/", "/console/")
        return path.startswith(("/fr/", "/en/")) and not any(part in path for part in staff)

    found = crawl(page, server, ["/fr/", "/en/", "/fr/login/", "/en/login/"], public)
    assert_every_route_reached([p for p, _ in found], "public")
    problems = {path: v for path, v in found if v}
    assert problems == {}, json.dumps(problems, indent=2, ensure_ascii=False)


def upload_campaign(page, server, tmp_path):
    """Through the real form, so the crawl below also finds a campaign's own page."""
    csv = tmp_path / "rappels.csv"
    csv.write_text(
        "name,contact,channel,language,document,expires_on\n"
        "Camille Tremblay,camille@example.ca,email,fr,permis,2099-12-31\n"
        "Sam Lee,not-an-address,email,en,licence,2099-12-31\n",
        encoding="utf-8",
    )
    page.goto(f"{server}/fr/staff/campaigns/new/")
    page.fill("#id_name", "Rappels de démonstration")
    page.set_input_files("#id_file", str(csv))
    page.get_by_role("button", name="Importer").click()
    page.wait_for_url(re.compile(r".*/fr/staff/campaigns/[0-9a-f-]{36}/$"))
    # The worker inside the server imports it; the page follows the progress by itself.
    page.get_by_text("2 sur 2 lignes lues").wait_for(timeout=15_000)
    assert page.get_by_text("L’adresse courriel n’est pas valide.").is_visible()


def test_staff_pages_have_no_serious_accessibility_violation(page, server, tmp_path):
    sign_in(page, server, "admin")
    upload_campaign(page, server, tmp_path)
    found = crawl(
        page,
        server,
        ["/fr/staff/", "/en/staff/"],
        lambda p: p.startswith(
            ("/fr/staff/", "/en/staff/", "/fr/console/", "/en/console/", "/fr/cases/", "/en/cases/")
        ),
    )
    assert_every_route_reached([p for p, _ in found], "staff")
    problems = {path: v for path, v in found if v}
    assert problems == {}, json.dumps(problems, indent=2, ensure_ascii=False)


def test_error_pages_and_lockout_have_no_serious_violation(page, server):
    for language in ("fr", "en"):
        response = page.goto(f"{server}/{language}/nowhere/")
        assert response.status == 404
        assert page.locator("html").get_attribute("lang") == language
        assert violations(page) == []


def test_administration_pages_have_no_serious_accessibility_violation(page, server):
    """The Django admin is where administrators edit hours, holidays and desks."""
    sign_in(page, server, "admin")
    admin_page = re.compile(r"^/(fr|en)/admin/\w+/\w+/(add/)?$")
    found = crawl(
        page,
        server,
        ["/fr/admin/", "/en/admin/"],
        lambda p: admin_page.match(p) is not None and "/password/" not in p,
    )
    assert len(found) >= 2 + 2 * 7
    problems = {path: v for path, v in found if v}
    assert problems == {}, json.dumps(problems, indent=2, ensure_ascii=False)


def test_unsubscribe_page_from_an_email_works_and_is_accessible(page, server):
    from accueil.notify.unsubscribe import token_for

    token = token_for("email", "camille@example.ca")
    for language, button, done in (
        ("fr", "Arrêter les rappels", "C’est fait."),
        ("en", "Stop the reminders", "Done."),
    ):
        page.goto(f"{server}/{language}/unsubscribe/{token}/")
        assert violations(page) == []
        page.get_by_role("button", name=button).click()
        page.wait_for_load_state()
        assert done in page.locator("main").inner_text()
        assert violations(page) == []
