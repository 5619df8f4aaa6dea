"""Files that people send us, checked and cleaned before anything keeps them.

A citizen's photo of a pothole or an agent's PDF goes into a case. What the file *says* it is
(its name, the type the browser declared) is never believed: the content is sniffed by its magic
bytes, scriptable content (HTML, SVG, XML) is refused whatever it is called, images are decoded
only after their header says they are a sane size and are then re-encoded without their
metadata (GPS position, camera serial, XMP), and office documents (zip containers) are judged by
their central directory without being extracted. What comes out is a ``CleanFile`` with a safe
name, a canonical extension and content type, and the bytes to keep.

Decisions, so callers and reviewers know them:

- **The extension must name the sniffed kind.** A PNG named ``photo.jpg``, a PDF named
  ``report.pdf.html``, an HTML page named ``form.pdf``: refused as ``mismatch`` (or
  ``scriptable`` when the content is markup). Accepting and silently renaming would hide the
  one clue that something is wrong; the message tells the person what the file really is. A
  name *without* an extension gets the canonical one.
- **Text is UTF-8 and is not markup.** A ``.txt`` file that is not UTF-8 is ``unreadable``;
  one that starts with a tag or holds ``<script``, ``<svg``, ``<html``, ``<iframe`` anywhere is
  ``scriptable``.
- **JavaScript has no kind here**: a ``.js`` file is refused (its extension names no kind we
  accept); the same text renamed ``.txt`` is plain text, downloaded as an attachment that no
  browser runs (``core.uploads.attachment_response``).
- **Nested archives** (an Excel chart embedded in a Word file is one) are opened one level
  deep and held to the same limits; an archive inside that is a ``zip_bomb``.
- **GIF and WebP come out as PNG** (one frame: animations are not kept); JPEG stays JPEG.
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import BinaryIO

from PIL import Image, ImageOps

KINDS = frozenset({"jpeg", "png", "gif", "webp", "pdf", "text", "docx", "xlsx", "odt"})
IMAGE_KINDS = frozenset({"jpeg", "png", "gif", "webp"})

# The extension a clean file gets, and every extension accepted for a kind.
CANONICAL_EXTENSION = {
    "jpeg": "jpg",
    "png": "png",
    "gif": "png",  # re-encoded as PNG
    "webp": "png",  # re-encoded as PNG
    "pdf": "pdf",
    "text": "txt",
    "docx": "docx",
    "xlsx": "xlsx",
    "odt": "odt",
}
EXTENSIONS = {
    "jpeg": {"jpg", "jpeg", "jpe"},
    "png": {"png"},
    "gif": {"gif"},
    "webp": {"webp"},
    "pdf": {"pdf"},
    "text": {"txt"},
    "docx": {"docx"},
    "xlsx": {"xlsx"},
    "odt": {"odt"},
}
CONTENT_TYPES = {
    "jpeg": "image/jpeg",
    "png": "image/png",
    "gif": "image/png",
    "webp": "image/png",
    "pdf": "application/pdf",
    "text": "text/plain; charset=utf-8",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "odt": "application/vnd.oasis.opendocument.text",
}

DEFAULT_MAX_PIXELS = 40_000_000
# Pillow's own decompression-bomb guard, process-wide: it refuses any image over twice this in
# Image.open, whoever opens it. clean_upload checks the caller's max_pixels itself before that.
Image.MAX_IMAGE_PIXELS = DEFAULT_MAX_PIXELS

HEAD_BYTES = 2048  # what sniff() needs to see
MAX_NAME_LENGTH = 120  # characters, extension included
MAX_RAW_NAME_LENGTH = 4096  # longer is no file's name: a bug or an attack, refused outright

# Zip containers (docx, xlsx, odt): judged by their central directory, never extracted.
ZIP_MAX_ENTRIES = 2_000
ZIP_MAX_TOTAL_BYTES = 200_000_000  # uncompressed, all entries together
ZIP_MAX_RATIO = 200  # uncompressed / compressed, for one entry over ZIP_RATIO_FLOOR
ZIP_RATIO_FLOOR = 1_000_000  # small entries (XML) compress very well and harm no one
ZIP_MAX_DEPTH = 1  # an archive inside a document is opened once; one deeper is refused

ZIP_MAGIC = b"PK\x03\x04"
ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"
OOXML_MAIN = {
    "docx": b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    "xlsx": b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
}

# Bidirectional and other invisible format characters, line and paragraph separators: a name
# like "photo\u202egpj.exe" shows as "photoexe.jpg". Unicode categories C* and Zl/Zp go.
_INVISIBLE = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
# Tags that make a browser run or load something, searched anywhere in text and PDF heads.
_ACTIVE_MARKUP = re.compile(rb"<\s*/?\s*(script|html|svg|iframe|object|embed|body|xml)\b", re.I)


CODES = (
    "too_large",
    "kind_not_allowed",
    "mismatch",  # the content does not match the extension
    "scriptable",  # HTML, SVG or XML content, whatever the name
    "too_many_pixels",
    "unreadable",  # a corrupt image or archive, text that is not UTF-8
    "zip_bomb",
    "empty",
    "bad_name",
)


class Refused(Exception):
    """The upload is refused. ``code`` is one of ``CODES``, stable (the message layer keys on
    it); ``context`` carries what a message may say (sizes, kinds, extensions)."""

    def __init__(self, code: str, **context: object) -> None:
        if code not in CODES:
            raise ValueError(f"not a refusal code: {code!r}")
        super().__init__(code)
        self.code = code
        self.context: dict[str, object] = context


@dataclass(frozen=True)
class CleanFile:
    name: str
    kind: str
    content_type: str
    data: bytes = field(repr=False)


# -- sniffing ----------------------------------------------------------------------------------


def sniff(head: bytes) -> str | None:
    """What the first bytes of a file say it is, by magic bytes only.

    Returns a member of ``KINDS``, ``"zip"`` (a container: ``clean_upload`` reads its directory
    to tell docx, xlsx and odt apart), one of ``"html"``, ``"svg"``, ``"xml"`` (scriptable), or
    None for anything else."""
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(ZIP_MAGIC):
        return "zip"
    markup = _markup(head)
    if markup:
        return markup
    if _is_utf8_text(head):
        return "text"
    return None


def _markup(head: bytes) -> str | None:
    """Markup a browser would render or run: what the text starts with (after a BOM and
    whitespace), as WHATWG MIME sniffing reads it: a tag, a comment, a doctype, a processing
    instruction."""
    text = head.removeprefix(b"\xef\xbb\xbf").lstrip(b" \t\r\n\x0c")
    if not text.startswith(b"<") or len(text) < 2:
        return None
    second = text[1:2]
    if not (second.isalpha() or second in (b"!", b"?", b"/")):
        return None
    lowered = text.lower()
    if b"<svg" in lowered:
        return "svg"
    if lowered.startswith(b"<?xml"):
        return "xml"
    return "html"


def _is_utf8_text(head: bytes) -> bool:
    if not head:
        return False
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as error:
        # A character cut in two by the end of the head is still text.
        if error.start < len(head) - 3:
            return False
        text = head[: error.start].decode("utf-8")
    return not any(unicodedata.category(char) == "Cc" and char not in "\t\n\r\x0c" for char in text)


# -- names -------------------------------------------------------------------------------------


def split_name(name: str) -> tuple[str, str]:
    """``(stem, extension)`` of a cleaned name; the extension in lower case, without the dot."""
    stem, dot, extension = name.rpartition(".")
    # "Budget v1.2" or "Scan 2026.01" has no extension: one has a letter and no space.
    if not dot or not re.fullmatch(r"[0-9]*[A-Za-z][A-Za-z0-9]{0,9}", extension):
        return name, ""
    return stem, extension.lower()


def clean_name(name: str) -> str:
    """A name safe to show and to offer for download: NFC, no folders, no invisible or
    direction-changing characters, no leading dots, at most MAX_NAME_LENGTH characters with the
    extension kept. Raises ``Refused("bad_name")`` for a name no file system would hold."""
    if len(name) > MAX_RAW_NAME_LENGTH:
        raise Refused("bad_name", length=len(name))
    name = unicodedata.normalize("NFC", name)
    name = re.split(r"[/\\]", name)[-1]
    name = "".join(c for c in name if unicodedata.category(c) not in _INVISIBLE)
    name = re.sub(r"\s+", " ", name).strip(" ").rstrip(".")
    stem, extension = split_name(name)  # before leading dots go: ".txt" is a .txt
    stem = stem.strip(" .") or "file"
    room = MAX_NAME_LENGTH - (len(extension) + 1 if extension else 0)
    stem = stem[:room].rstrip(" .") or "file"
    return f"{stem}.{extension}" if extension else stem


# -- the whole check ---------------------------------------------------------------------------


def clean_upload(
    name: str,
    stream: BinaryIO,
    *,
    allowed: Collection[str],
    max_bytes: int,
    max_pixels: int = DEFAULT_MAX_PIXELS,
) -> CleanFile:
    """Check one uploaded file and return what may be kept, or raise ``Refused``.

    Reads at most ``max_bytes + 1`` bytes of ``stream``. ``allowed`` is a subset of ``KINDS``
    (what the service accepts)."""
    unknown = set(allowed) - KINDS
    if unknown:
        raise ValueError(f"not kinds of file: {sorted(unknown)}")
    if max_pixels > 2 * DEFAULT_MAX_PIXELS:  # Pillow would refuse it first (see above)
        raise ValueError("max_pixels is above Pillow's decompression-bomb limit")
    safe_name = clean_name(name)
    data = _read_at_most(stream, max_bytes + 1)
    if not data:
        raise Refused("empty")
    if len(data) > max_bytes:
        raise Refused("too_large", size=_full_size(stream), limit=max_bytes)

    stem, extension = split_name(safe_name)
    found = sniff(data[:HEAD_BYTES])
    if found in ("html", "svg", "xml"):
        raise Refused("scriptable", kind=found)
    if found == "zip":
        found = _container_kind(data, max_bytes)
    if found is None:
        if extension == "txt":
            raise Refused("unreadable", kind="text")
        raise Refused("kind_not_allowed", kind=None, allowed=sorted(allowed))
    if found not in allowed:
        raise Refused("kind_not_allowed", kind=found, allowed=sorted(allowed))
    if extension and extension not in EXTENSIONS[found]:
        raise Refused(
            "mismatch",
            kind=found,
            extension=extension,
            expected=CANONICAL_EXTENSION[found],
        )

    if found in IMAGE_KINDS:
        data = _reencode(data, found, max_pixels)
    elif found == "text":
        data = _checked_text(data)
    elif found == "pdf" and _ACTIVE_MARKUP.search(data[:1024]):
        raise Refused("scriptable", kind="html")
    return CleanFile(
        name=f"{stem}.{CANONICAL_EXTENSION[found]}",
        kind=found,
        content_type=CONTENT_TYPES[found],
        data=data,
    )


def _read_at_most(stream: BinaryIO, limit: int) -> bytes:
    # One read() may return less than asked (sockets, some file wrappers): loop until the
    # limit or the end, never past the limit.
    parts: list[bytes] = []
    remaining = limit
    while remaining > 0:
        chunk = stream.read(min(remaining, 1 << 20))
        if not chunk:
            break
        parts.append(chunk)
        remaining -= len(chunk)
    return b"".join(parts)


def _full_size(stream: BinaryIO) -> int | None:
    """The whole size of a refused stream, when it can be known without reading it."""
    try:
        return stream.seek(0, io.SEEK_END)
    except (OSError, ValueError, AttributeError):
        return None


def _checked_text(data: bytes) -> bytes:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise Refused("unreadable", kind="text") from None
    if _markup(data[:HEAD_BYTES]) or _ACTIVE_MARKUP.search(data):
        raise Refused("scriptable", kind="html")
    if any(unicodedata.category(c) == "Cc" and c not in "\t\n\r\x0c" for c in text):
        raise Refused("unreadable", kind="text")
    return data


# -- images ------------------------------------------------------------------------------------

_PILLOW_FORMATS = {"jpeg": "JPEG", "png": "PNG", "gif": "GIF", "webp": "WEBP"}


def _reencode(data: bytes, kind: str, max_pixels: int) -> bytes:
    """Decode only after the header says the size is sane; then save the pixels alone."""
    try:
        image = Image.open(io.BytesIO(data), formats=[_PILLOW_FORMATS[kind]])
    except Image.DecompressionBombError:
        # Pillow's own guard, which reads the same header: refused before any decoding.
        raise Refused("too_many_pixels", limit=max_pixels) from None
    except Exception:  # noqa: BLE001 - Pillow raises many kinds for a corrupt header
        raise Refused("unreadable", kind=kind) from None
    with image:
        width, height = image.size  # from the header: Image.open does not decode
        if width * height > max_pixels:
            raise Refused("too_many_pixels", width=width, height=height, limit=max_pixels)
        try:
            image.load()
            upright = ImageOps.exif_transpose(image)
        except Exception:  # noqa: BLE001 - truncated or corrupt pixel data
            raise Refused("unreadable", kind=kind) from None
        return _save_without_metadata(upright, "JPEG" if kind == "jpeg" else "PNG")


_PNG_MODES = ("1", "L", "LA", "RGB", "RGBA", "I", "I;16")


def _save_without_metadata(image: Image.Image, target: str) -> bytes:
    if target == "JPEG":
        if image.mode not in ("L", "RGB"):
            image = image.convert("RGB")
    elif image.mode not in _PNG_MODES or "transparency" in image.info:
        # Palette transparency lives in info, which is dropped below: keep it in the pixels.
        image = image.convert("RGBA")
    # A copy with no info: no EXIF (GPS, camera serial), XMP, ICC profile, PNG text chunks or
    # comments can ride along, whatever this Pillow version's savers copy by default.
    pixels = image.copy()
    pixels.info = {}
    out = io.BytesIO()
    if target == "JPEG":
        pixels.save(out, "JPEG", quality=90)
    else:
        pixels.save(out, "PNG")
    return out.getvalue()


# -- zip containers ----------------------------------------------------------------------------


def _container_kind(data: bytes, max_bytes: int) -> str | None:
    """docx, xlsx or odt, from the directory of a zip; None for any other zip."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise Refused("unreadable", kind="zip") from None
    with archive:
        _check_archive(archive, max_bytes, depth=0)
        names = set(archive.namelist())
        if "mimetype" in names:
            if _read_entry(archive, "mimetype", 200).strip() == ODT_MIMETYPE:
                return "odt"
            return None
        if "[Content_Types].xml" in names:
            if any(name.lower().endswith("vbaproject.bin") for name in names):
                return None  # macros: not a plain document
            types = _read_entry(archive, "[Content_Types].xml", 1_000_000)
            for kind, main in OOXML_MAIN.items():
                if main in types:
                    return kind
        return None


