import json
import logging
from pathlib import Path

import pytest

CORPUS = Path(__file__).parent / "corpus"


def corpus(name: str):
    return json.loads((CORPUS / name).read_text(encoding="utf-8"))


@pytest.fixture
def every_log(caplog):
    """caplog at DEBUG on every logger, even those configured quieter or not propagating.

    Settings make ``django.request`` and ``axes`` quieter; a leak that only shows at DEBUG
    is still a leak the day someone sets ``ACCUEIL_LOG_LEVEL=debug``.
    """
    loggers = [logging.getLogger()] + [
        logger
        for logger in logging.root.manager.loggerDict.values()
        if isinstance(logger, logging.Logger)
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
