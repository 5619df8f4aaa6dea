"""CSV exports: UTF-8 with a BOM, formulas neutralised, multi-line cells kept whole."""

import csv
import io
import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from accueil.lib.csvexport import BOM, TRIGGERS, neutralise, stream, to_bytes, write_rows

CORPUS = Path(__file__).parents[1] / "security" / "corpus" / "spreadsheet.json"
PAYLOADS = json.loads(CORPUS.read_text(encoding="utf-8"))["payloads"]


def read_back(data: bytes) -> list[list[str]]:
    assert data.startswith(BOM.encode("utf-8"))
    text = data.decode("utf-8")[1:]
    return list(csv.reader(io.StringIO(text, newline="")))


def first_meaningful(text: str) -> str:
    """The character a spreadsheet program looks at: the first that is not a skipped space."""
    for char in text:
        if char in TRIGGERS or not char.isspace():
            return char
    return ""


@pytest.mark.parametrize("payload", PAYLOADS)
def test_every_corpus_payload_is_written_as_text_not_a_formula(payload):
    [[written]] = read_back(to_bytes([[payload]]))
    assert written == "'" + payload
    assert first_meaningful(written) == "'"


@pytest.mark.parametrize(
    "text", ["bonjour", "Très bien, merci !", "a=b", "1-2", "email@example.org", "", "   "]
)
def test_ordinary_text_is_left_alone(text):
    assert neutralise(text) == text


def test_numbers_we_computed_are_not_prefixed_even_when_negative():
    [[count, share, money, day, empty, flag]] = read_back(
        to_bytes([[-3, 0.5, Decimal("-1.25"), date(2026, 4, 1), None, True]])
    )
    assert (count, share, money, day, empty, flag) == (
        "-3",
        "0.5",
        "-1.25",
        "2026-04-01",
        "",
        "true",
    )


def test_french_accents_survive_and_the_file_starts_with_a_bom():
    data = to_bytes([["Délai d’attente", "« très long »"]])
    assert data[:3] == b"\xef\xbb\xbf"
    assert read_back(data) == [["Délai d’attente", "« très long »"]]


def test_a_comment_over_several_lines_stays_one_quoted_cell():
    comment = 'Ligne 1\nLigne 2, avec "guillemets"\r\n=pas une formule'
    data = to_bytes([["id", comment], ["next", "row"]])
    assert read_back(data) == [["id", comment], ["next", "row"]]
    assert b'"Ligne 1\nLigne 2, avec ""guillemets""' in data


def test_streaming_gives_the_same_bytes_in_chunks_of_rows():
    rows = [[str(i), f"=ligne {i}", i] for i in range(1234)]
    chunks = list(stream(rows, rows_per_chunk=500))
    assert len(chunks) == 1 + 3  # the BOM, then 500 + 500 + 234 rows
    assert b"".join(chunks) == to_bytes(rows)
    assert read_back(b"".join(chunks))[1233] == ["1233", "'=ligne 1233", "1233"]


def test_streaming_reads_rows_lazily():
    seen = []

    def rows():
        for i in range(10):
            seen.append(i)
            yield [i]

    chunks = stream(rows(), rows_per_chunk=2)
    next(chunks)  # the BOM
    next(chunks)
    assert seen == [0, 1]  # no row is read before its chunk is wanted


def test_write_rows_to_a_text_stream_matches_to_bytes():
    out = io.StringIO(newline="")
    write_rows(out, [["a", "+b"]])
    assert out.getvalue().encode("utf-8") == to_bytes([["a", "+b"]])


@given(st.lists(st.lists(st.text(), min_size=1, max_size=4), min_size=1, max_size=5))
def test_any_text_reads_back_unchanged_or_prefixed_and_never_as_a_formula(rows):
    back = read_back(to_bytes(rows))
    assert len(back) == len(rows)
    for written_row, row in zip(back, rows, strict=True):
        for written, original in zip(written_row, row, strict=True):
            assert written in (original, "'" + original)
            assert first_meaningful(written) not in TRIGGERS
