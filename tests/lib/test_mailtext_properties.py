"""Properties of accueil.lib.mailtext.parse on input nobody wrote on purpose: random bytes and
the golden messages mutated byte by byte never raise anything but MailRefused, and whatever
comes out keeps its promises (one-line header values, bounded parts)."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accueil.lib.mailtext import MAX_PARTS, Mail, MailRefused, parse
from accueil.lib.mailtext.html import to_text
from accueil.lib.mailtext.trim import new_words

CORPUS = [
    path.read_bytes()
    for path in sorted((Path(__file__).parent.parent / "golden" / "mail").glob("*.eml"))
]
SETTINGS = settings(
    max_examples=int(__import__("os").environ.get("MAILTEXT_EXAMPLES", "300")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


def _check(raw: bytes) -> Mail | None:
    """Parse ``raw``; MailRefused is allowed, any other exception fails the test."""
    try:
        mail = parse(raw)
    except MailRefused as refused:
        assert refused.reason in {"empty", "too_large", "unreadable"}
        return None
    values = [mail.subject, mail.message_id, *mail.in_reply_to, *mail.references]
    for address in [mail.sender, mail.reply_to, *mail.recipients]:
        if address is not None:
            values += [address.name, address.address]
    values += [part.filename for part in mail.parts]
    assert all("\r" not in value and "\n" not in value for value in values)
    assert len(mail.parts) <= MAX_PARTS
    assert mail.date is None or mail.date.utcoffset() is not None
    assert mail.language in {"fr", "en", ""}
    return mail


@SETTINGS
@given(st.binary(max_size=4000))
def test_random_bytes_never_raise_anything_but_mail_refused(raw):
    _check(raw)


@SETTINGS
@given(st.binary(max_size=2000))
def test_random_bytes_after_real_headers_never_raise(body):
    _check(b"From: a@example.org\nSubject: x\nContent-Type: multipart/mixed; boundary=b\n\n" + body)


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    """A golden message with a few random edits: flips, cuts, insertions, duplications."""
    data = bytearray(draw(st.sampled_from(CORPUS)))
    for _ in range(draw(st.integers(1, 8))):
        if not data:
            break
        where = draw(st.integers(0, len(data) - 1))
        kind = draw(st.sampled_from(["flip", "cut", "insert", "duplicate", "truncate"]))
        if kind == "flip":
            data[where] = draw(st.integers(0, 255))
        elif kind == "cut":
            del data[where : where + draw(st.integers(1, 200))]
        elif kind == "insert":
            data[where:where] = draw(
                st.one_of(
                    st.binary(min_size=1, max_size=50),
                    st.sampled_from(
                        [
                            b"\r\n",
                            b"\n--",
                            b"=?utf-8?q?=0D=0A?=",
                            b"=",
                            b"=?",
                            b"<",
                            b"\x00",
                            b"\nContent-Type: multipart/mixed; boundary=x\n",
                            b"\nContent-Transfer-Encoding: base64\n",
                            b"charset=x-bogus",
                        ]
                    ),
                )
            )
        elif kind == "duplicate":
            data[where:where] = data[where : where + draw(st.integers(1, 500))]
        else:
            del data[where:]
    return bytes(data)


@SETTINGS
@given(mutated())
def test_mutated_golden_messages_never_raise_anything_but_mail_refused(raw):
    _check(raw)


@SETTINGS
@given(st.text(max_size=200))
def test_any_subject_text_comes_out_on_one_line(value):
    encoded = value.encode("utf-8", "surrogatepass")
    mail = _check(b"From: a@example.org\nSubject: " + encoded + b"\n\nx\n")
    if mail is not None:
        assert "\n" not in mail.subject and "\r" not in mail.subject


@SETTINGS
@given(st.text(max_size=3000), st.sampled_from(["", "Fwd: x", "TR : y", "Re: z"]))
def test_trimming_any_text_never_raises(text, subject):
    assert isinstance(new_words(text, subject), str)


@SETTINGS
@given(st.text(alphabet=st.sampled_from(list("<>/=\"' abpdivscript&;#x0a\n")), max_size=2000))
def test_reducing_any_html_never_raises(html):
    assert isinstance(to_text(html), str)
