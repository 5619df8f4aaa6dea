"""Sign-in lock-outs: per (username, address) as before, and now per account from any address.

The clock sign-in decisions read (``request.axes_attempt_time``) is a controllable one for each
test; nothing sleeps, and a slow machine cannot turn a 60-second wait into 59.
"""

import re
from datetime import timedelta

import pytest
from axes.models import AccessAttempt, AccessLog
from django.conf import settings
from django.db.models import F
from django.test import Client
from django.utils import timezone

from accueil.accounts.lockout import delay_after, record_failure, wait_for
from accueil.accounts.models import LoginThrottle
from accueil.core.housekeeping import run_housekeeping
from accueil.notify.models import Message
from accueil.notify.templates_text import load_files
from tests.factories import TEST_PASSWORD
from tests.pagecheck import CheckingClient

WRONG = "not-the-password"
ATTACKERS = [f"198.51.100.{n}" for n in range(1, 31)]
NOTICE = "account.login_throttled"


class Clock:
    def __init__(self):
        self.now = timezone.now()

    def __call__(self):
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    """The time axes stamps on each sign-in request, which both lock-outs go by."""
    clock = Clock()
    monkeypatch.setattr("axes.handlers.proxy.now", clock)
    return clock


def sign_in(client, username, password=WRONG, address="203.0.113.200", **extra):
    return client.post(
        "/fr/login/", {"username": username, "password": password}, REMOTE_ADDR=address, **extra
    )


def age_stored_records(seconds: float) -> None:
    """For housekeeping, which reads the real clock: make what is stored look older."""
    back = timedelta(seconds=seconds)
    LoginThrottle.objects.update(
        since=F("since") - back,
        last_failure_at=F("last_failure_at") - back,
        blocked_until=F("blocked_until") - back,
    )
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - back)
    AccessLog.objects.update(attempt_time=F("attempt_time") - back)


def answer(response, username):
    """What a caller can see: status, Retry-After and the page, minus its CSRF token."""
    page = response.content.decode().replace(f'value="{username}"', "")
    page = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page)
    return response.status_code, response.get("Retry-After"), page


def notices():
    return Message.objects.filter(template=NOTICE)


@pytest.fixture
def owner(personas):
    load_files()
    personas.owner.email = "camille.owner@example.ca"
    personas.owner.save()
    return personas.owner


def test_thirty_guesses_from_thirty_addresses_slow_the_account_and_tell_its_owner_once(
    client, owner, clock
):
    statuses = [sign_in(client, "owner", address=a).status_code for a in ATTACKERS]
    limit = settings.LOGIN_ACCOUNT_FAILURE_LIMIT
    assert statuses == [200] * (limit - 1) + [429] * (len(ATTACKERS) - limit + 1)

    refused = sign_in(client, "owner", TEST_PASSWORD, address="203.0.113.7")
    assert refused.status_code == 429  # the right password, during the wait
    assert refused["Retry-After"] == "60"  # the first wait; knocking did not lengthen it
    page = refused.content.decode()
    assert "Trop de tentatives" in page
    assert "Veuillez patienter 1 minute, puis réessayer." in page
    assert client.get("/fr/staff/").status_code == 302

    (notice,) = notices()
    assert notice.recipient == "camille.owner@example.ca"
    assert notice.channel == "email" and notice.language == "fr"
    assert "owner" in notice.body and f"{limit} fois" in notice.body
    assert WRONG not in notice.body
    # When it started, as a French reader writes a date: « mardi 1er décembre 2026 à 8 h 30 ».
    assert re.search(r"\w+\s\d{1,2}(er)?\s\w+\s\d{4}\sà\s\d{1,2}\sh\s\d{2}", notice.body), (
        notice.body
    )

    clock.advance(59)
    assert sign_in(client, "owner", TEST_PASSWORD, address="203.0.113.7").status_code == 429
    clock.advance(1)
    assert sign_in(client, "owner", TEST_PASSWORD, address="203.0.113.7").status_code == 302
    assert client.get("/fr/staff/").status_code == 200
    assert not LoginThrottle.objects.exists()  # the owner's sign-in cleared the run

    # A new run after the owner's sign-in is a new notice; still one per run.
    attacker = Client()
    for address in ATTACKERS:
        sign_in(attacker, "owner", address=address)
    assert notices().count() == 2


def test_an_unknown_username_gets_exactly_the_same_answers(personas):
    known, unknown = CheckingClient(), CheckingClient()
    for address in ATTACKERS:
        assert answer(sign_in(known, "owner", address=address), "owner") == answer(
            sign_in(unknown, "nobody-here", address=address), "nobody-here"
        )
    assert answer(sign_in(known, "owner", TEST_PASSWORD), "owner") == answer(
        sign_in(unknown, "nobody-here", TEST_PASSWORD), "nobody-here"
    )
    assert not notices().exists()


