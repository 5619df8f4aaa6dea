"""A real server (`accueil serve` on a demo database) and Debian's Chromium under Playwright."""

import json
import os
import shutil
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.servers import free_port, wait_ready

CHROMIUM = os.environ.get("ACCUEIL_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
DEMO_PASSWORD = "accueil-demo-2026"
DATABASE_FILE = "accueil.sqlite3"  # in ACCUEIL_DATA_DIR (accueil/settings.py)
AROUND_THE_CLOCK = (
    "from accueil.catalog.models import Office\n"
    "from accueil.lib.businesstime import parse_weekly\n"
    "Office.objects.get(slug='hotel-de-ville').set_weekly_hours("
    "parse_weekly('mon-sun 00:00-24:00'))"
)


def pytest_collection_modifyitems(items):
    for item in items:
        item.add_marker(pytest.mark.browser)


def _accueil(*args, env):
    subprocess.run(
        [sys.executable, "-m", "accueil.cli", *args],
        env=env,
        check=True,
        capture_output=True,
        timeout=300,
    )


def _env_for(data_dir) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "ACCUEIL_SITE_URL")}
    env.update({"ACCUEIL_DATA_DIR": str(data_dir), "ACCUEIL_ENV": "test"})
    return env


def migrated_env(data_dir) -> dict[str, str]:
    """A fresh database in ``data_dir`` on SQLite; the environment to run commands on it.

    The migrations run once per session, into a directory beside the modules' own (pytest's
    base temporary directory); each module gets a copy of that database file, not its own
    ``migrate`` (seconds of CPU each, six times over). The servers link to where they listen:
    an ACCUEIL_SITE_URL that ``make`` exports for ``make run`` is not passed on."""
    template = Path(data_dir).parent / "migrated"
    if not (template / DATABASE_FILE).exists():
        template.mkdir(exist_ok=True)
        _accueil("manage", "migrate", "--noinput", "-v0", env=_env_for(template))
    for part in template.glob(DATABASE_FILE + "*"):  # with its -wal, should one be left
        shutil.copyfile(part, Path(data_dir) / part.name)
    return _env_for(data_dir)


def facts_from(script: str, env) -> dict:
    """Run a set-up script in ``accueil manage shell``; its last line of output is JSON."""
    made = subprocess.run(
        [sys.executable, "-m", "accueil.cli", "manage", "shell", "-c", script],
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=300,
    )
    return json.loads(made.stdout.strip().splitlines()[-1])


@contextmanager
def serving(data_dir, env):
    """``accueil serve`` on a free port until the block ends; yields its base URL."""
    port = free_port()
    log = (data_dir / "server.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "accueil.cli", "serve", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_ready(process, base, log)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("server")
    env = migrated_env(data_dir)
    # A week of history (predicted waits, reports), not the default five: as long as before.
    _accueil("demo", "--history-days", "7", env=env)
    # Kiosks refuse tickets while an office is closed, and the suite runs at any hour: the
    # demo's City Hall is open around the clock here (test_closed_office closes one itself).
    _accueil("manage", "shell", "-c", AROUND_THE_CLOCK, env=env)
    with serving(data_dir, env) as base:
        yield base


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium is missing at {CHROMIUM}: run scripts/ensure-chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="fr-CA")
    page = context.new_page()
    yield page
    context.close()


def sign_in(page, base, username, language="fr"):
    page.goto(f"{base}/{language}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.press("#id_password", "Enter")
    page.wait_for_url(f"{base}/{language}/staff/")
