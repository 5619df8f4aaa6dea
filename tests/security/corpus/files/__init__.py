"""Hostile and ordinary files for the upload checks: small ones are checked in beside this
module; the ones that must be built (images with metadata, a hand-made PNG header, zip bombs,
office documents) are built here, so each test says what it sends."""

import io
import struct
import zipfile
import zlib
from pathlib import Path

from PIL import Image

FOLDER = Path(__file__).parent


def read(name: str) -> bytes:
    return (FOLDER / name).read_bytes()


# -- images ------------------------------------------------------------------------------------

GPS_IFD = 0x8825
ORIENTATION = 0x0112


def jpeg_with_gps(size=(40, 20), orientation: int | None = None) -> bytes:
    """A real JPEG whose EXIF holds a GPS position (Montréal city hall), a camera serial and,
    optionally, an orientation."""
    image = Image.new("RGB", size, (200, 30, 30))
    image.paste((30, 30, 200), (0, 0, size[0] // 2, size[1]))  # left half blue
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0xA431] = "SERIAL-12345"  # BodySerialNumber
    if orientation:
        exif[ORIENTATION] = orientation
    gps = exif.get_ifd(GPS_IFD)
    gps[1] = "N"
    gps[2] = (45.0, 30.0, 31.0)
    gps[3] = "W"
    gps[4] = (73.0, 33.0, 16.0)
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, comment=b"taken at home")
    return out.getvalue()


def png_with_text(size=(8, 8)) -> bytes:
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "Jeanne Citoyenne, 12 rue des Érables")
    info.add_itxt("XML:com.adobe.xmp", "<x:xmpmeta>GPS 45.5,-73.5</x:xmpmeta>")
    out = io.BytesIO()
    Image.new("RGBA", size, (0, 128, 0, 128)).save(out, "PNG", pnginfo=info)
    return out.getvalue()


def image(kind: str, size=(8, 8)) -> bytes:
    out = io.BytesIO()
    mode = "P" if kind == "GIF" else "RGB"
    Image.new(mode, size).save(out, kind)
    return out.getvalue()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return (
        struct.pack(">I", len(data))
        + kind
        + data
        + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    )


def png_header_only(width: int, height: int) -> bytes:
    """A PNG built by hand that claims ``width`` × ``height`` (IHDR with a correct CRC) and
    carries a few bytes of pixel data: decoding it would need width × height × 3 bytes."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB
    idat = zlib.compress(b"\x00" * 16)
    return (
        b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", idat) + _chunk(b"IEND", b"")
    )


# -- zip containers ----------------------------------------------------------------------------

DOCX_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
    'package/2006/content-types"><Override PartName="/word/document.xml" ContentType="'
    'application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
)
XLSX_TYPES = DOCX_TYPES.replace("/word/document.xml", "/xl/workbook.xml").replace(
    "wordprocessingml.document.main", "spreadsheetml.sheet.main"
)


def zip_of(entries: dict[str, bytes], level: int = 6) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as archive:
        for name, data in entries.items():
            if name == "mimetype":
                archive.writestr(name, data, compress_type=zipfile.ZIP_STORED)
            else:
                archive.writestr(name, data)
    return out.getvalue()


def docx(extra: dict[str, bytes] | None = None) -> bytes:
    return zip_of(
        {
            "[Content_Types].xml": DOCX_TYPES.encode(),
            "word/document.xml": b"<w:document>Bonjour</w:document>",
            **(extra or {}),
        }
    )


def xlsx() -> bytes:
    return zip_of({"[Content_Types].xml": XLSX_TYPES.encode(), "xl/workbook.xml": b"<workbook/>"})


def odt() -> bytes:
    return zip_of(
        {
            "mimetype": b"application/vnd.oasis.opendocument.text",
            "content.xml": b"<office:document-content/>",
        }
    )


def docx_bomb_by_ratio(megabytes: int = 50) -> bytes:
    """One entry of ``megabytes`` MB of zeros: compressed about a thousand times."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("[Content_Types].xml", DOCX_TYPES)
        with archive.open("word/document.xml", "w", force_zip64=True) as entry:
            block = b"\x00" * 1_000_000
            for _ in range(megabytes):
                entry.write(block)
    return out.getvalue()


def docx_bomb_by_total(entries: int = 210) -> bytes:
    """Many entries just under the ratio check's floor, together over the total cap."""
    out = io.BytesIO()
    block = b"\x00" * 999_999
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("[Content_Types].xml", DOCX_TYPES)
        for index in range(entries):
            archive.writestr(f"word/media/part{index}.bin", block)
    return out.getvalue()


def docx_with_many_entries(count: int) -> bytes:
    return docx({f"word/media/{index}.xml": b"<a/>" for index in range(count)})