def test_each_guess_after_a_wait_doubles_the_next_one_up_to_the_maximum(db):
    now = timezone.now()
    limit = settings.LOGIN_ACCOUNT_FAILURE_LIMIT
    apart = settings.LOGIN_ACCOUNT_WINDOW + timedelta(seconds=1)
    waits = [record_failure("owner", now + n * apart) for n in range(limit + 6)]
    assert waits == [0] * (limit + 6)  # failures further apart than the window never add up
    waits = []
    for _ in range(limit + 6):
        now += timedelta(seconds=waits[-1] if waits else 1)
        waits.append(record_failure("someone", now))
    assert waits == [0] * (limit - 1) + [60, 120, 240, 480, 900, 900, 900]
    assert delay_after(limit + 40) == settings.LOGIN_ACCOUNT_MAX_DELAY


def test_failures_are_forgotten_a_window_after_the_last_one(db):
    now = timezone.now()
    limit = settings.LOGIN_ACCOUNT_FAILURE_LIMIT
    for _ in range(limit - 1):
        record_failure("owner", now)
    later = now + settings.LOGIN_ACCOUNT_WINDOW + timedelta(seconds=1)
    assert record_failure("owner", later) == 0
    assert LoginThrottle.objects.get().failures == 1
    assert record_failure("owner", later) == 0  # the ninth and tenth are a new run


def test_the_wait_ends_by_itself_and_only_real_guesses_count(db):
    now = timezone.now()
    for _ in range(settings.LOGIN_ACCOUNT_FAILURE_LIMIT):
        record_failure("owner", now)
    assert wait_for("owner", "198.51.100.1", now) == 60
    assert wait_for("owner", "198.51.100.1", now + timedelta(seconds=59)) == 1
    assert wait_for("owner", "198.51.100.1", now + timedelta(seconds=60)) == 0
    assert wait_for("someone-else", "198.51.100.1", now) == 0


def test_housekeeping_forgets_runs_of_failures_a_window_after_the_last_one(client, owner):
    sign_in(client, "owner")
    assert run_housekeeping()["login_throttles"] == 0
    age_stored_records(settings.LOGIN_ACCOUNT_WINDOW.total_seconds() + 1)
    assert run_housekeeping()["login_throttles"] == 1
    assert not LoginThrottle.objects.exists()


def test_the_owner_at_an_address_they_signed_in_from_is_not_kept_out(client, owner):
    office = "192.0.2.50"
    assert sign_in(client, "owner", TEST_PASSWORD, address=office).status_code == 302
    client.post("/fr/logout/", REMOTE_ADDR=office)
    attacker = Client()
    for address in ATTACKERS:
        sign_in(attacker, "owner", address=address)
    assert sign_in(attacker, "owner", TEST_PASSWORD, address="203.0.113.9").status_code == 429
    assert sign_in(client, "owner", TEST_PASSWORD, address=office).status_code == 302


def test_the_lock_per_address_is_kept(client, owner):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "owner", address="198.51.100.77")
    locked = sign_in(client, "owner", TEST_PASSWORD, address="198.51.100.77")
    assert locked.status_code == 429
    assert locked["Retry-After"] == str(int(settings.AXES_COOLOFF_TIME.total_seconds()))
    assert sign_in(client, "owner", TEST_PASSWORD, address="198.51.100.78").status_code == 302


def test_behind_a_trusted_proxy_the_lock_follows_the_address_the_proxy_saw(client, owner, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = "10.0.0.2"
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "owner", address=proxy, HTTP_X_FORWARDED_FOR="203.0.113.9")
    # A forged left-most entry does not escape: the proxy appends the real address last.
    spoofed = sign_in(
        client, "owner", TEST_PASSWORD, address=proxy, HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.9"
    )
    assert spoofed.status_code == 429
    # Another person behind the same proxy is not locked out with them.
    other = Client()
    assert (
        sign_in(
            other, "owner", TEST_PASSWORD, address=proxy, HTTP_X_FORWARDED_FOR="203.0.113.10"
        ).status_code
        == 302
    )


def test_without_the_wording_loaded_sign_in_still_answers(personas, every_log):
    personas.owner.email = "camille.owner@example.ca"
    personas.owner.save()
    client = Client()
    for address in ATTACKERS[: settings.LOGIN_ACCOUNT_FAILURE_LIMIT]:
        sign_in(client, "owner", address=address)
    assert sign_in(client, "owner", TEST_PASSWORD).status_code == 429
    assert not notices().exists()
    assert "load_templates" in every_log.text and "owner" not in every_log.text


def test_the_wait_is_explained_in_english_too(owner):
    client = CheckingClient()
    for address in ATTACKERS[: settings.LOGIN_ACCOUNT_FAILURE_LIMIT]:
        response = client.post(
            "/en/login/", {"username": "owner", "password": WRONG}, REMOTE_ADDR=address
        )
    assert response.status_code == 429
    page = response.content.decode()
    assert "Too many attempts" in page
    assert "Please wait 1 minute, then try again." in page
