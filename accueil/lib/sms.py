"""SMS length in segments, counted before sending (GSM 03.38 or UCS-2)."""

from __future__ import annotations

from dataclasses import dataclass

GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡"
    "ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_EXTENDED = frozenset("^{}\\[~]|€\f")  # each costs an escape plus the character

# French typography that phones render the same in GSM-7, so one apostrophe does not
# switch a whole message to UCS-2 (70 characters per segment instead of 160).
_SMS_FRIENDLY = str.maketrans(
    {"’": "'", "‘": "'", "\u00a0": " ", "\u202f": " ", "«": '"', "»": '"', "–": "-", "—": "-"}
)


@dataclass(frozen=True)
class SmsLength:
    encoding: str  # "GSM-7" or "UCS-2"
    units: int  # septets for GSM-7, UTF-16 code units for UCS-2
    segments: int


def sms_friendly(text: str) -> str:
    return text.translate(_SMS_FRIENDLY)


def measure(text: str) -> SmsLength:
    if all(ch in GSM_BASIC or ch in GSM_EXTENDED for ch in text):
        units = sum(2 if ch in GSM_EXTENDED else 1 for ch in text)
        single, multi, encoding = 160, 153, "GSM-7"
    else:
        units = len(text.encode("utf-16-le")) // 2  # emoji count twice
        single, multi, encoding = 70, 67, "UCS-2"
    if units == 0:
        segments = 0
    elif units <= single:
        segments = 1
    else:  # concatenated messages lose room to the header that joins them
        segments = -(-units // multi)
    return SmsLength(encoding, units, segments)
