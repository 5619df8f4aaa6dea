"""clean_upload: content is sniffed, never trusted from the name; scriptable content, bombs and
metadata never get through; names come out safe."""

import io

import pytest
from PIL import Image

from accueil.lib import uploads
from accueil.lib.uploads import KINDS, Refused, clean_name, clean_upload, sniff
from tests.security.corpus import files

MB = 1_000_000


def clean(name: str, data: bytes, allowed=KINDS, max_bytes=10 * MB, **options):
    return clean_upload(name, io.BytesIO(data), allowed=allowed, max_bytes=max_bytes, **options)


def refusal(name: str, data: bytes, **options) -> Refused:
    with pytest.raises(Refused) as caught:
        clean(name, data, **options)
    return caught.value


# -- sniffing ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (files.image("JPEG"), "jpeg"),
        (files.image("PNG"), "png"),
        (files.image("GIF"), "gif"),
        (files.image("WEBP"), "webp"),
        (b"%PDF-1.7\n", "pdf"),
        (files.docx(), "zip"),
        (files.read("note.txt"), "text"),
        (files.read("svg_with_script.svg"), "svg"),
        (files.read("html_renamed.pdf"), "html"),
        (b'<?xml version="1.0"?><a/>', "xml"),
        (b"\xef\xbb\xbf  <script>alert(1)</script>", "html"),
        (b"MZ\x90\x00\x03\x00\x00\x00", None),
        (b"", None),
    ],
)
def test_sniff_reads_the_magic_bytes(data, kind):
    assert sniff(data[: uploads.HEAD_BYTES]) == kind


def test_sniff_never_looks_at_a_name_or_a_declared_type():
    # The same bytes, whatever anyone calls them, are the same kind: sniff takes bytes only.
    html = files.read("html_renamed.pdf")
    assert sniff(html) == sniff(html[:64]) == "html"


# -- scriptable content, whatever its name -----------------------------------------------------


@pytest.mark.parametrize(
    "name", ["drawing.svg", "drawing.png", "drawing.pdf", "drawing.txt", "drawing"]
)
def test_an_svg_with_a_script_is_refused_whatever_it_is_called(name):
    refused = refusal(name, files.read("svg_with_script.svg"))
    assert refused.code == "scriptable"
    assert refused.context["kind"] == "svg"


def test_an_html_page_renamed_pdf_is_refused_as_scriptable():
    assert refusal("form.pdf", files.read("html_renamed.pdf")).code == "scriptable"


def test_report_pdf_html_is_refused():
    assert refusal("report.pdf.html", files.read("report.pdf.html")).code == "scriptable"


def test_a_real_pdf_named_pdf_html_is_a_mismatch():
    refused = refusal("report.pdf.html", b"%PDF-1.4\n%%EOF\n")
    assert refused.code == "mismatch"
    assert refused.context == {"kind": "pdf", "extension": "html", "expected": "pdf"}


def test_a_pdf_with_html_in_its_head_is_refused():
    assert refusal("scan.pdf", files.read("pdf_html_polyglot.pdf")).code == "scriptable"


def test_text_that_starts_with_markup_is_refused():
    assert refusal("note.txt", files.read("html_comment_first.txt")).code == "scriptable"


def test_text_with_a_script_tag_further_down_is_refused():
    data = b"Bonjour\n" * 400 + b"<script>alert(1)</script>\n"
    assert refusal("note.txt", data).code == "scriptable"


# -- extensions --------------------------------------------------------------------------------


def test_a_png_named_jpg_is_a_mismatch_that_names_the_real_kind():
    refused = refusal("photo.jpg", files.image("PNG"))
    assert refused.code == "mismatch"
    assert refused.context == {"kind": "png", "extension": "jpg", "expected": "png"}


def test_a_name_without_extension_gets_the_canonical_one():
    assert clean("photo", files.image("PNG")).name == "photo.png"


def test_a_jpeg_named_jpeg_in_capitals_comes_out_as_jpg():
    result = clean("PHOTO.JPEG", files.image("JPEG"))
    assert (result.name, result.kind, result.content_type) == ("PHOTO.jpg", "jpeg", "image/jpeg")


def test_digits_after_a_dot_are_not_an_extension():
    assert clean("Relevé 2026.01", files.read("note.txt")).name == "Relevé 2026.01.txt"


def test_a_kind_the_service_does_not_allow_is_refused():
    refused = refusal("scan.pdf", b"%PDF-1.4\n", allowed={"jpeg", "png"})
    assert refused.code == "kind_not_allowed"
    assert refused.context == {"kind": "pdf", "allowed": ["jpeg", "png"]}


def test_an_unknown_binary_is_refused():
    refused = refusal("setup.exe", b"MZ\x90\x00" + bytes(100))
    assert (refused.code, refused.context["kind"]) == ("kind_not_allowed", None)


def test_a_javascript_file_is_refused_even_though_it_is_text():
    assert refusal("app.js", b"alert(document.cookie)\n").code == "mismatch"


