"""Strict readers for configuration from environment variables.

A typo in a boolean or a number must stop the server at start-up with a clear message,
not silently fall back to a default.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
FALSE_WORDS = frozenset({"0", "false", "no", "off", ""})


class ConfigurationError(ValueError):
    """An environment variable holds a value that cannot be used."""


def env_str(name: str, default: str = "", environ: Mapping[str, str] | None = None) -> str:
    source = os.environ if environ is None else environ
    return source.get(name, default)


def env_bool(name: str, default: bool = False, environ: Mapping[str, str] | None = None) -> bool:
    raw = env_str(name, "", environ).strip().lower()
    if not raw:
        return default
    if raw in TRUE_WORDS:
        return True
    if raw in FALSE_WORDS:
        return False
    raise ConfigurationError(f"{name} must be true or false, not {raw!r}")


def env_int(
    name: str,
    default: int,
    environ: Mapping[str, str] | None = None,
    minimum: int | None = None,
) -> int:
    raw = env_str(name, "", environ).strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigurationError(f"{name} must be a whole number, not {raw!r}") from None
    if minimum is not None and value < minimum:
        raise ConfigurationError(f"{name} must be at least {minimum}, not {value}")
    return value


def env_list(name: str, default: str = "", environ: Mapping[str, str] | None = None) -> list[str]:
    raw = env_str(name, default, environ)
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_choice(
    name: str, choices: tuple[str, ...], default: str, environ: Mapping[str, str] | None = None
) -> str:
    raw = env_str(name, default, environ).strip().lower() or default
    if raw not in choices:
        raise ConfigurationError(f"{name} must be one of {', '.join(choices)}, not {raw!r}")
    return raw
