"""Sign-in lock-outs: django-axes' lock per (username, address), and a delay per account.

django-axes locks a username *from one address* after ``ACCUEIL_LOGIN_FAILURE_LIMIT`` wrong
passwords; thirty guesses from thirty addresses never trip it. Its settings cannot add a second,
larger limit per account: every lockout parameter set is compared with the same failure limit
(``[["username", "ip_address"], "username"]`` would lock an account after five failures from
anywhere, so anyone could lock a colleague out), and a request-dependent ``AXES_COOLOFF_TIME``
is also what its clean-up uses to delete *every* account's older attempts, so progressive
delays would erase each other. This module is axes' handler (``AXES_HANDLER``): it keeps axes'
lock and adds a small record per account (``LoginThrottle``):

- after ``LOGIN_ACCOUNT_FAILURE_LIMIT`` wrong passwords for one username, from any addresses,
  sign-in to it waits 1 minute, then 2, 4, … after each further failure, at most
  ``LOGIN_ACCOUNT_MAX_DELAY``;
- an attempt during the wait is refused *before* the password is checked and neither counts nor
  lengthens the wait: an attacker gets one guess per wait, and nobody waits longer than the
  maximum after the last real guess;
- failures are forgotten ``LOGIN_ACCOUNT_WINDOW`` after the last one, and a successful sign-in
  clears them;
- the wait does not apply from an address where the account signed in successfully in the last
  ``KNOWN_ADDRESS_DAYS`` days (axes' lock per address still does), so someone elsewhere cannot
  keep the owner out of the office;
- unknown usernames are counted and delayed exactly like real ones, so the answer does not tell
  which accounts exist; the username is stored only as a keyed hash;
- the owner is told once per run of failures, by email through the outbox.
"""

import hashlib
import hmac
import ipaddress
import logging
import math
from datetime import datetime, timedelta

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_cool_off
from axes.models import AccessLog
from django.conf import settings
from django.db import transaction
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone, translation

from accueil.accounts.models import LoginThrottle, User
from accueil.core.ratelimit import client_address
from accueil.lib import dates

logger = logging.getLogger("accueil.accounts")

FIRST_DELAY = timedelta(minutes=1)
KNOWN_ADDRESS_DAYS = 30
NOTICE = "account.login_throttled"


def client_ip(request) -> str | None:
    """axes' ``AXES_CLIENT_IP_CALLABLE``: the same address as the rate limits, if it is one."""
    try:
        return str(ipaddress.ip_address(client_address(request)))
    except ValueError:
        return None


def account_key(username: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), username.encode(), hashlib.sha256).hexdigest()


def delay_after(failures: int) -> timedelta:
    """The wait that follows the ``failures``-th wrong password in a run."""
    over = failures - settings.LOGIN_ACCOUNT_FAILURE_LIMIT
    if over < 0:
        return timedelta(0)
    return min(FIRST_DELAY * 2 ** min(over, 20), settings.LOGIN_ACCOUNT_MAX_DELAY)


def _forgotten(row: LoginThrottle, now: datetime) -> bool:
    return now - row.last_failure_at > settings.LOGIN_ACCOUNT_WINDOW


def _seconds(delta: timedelta) -> int:
    return max(0, math.ceil(delta.total_seconds()))


def known_address(username: str, address: str | None, now: datetime) -> bool:
    if not address:
        return False
    since = now - timedelta(days=KNOWN_ADDRESS_DAYS)
    return AccessLog.objects.filter(
        username=username, ip_address=address, attempt_time__gte=since
    ).exists()


def wait_for(username: str, address: str | None, now: datetime) -> int:
    """Seconds before sign-in to ``username`` may be tried again from ``address``; 0: now."""
    row = LoginThrottle.objects.filter(account=account_key(username)).first()
    if row is None or row.blocked_until is None or _forgotten(row, now):
        return 0
    wait = _seconds(row.blocked_until - now)
    if wait and known_address(username, address, now):
        return 0
    return wait