def test_unknown_kinds_in_allowed_are_a_programming_error():
    with pytest.raises(ValueError, match="exe"):
        clean("a.txt", b"a", allowed={"text", "exe"})


# -- sizes -------------------------------------------------------------------------------------


def test_an_empty_file_is_refused():
    assert refusal("empty.pdf", b"").code == "empty"


def test_a_file_over_the_limit_is_refused_with_its_size():
    data = b"%PDF-1.4\n" + bytes(2_000)
    refused = refusal("big.pdf", data, max_bytes=1_000)
    assert refused.code == "too_large"
    assert refused.context == {"size": len(data), "limit": 1_000}


def test_a_file_at_the_limit_is_accepted():
    data = b"%PDF-1.4\n" + bytes(991)
    assert len(clean("ok.pdf", data, max_bytes=1_000).data) == 1_000


class Endless(io.RawIOBase):
    """A stream that never ends and cannot seek: counts what was read from it."""

    def __init__(self) -> None:
        self.given = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        buffer[:] = b"\x00" * len(buffer)
        self.given += len(buffer)
        return len(buffer)


def test_no_more_than_the_limit_plus_one_byte_is_read():
    stream = Endless()
    with pytest.raises(Refused) as caught:
        clean_upload("x.pdf", stream, allowed=KINDS, max_bytes=5 * MB)
    assert caught.value.code == "too_large"
    assert caught.value.context["size"] is None  # unknown: the rest was never read
    assert stream.given == 5 * MB + 1


# -- names -------------------------------------------------------------------------------------


def test_a_right_to_left_override_and_a_nul_are_removed_from_a_name():
    # "invoice\u202efdp.exe" shows as "invoiceexe.pdf" in a right-to-left-aware list.
    result = clean("fac\x00ture\u202egpj.txt", files.read("note.txt"))
    assert result.name == "facturegpj.txt"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("../../etc/passwd.txt", "passwd.txt"),
        ("C:\\Users\\jeanne\\lettre.txt", "lettre.txt"),
        ("Cafe\u0301.txt", "Café.txt"),  # NFD in, NFC out
        ("...txt", "file.txt"),
        (".txt", "file.txt"),
        ("", "file"),
        ("  spaced \t out .txt ", "spaced out.txt"),
        ("\u2066note\u2069\u200b.txt", "note.txt"),
    ],
)
def test_names_lose_folders_invisible_characters_and_leading_dots(raw, expected):
    assert clean_name(raw) == expected


def test_a_long_name_is_cut_and_keeps_its_extension():
    name = clean_name("é" * 1_000 + ".pdf")
    assert len(name) == uploads.MAX_NAME_LENGTH
    assert name.endswith("é.pdf")


def test_a_name_longer_than_any_file_system_allows_is_refused():
    assert refusal("a" * 10_000 + ".txt", files.read("note.txt")).code == "bad_name"


# -- text --------------------------------------------------------------------------------------


def test_utf8_text_is_accepted_unchanged():
    data = "Le trottoir est brisé, près de l’école.\n".encode()
    result = clean("note.txt", data)
    assert (result.data, result.content_type) == (data, "text/plain; charset=utf-8")


def test_text_that_is_not_utf8_is_unreadable():
    refused = refusal("note.txt", files.read("latin1.txt"))
    assert (refused.code, refused.context) == ("unreadable", {"kind": "text"})


# -- images ------------------------------------------------------------------------------------


def test_a_jpeg_loses_its_gps_position_and_camera_serial():
    original = files.jpeg_with_gps()
    assert files.GPS_IFD in Image.open(io.BytesIO(original)).getexif()  # the payload is real
    result = clean("pothole.jpg", original)
    cleaned = Image.open(io.BytesIO(result.data))
    assert cleaned.format == "JPEG"
    assert dict(cleaned.getexif()) == {}
    assert b"SERIAL-12345" not in result.data
    assert b"taken at home" not in result.data
    assert "icc_profile" not in cleaned.info and "xmp" not in cleaned.info
    assert cleaned.size == (40, 20)


def test_a_jpeg_is_turned_upright_before_its_orientation_tag_is_dropped():
    # Orientation 6: the camera was turned; the picture must be rotated 90° clockwise.
    result = clean("turned.jpg", files.jpeg_with_gps(size=(40, 20), orientation=6))
    cleaned = Image.open(io.BytesIO(result.data)).convert("RGB")
    assert cleaned.size == (20, 40)
    # The blue left half of the stored picture is the top half once upright.
    top, bottom = cleaned.getpixel((10, 5)), cleaned.getpixel((10, 35))
    assert top[2] > 150 > top[0]
    assert bottom[0] > 150 > bottom[2]


def test_a_png_loses_its_text_and_xmp_chunks_and_keeps_its_transparency():
    result = clean("map.png", files.png_with_text())
    assert b"Jeanne" not in result.data and b"xmpmeta" not in result.data
    cleaned = Image.open(io.BytesIO(result.data))
    assert cleaned.mode == "RGBA" and cleaned.getpixel((0, 0)) == (0, 128, 0, 128)


