"""What `make run` gives a new user: no debug pages unless asked for (the bilingual 404, with
static files still served), a favicon, and real SMTP as soon as an SMTP host is named."""

import urllib.error
import urllib.request

import pytest

from tests.servers import running
from tests.test_configuration import accueil

SHOW = "from django.conf import settings; print(settings.DEBUG, settings.EMAIL_BACKEND)"


def development_settings(tmp_path, **env):
    overrides = {"ACCUEIL_ENV": "development", "ACCUEIL_DATA_DIR": str(tmp_path)}
    overrides.update(env)
    result = accueil("manage", "shell", "-c", SHOW, env_overrides=overrides)
    assert result.returncode == 0, result.stderr
    debug, backend = result.stdout.splitlines()[-1].split()
    return debug, backend


def test_debug_is_off_in_development_unless_asked_for(tmp_path):
    assert development_settings(tmp_path)[0] == "False"
    assert development_settings(tmp_path, ACCUEIL_DEBUG="true")[0] == "True"


@pytest.mark.parametrize(
    ("env", "backend"),
    [
        ({}, "django.core.mail.backends.console.EmailBackend"),
        ({"EMAIL_HOST": "mail.example.ca"}, "django.core.mail.backends.smtp.EmailBackend"),
        (
            {
                "EMAIL_HOST": "mail.example.ca",
                "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
            },
            "django.core.mail.backends.locmem.EmailBackend",
        ),
    ],
)
def test_an_explicit_smtp_host_means_smtp(tmp_path, monkeypatch, env, backend):
    monkeypatch.delenv("EMAIL_HOST", raising=False)
    monkeypatch.delenv("EMAIL_BACKEND", raising=False)
    assert development_settings(tmp_path, **env)[1] == backend


def fetch(url, language="fr"):
    request = urllib.request.Request(url, headers={"Accept-Language": language})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status, response.headers, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read().decode()


def test_a_development_server_answers_the_friendly_404_and_serves_static_files(
    transactional_db, tmp_path
):
    env = {"ACCUEIL_ENV": "development", "ACCUEIL_DEBUG": ""}
    with running(1, tmp_path, env=env) as [server]:
        missing = "/visits/00000000-0000-0000-0000-000000000000/not-a-secret/"
        status, _, french = fetch(server.base + "/fr" + missing)
        assert status == 404
        assert "Page introuvable" in french
        assert "Traceback" not in french and "DEBUG = True" not in french
        status, _, english = fetch(server.base + "/en" + missing, "en")
        assert status == 404
        assert "Page not found" in english
        assert "DEBUG = True" not in english

        status, headers, css = fetch(server.base + "/static/accueil/css/accueil.css")
        assert status == 200 and "--color-brand" in css

        # /favicon.ico leads to the icon; every page names it too.
        status, headers, icon = fetch(server.base + "/favicon.ico")
        assert status == 200
        assert headers["Content-Type"].startswith("image/svg+xml")
        assert "<svg" in icon
        _, _, home = fetch(server.base + "/fr/")
        assert 'rel="icon" href="/static/accueil/img/favicon.svg"' in home