def _check_archive(archive: zipfile.ZipFile, max_bytes: int, depth: int) -> None:
    """Refuse a zip bomb from its central directory: entry count, declared sizes and ratios.
    Archives inside it are opened (their size is bounded by ``max_bytes``) and checked the
    same way, one level deep."""
    entries = archive.infolist()
    if len(entries) > ZIP_MAX_ENTRIES:
        raise Refused("zip_bomb", reason="entries")
    if sum(entry.file_size for entry in entries) > ZIP_MAX_TOTAL_BYTES:
        raise Refused("zip_bomb", reason="size")
    for entry in entries:
        if entry.flag_bits & 0x1:
            raise Refused("unreadable", kind="zip")  # encrypted
        if entry.file_size > ZIP_RATIO_FLOOR and (
            entry.file_size > ZIP_MAX_RATIO * max(entry.compress_size, 1)
        ):
            raise Refused("zip_bomb", reason="ratio")
    for entry in entries:
        if entry.file_size < len(ZIP_MAGIC) or entry.is_dir():
            continue
        if _read_entry(archive, entry.filename, len(ZIP_MAGIC)) != ZIP_MAGIC:
            continue
        if depth >= ZIP_MAX_DEPTH or entry.file_size > max_bytes:
            raise Refused("zip_bomb", reason="nested")
        inner = _read_entry(archive, entry.filename, max_bytes)
        try:
            nested = zipfile.ZipFile(io.BytesIO(inner))
        except (zipfile.BadZipFile, OSError, ValueError, EOFError):
            raise Refused("unreadable", kind="zip") from None
        with nested:
            _check_archive(nested, max_bytes, depth + 1)


def _read_entry(archive: zipfile.ZipFile, name: str, limit: int) -> bytes:
    """At most ``limit`` bytes of one entry: what the directory declares is not trusted."""
    try:
        with archive.open(name) as entry:
            return entry.read(limit)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, RuntimeError, NotImplementedError):
        raise Refused("unreadable", kind="zip") from None
