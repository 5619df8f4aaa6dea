"""Settings come from the environment; production is secure by default; mistakes stop start-up."""

import os
import secrets
import subprocess
import sys


def accueil(*args, env_overrides, cwd=None):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ACCUEIL_", "DATABASE_URL"))}
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "-m", "accueil.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
        check=False,
    )


def production_env(tmp_path):
    return {
        "ACCUEIL_ENV": "production",
        "ACCUEIL_SECRET_KEY": secrets.token_urlsafe(50),
        "ACCUEIL_ALLOWED_HOSTS": "accueil.example.ca",
        "ACCUEIL_DATA_DIR": str(tmp_path),
    }


def test_production_passes_djangos_deployment_checks(tmp_path):
    result = accueil(
        "manage",
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env_overrides=production_env(tmp_path),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    env = production_env(tmp_path)
    del env["ACCUEIL_SECRET_KEY"]
    result = accueil("manage", "check", env_overrides=env)
    assert result.returncode != 0
    assert "ACCUEIL_SECRET_KEY must be set" in result.stderr


def test_a_mistyped_value_stops_start_up_with_its_name(tmp_path):
    result = accueil(
        "manage",
        "check",
        env_overrides={"ACCUEIL_DATA_DIR": str(tmp_path), "EMAIL_USE_TLS": "maybe"},
    )
    assert result.returncode != 0
    assert "EMAIL_USE_TLS must be true or false" in result.stderr


def test_the_demo_refuses_to_run_in_production_without_force(tmp_path):
    env = production_env(tmp_path)
    assert accueil("manage", "migrate", "-v0", env_overrides=env).returncode == 0
    result = accueil("demo", env_overrides=env)
    assert result.returncode != 0
    assert "known passwords" in result.stderr


def test_cli_help_lists_the_commands(tmp_path):
    result = accueil("--help", env_overrides={"ACCUEIL_DATA_DIR": str(tmp_path)})
    assert result.returncode == 0
    for command in ("serve", "worker", "demo", "token", "manage"):
        assert command in result.stdout
    unknown = accueil("frobnicate", env_overrides={"ACCUEIL_DATA_DIR": str(tmp_path)})
    assert unknown.returncode == 2


def test_every_variable_read_by_the_settings_is_documented():
    import re
    from pathlib import Path

    root = Path(__file__).parents[1]
    settings_source = (root / "accueil" / "settings.py").read_text(encoding="utf-8")
    read = set(re.findall(r'env_\w+\(\s*"([A-Z_]+)"', settings_source))
    documented = set(re.findall(r"^#?\s*([A-Z_]+)=", (root / ".env.example").read_text(), re.M))
    assert read - documented == set()
