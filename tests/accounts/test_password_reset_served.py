"""The whole reset through a real server, its own background worker and a real SMTP server:
the mail leaves through the outbox like any other, with nothing faked in between."""

import http.cookiejar
import re
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest
from django.db import connection

from tests.servers import running

NEW_PASSWORD = "a served passphrase for staff"
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
LINK = re.compile(r"http://[^\s]+/password-reset/[^\s]+/")


class Browser:
    """Cookies and form posts over plain HTTP, as a browser without JavaScript would."""

    def __init__(self, base):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def get(self, path):
        with self.opener.open(self.base + path, timeout=20) as response:
            return response.geturl(), response.read().decode()

    def submit(self, path, fields):
        _url, page = self.get(path)
        data = {"csrfmiddlewaretoken": CSRF.search(page).group(1), **fields}
        body = urllib.parse.urlencode(data).encode()
        with self.opener.open(self.base + path, data=body, timeout=20) as response:
            return response.geturl(), response.read().decode()


def wait_for_mail(smtp, count):
    deadline = time.monotonic() + 30
    while len(smtp.messages) < count:
        assert time.monotonic() < deadline, "no mail reached the SMTP server"
        time.sleep(0.2)


def test_reset_through_a_real_server_and_its_worker(transactional_db, tmp_path, smtp_server):
    if connection.vendor != "sqlite":
        pytest.skip("the worker runs inside the server on SQLite only")
    from tests.factories import UserFactory

    UserFactory(username="camille", email="camille@example.ca", language="en")
    env = {
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp_server.port),
        "EMAIL_BACKEND": "",
        "ACCUEIL_QUIET_HOURS": "03:00-03:01",
    }
    with running(1, tmp_path, env=env, worker=True) as [server]:
        browser = Browser(server.base)
        url, page = browser.submit("/en/password-reset/", {"email": "camille@example.ca"})
        assert url.endswith("/en/password-reset/sent/") and "Check your email" in page
        _url, same = browser.submit("/en/password-reset/", {"email": "nobody@example.ca"})
        assert "Check your email" in same

        wait_for_mail(smtp_server, 1)
        mail = smtp_server.messages[0]
        assert mail["To"] == "camille@example.ca"
        link = LINK.search(mail.get_content()).group(0)
        assert link.startswith(server.base + "/en/password-reset/")

        form_url, page = browser.get(link.removeprefix(server.base))
        assert form_url.endswith("/set-password/") and "Choose a new password" in page
        path = form_url.removeprefix(server.base)
        url, page = browser.submit(
            path, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
        )
        assert url.endswith("/en/login/") and "Your new password is set" in page

        url, page = Browser(server.base).submit(
            "/en/login/", {"username": "camille", "password": NEW_PASSWORD}
        )
        assert url.endswith("/en/staff/"), page[:500]
        with pytest.raises(urllib.error.HTTPError) as refused:
            browser.get(link.removeprefix(server.base))
        assert refused.value.code == 400
        assert "This link no longer works" in refused.value.read().decode()
    assert len(smtp_server.messages) == 1  # the unknown address got nothing
