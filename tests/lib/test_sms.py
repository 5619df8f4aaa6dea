import pytest

from accueil.lib.sms import measure, sms_friendly


@pytest.mark.parametrize(
    "text,encoding,units,segments",
    [
        ("", "GSM-7", 0, 0),
        ("A" * 160, "GSM-7", 160, 1),
        ("A" * 161, "GSM-7", 161, 2),
        ("A" * 306, "GSM-7", 306, 2),
        ("A" * 307, "GSM-7", 307, 3),
        ("Votre tour approche : guichet 4. Présentez-vous à l'accueil.", "GSM-7", 60, 1),
        ("€" * 80, "GSM-7", 160, 1),  # extension characters cost two septets
        ("€" * 81, "GSM-7", 162, 2),
        ("Fête", "UCS-2", 4, 1),  # ê is not in GSM-7
        ("ê" * 70, "UCS-2", 70, 1),
        ("ê" * 71, "UCS-2", 71, 2),
        ("👍", "UCS-2", 2, 1),  # an emoji is two UTF-16 units
        ("👍" * 35, "UCS-2", 70, 1),
        ("👍" * 36, "UCS-2", 72, 2),
    ],
)
def test_segments_follow_gsm_and_ucs2_rules(text, encoding, units, segments):
    assert measure(text) == (measure(text).__class__(encoding, units, segments))


def test_french_typography_is_made_sms_friendly():
    text = "C’est votre tour\u00a0: «\u00a0guichet\u00a04\u00a0»"
    assert measure(text).encoding == "UCS-2"
    friendly = sms_friendly(text)
    assert friendly == 'C\'est votre tour : " guichet 4 "'
    assert measure(friendly).encoding == "GSM-7"