def record_failure(username: str, now: datetime) -> int:
    """Count a wrong password for ``username``; return the seconds it must now wait (0: none)."""
    key = account_key(username)
    with transaction.atomic():
        LoginThrottle.objects.get_or_create(
            account=key, defaults={"since": now, "last_failure_at": now}
        )
        row = LoginThrottle.objects.select_for_update().get(account=key)
        if row.failures and _forgotten(row, now):
            row.failures = 0
        if row.failures == 0:
            row.since, row.blocked_until = now, None
        row.failures += 1
        row.last_failure_at = now
        delay = delay_after(row.failures)
        if delay:
            row.blocked_until = max(now + delay, row.blocked_until or now)
        row.save()
        if row.failures == settings.LOGIN_ACCOUNT_FAILURE_LIMIT:
            tell_the_owner(username, row)
    return _seconds(delay)


def forget(username: str) -> None:
    LoginThrottle.objects.filter(account=account_key(username)).delete()


def forget_old_failures(now: datetime) -> int:
    """Housekeeping: runs of failures that ended more than a window ago."""
    deleted, _ = LoginThrottle.objects.filter(
        last_failure_at__lt=now - settings.LOGIN_ACCOUNT_WINDOW
    ).delete()
    return deleted


def tell_the_owner(username: str, row: LoginThrottle) -> None:
    """One email per run of failures (the idempotency key is the run's start)."""
    from accueil.notify.actions import notify
    from accueil.notify.models import Template

    user = User.objects.filter(username=username, is_active=True).exclude(email="").first()
    if user is None:
        return
    with translation.override(user.language):
        link = settings.SITE_URL + reverse("accounts:login")
    local = timezone.localtime(row.since)
    try:
        notify(
            key=NOTICE,
            channel="email",
            recipient=user.email,
            language=user.language,
            values={
                "username": user.username,
                "failures": row.failures,
                "since": dates.day_and_time(local, user.language),
                "link": link,
            },
            idempotency_key=f"{NOTICE}:{user.pk}:{row.since.timestamp():.6f}",
            agency=user.agency,
        )
    except Template.DoesNotExist:
        logger.warning(
            "sign-in notice not sent: no wording %s (accueil manage load_templates)", NOTICE
        )


class AccountLockoutHandler(AxesDatabaseHandler):
    """axes' database handler, plus the per-account delay (module docstring)."""

    def is_locked(self, request, credentials=None) -> bool:
        if super().is_locked(request, credentials):
            request.accueil_address_locked = True
            return True
        username = get_client_username(request, credentials)
        if username:
            wait = wait_for(username, request.axes_ip_address, request.axes_attempt_time)
            if wait:
                request.accueil_login_wait = wait
                return True
        return False

    def user_login_failed(self, sender, credentials, request=None, **kwargs):
        if request is not None and getattr(request, "accueil_login_wait", 0):
            # Refused before the password was checked: not a guess, so it neither counts here
            # nor towards axes' lock per address (the owner may be the one knocking).
            request.axes_locked_out = True
            request.axes_credentials = credentials
            return
        super().user_login_failed(sender, credentials, request, **kwargs)
        if request is None or getattr(request, "accueil_address_locked", False):
            return  # axes refused it before the password was checked
        username = get_client_username(request, credentials)
        if not username:
            return
        wait = record_failure(username, request.axes_attempt_time)
        if wait:
            request.accueil_login_wait = wait
            request.axes_locked_out = True
            request.axes_credentials = credentials

    def user_logged_in(self, sender, request, user, **kwargs):
        super().user_logged_in(sender, request, user, **kwargs)
        forget(user.get_username())


def lockout_response(request, original_response=None, credentials=None):  # noqa: ARG001 - the signature the framework calls
    """axes' ``AXES_LOCKOUT_CALLABLE``: the page saying how long to wait, with Retry-After."""
    wait = getattr(request, "accueil_login_wait", 0)
    if not wait:  # axes' own lock, which starts again at each attempt
        wait = _seconds(get_cool_off(request) or timedelta(0))
    minutes = max(1, math.ceil(wait / 60))
    response = render(request, "accounts/lockout.html", {"minutes": minutes}, status=429)
    response["Retry-After"] = str(max(1, wait))
    return response