@pytest.mark.parametrize(("kind", "name"), [("GIF", "a.gif"), ("WEBP", "a.webp")])
def test_gif_and_webp_come_out_as_png(kind, name):
    result = clean(name, files.image(kind))
    assert (result.name, result.content_type) == ("a.png", "image/png")
    assert Image.open(io.BytesIO(result.data)).format == "PNG"


def test_a_50000_by_50000_png_is_refused_from_its_header_without_decoding(monkeypatch):
    data = files.png_header_only(50_000, 50_000)
    assert len(data) < 200  # a real header, not a real picture

    def no_decoding(*args, **kwargs):
        raise AssertionError("the pixels were decoded")

    monkeypatch.setattr(Image.Image, "load", no_decoding)
    monkeypatch.setattr(Image.core, "new", no_decoding)  # no pixel buffer is ever allocated
    refused = refusal("huge.png", data)
    assert refused.code == "too_many_pixels"


def test_the_services_pixel_limit_is_read_from_the_header(monkeypatch):
    data = files.png_header_only(3_000, 2_000)  # 6 Mpx, under Pillow's own guard

    def no_decoding(*args, **kwargs):
        raise AssertionError("the pixels were decoded")

    monkeypatch.setattr(Image.Image, "load", no_decoding)
    refused = refusal("big.png", data, max_pixels=5_000_000)
    assert refused.code == "too_many_pixels"
    assert refused.context == {"width": 3_000, "height": 2_000, "limit": 5_000_000}


def test_a_truncated_image_is_unreadable():
    data = files.jpeg_with_gps(size=(400, 300))
    refused = refusal("cut.jpg", data[: len(data) // 2])
    assert (refused.code, refused.context) == ("unreadable", {"kind": "jpeg"})


def test_a_png_header_with_no_pixels_is_unreadable():
    assert refusal("empty.png", files.png_header_only(10, 10)).code == "unreadable"


# -- office documents --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("build", "name", "kind"),
    [
        (files.docx, "lettre.docx", "docx"),
        (files.xlsx, "budget.xlsx", "xlsx"),
        (files.odt, "lettre.odt", "odt"),
    ],
)
def test_office_documents_are_told_apart_by_their_directory(build, name, kind):
    data = build()
    result = clean(name, data)
    assert (result.kind, result.name, result.data) == (kind, name, data)


def test_a_docx_named_xlsx_is_a_mismatch():
    assert refusal("budget.xlsx", files.docx()).code == "mismatch"


def test_a_plain_zip_is_not_an_office_document():
    refused = refusal("archive.docx", files.zip_of({"a.txt": b"hello"}))
    assert (refused.code, refused.context["kind"]) == ("kind_not_allowed", None)


def test_a_docx_with_macros_is_not_a_plain_document():
    data = files.docx({"word/vbaProject.bin": b"\x00" * 100})
    assert refusal("lettre.docx", data).code == "kind_not_allowed"


def test_a_zip_bomb_docx_is_refused_by_its_compression_ratio_without_extraction(monkeypatch):
    data = files.docx_bomb_by_ratio(50)
    assert len(data) < MB  # 50 MB of content in under 1 MB of upload
    opened = []
    original = uploads.zipfile.ZipFile.open
    monkeypatch.setattr(
        uploads.zipfile.ZipFile,
        "open",
        lambda self, name, *a, **k: opened.append(name) or original(self, name, *a, **k),
    )
    refused = refusal("lettre.docx", data)
    assert (refused.code, refused.context) == ("zip_bomb", {"reason": "ratio"})
    assert opened == []  # judged from the central directory alone


def test_a_zip_bomb_docx_is_refused_by_its_total_size():
    refused = refusal("lettre.docx", files.docx_bomb_by_total())
    assert (refused.code, refused.context) == ("zip_bomb", {"reason": "size"})


def test_a_docx_with_too_many_entries_is_refused():
    data = files.docx_with_many_entries(uploads.ZIP_MAX_ENTRIES + 1)
    assert refusal("lettre.docx", data).context == {"reason": "entries"}


def test_one_embedded_spreadsheet_is_allowed_but_an_archive_inside_it_is_not():
    with_chart = files.docx({"word/embeddings/chart.xlsx": files.xlsx()})
    assert clean("rapport.docx", with_chart).kind == "docx"
    inner = files.zip_of({"deeper.zip": files.zip_of({"a.txt": b"a"})})
    nested = files.docx({"word/embeddings/chart.xlsx": inner})
    refused = refusal("rapport.docx", nested)
    assert (refused.code, refused.context) == ("zip_bomb", {"reason": "nested"})


def test_a_corrupt_zip_is_unreadable():
    data = files.docx()
    assert refusal("lettre.docx", data[:40]).code == "unreadable"


def test_a_16_bit_grey_png_keeps_its_depth():
    out = io.BytesIO()
    Image.new("I;16", (4, 4), 1000).save(out, "PNG")
    cleaned = Image.open(io.BytesIO(clean("scan.png", out.getvalue()).data))
    assert cleaned.getpixel((0, 0)) == 1000
