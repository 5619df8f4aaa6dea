import json
import logging
from pathlib import Path

import pytest

CORPUS = Path(__file__).parent / "corpus"


def corpus(name: str):
    return json.loads((CORPUS / name).read_text(encoding="utf-8"))


# Kept quiet by settings.LOGGING because its DEBUG records are raw data by design (SQL with its
# parameters); test_sql_is_never_logged_even_in_debug_mode holds that setting in place.
PINNED = {"django.db.backends"}


@pytest.fixture
def every_log(caplog):
    """caplog at DEBUG on every logger, even those configured quieter or not propagating.

    Settings make ``django.request`` and ``axes`` quieter; their records are checked anyway,
    so a leak does not wait for someone to change a level.
    """
    loggers = [logging.getLogger()] + [
        logger
        for name, logger in logging.root.manager.loggerDict.items()
        if isinstance(logger, logging.Logger) and name not in PINNED
    ]
    saved = [(logger, logger.level, logger.propagate, logger.disabled) for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.DEBUG)
        logger.disabled = False
        logger.propagate = True
    caplog.set_level(logging.DEBUG)
    yield caplog
    for logger, level, propagate, disabled in saved:
        logger.setLevel(level)
        logger.propagate = propagate
        logger.disabled = disabled


def logged(caplog, level: int = logging.DEBUG) -> str:
    """Everything the records at ``level`` and above carry: message, arguments, tracebacks."""
    formatter = logging.Formatter()
    parts = []
    for record in caplog.records:
        if record.levelno < level:
            continue
        parts += [str(record.msg), repr(record.args), record.getMessage()]
        if record.exc_info:
            parts.append(formatter.formatException(record.exc_info))
        parts += [record.exc_text or "", record.stack_info or ""]
    return "\n".join(parts)
