"""The golden inbound mail: every real-shaped message in tests/golden/mail/ gives the expected
citizen's words and headers (README there says where each shape comes from)."""

from __future__ import annotations

import difflib
import json
import re
from pathlib import Path

import pytest

from accueil.lib.mailtext import Mail, parse

FOLDER = Path(__file__).resolve().parent.parent / "golden" / "mail"
MESSAGES = sorted(FOLDER.glob("*.eml"))
ATTRIBUTION = re.compile(r"(wrote:|a\s+écrit\s*:|^(?:De|From)\s*:)", re.IGNORECASE | re.MULTILINE)


def _summary(mail: Mail, expected: dict) -> dict:
    """The fields of ``mail`` that the expected JSON names, in its shape."""
    found = {
        "subject": mail.subject,
        "sender": mail.sender.address if mail.sender else None,
        "language": mail.language,
        "automatic": mail.automatic,
        "parts": [
            f"{part.filename or '(no name)'} {part.content_type}{' inline' if part.inline else ''}"
            for part in mail.parts
        ],
        "calendar": mail.calendar,
        "in_reply_to": mail.in_reply_to,
        "reply_to": mail.reply_to.address if mail.reply_to else None,
        "sender_name": mail.sender.name if mail.sender else None,
    }
    return {key: found[key] for key in expected}


def _diff(expected: str, actual: str) -> str:
    lines = difflib.unified_diff(
        expected.splitlines(), actual.splitlines(), "expected", "parsed", lineterm=""
    )
    return "\n".join(lines)


def test_the_corpus_has_at_least_24_messages_each_with_its_expected_files_and_readme_row():
    assert len(MESSAGES) >= 24
    readme = (FOLDER / "README.md").read_text(encoding="utf-8")
    for path in MESSAGES:
        assert path.with_suffix(".expected.txt").exists(), path.name
        assert path.with_suffix(".expected.json").exists(), path.name
        assert f"`{path.stem}`" in readme, f"{path.stem} has no row in README.md"


@pytest.mark.parametrize("path", MESSAGES, ids=[path.stem for path in MESSAGES])
def test_golden_message_gives_the_expected_text(path):
    mail = parse(path.read_bytes())
    expected = path.with_suffix(".expected.txt").read_text(encoding="utf-8").removesuffix("\n")
    assert mail.text == expected, f"{path.name}: text differs\n{_diff(expected, mail.text)}"


@pytest.mark.parametrize("path", MESSAGES, ids=[path.stem for path in MESSAGES])
def test_golden_message_gives_the_expected_headers_and_parts(path):
    mail = parse(path.read_bytes())
    expected = json.loads(path.with_suffix(".expected.json").read_text(encoding="utf-8"))
    assert _summary(mail, expected) == expected


@pytest.mark.parametrize(
    "path",
    [path for path in MESSAGES if "forward" not in path.stem],
    ids=[path.stem for path in MESSAGES if "forward" not in path.stem],
)
def test_golden_text_keeps_no_quote_and_no_attribution(path):
    text = parse(path.read_bytes()).text
    assert not any(line.startswith(">") for line in text.splitlines()), text
    assert not ATTRIBUTION.search(text), text
    assert "\ufffd" not in text  # every accent decoded


@pytest.mark.parametrize("path", MESSAGES, ids=[path.stem for path in MESSAGES])
def test_golden_header_values_are_one_line(path):
    mail = parse(path.read_bytes())
    values = [mail.subject, mail.message_id, *mail.in_reply_to, *mail.references]
    for address in [mail.sender, mail.reply_to, *mail.recipients]:
        if address is not None:
            values += [address.name, address.address]
    values += [part.filename for part in mail.parts]
    for value in values:
        assert "\r" not in value and "\n" not in value, repr(value)
