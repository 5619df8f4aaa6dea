"""Which request an email belongs to: signed reply tokens, reply addresses, thread ids.

A reply is threaded onto its request **only** by a token we signed: an HMAC of the request's
id under ``SECRET_KEY`` (with ``SECRET_KEY_FALLBACKS``, so a key rotation does not orphan
conversations), written in lower-case base32 because mail systems may fold the case of an
address. It travels two ways, so that any mail program's answer carries it:

- in the **reply address** our messages give (``Reply-To``): the agency's receiving address
  with a subaddress, ``requests+r-2026-4k7qxm.<token>@city.example``;
- in the **Message-ID and References** of our messages (``<….r-2026-4k7qxm.<token>@accueil>``),
  which answers cite in ``In-Reply-To`` and ``References``.

A ``From:`` naming the citizen, a subject with the reference, or an ``In-Reply-To`` naming one
of our messages without a valid token attach nothing: anybody can write those.
"""

import re
from dataclasses import dataclass

from accueil.cases.models import Case, MailAddress
from accueil.core import capabilities
from accueil.lib.mailtext import Mail

KIND = "case-mail"  # its own key derivation: never the same as the tracking secret
_TOKEN = re.compile(
    r"(r-\d{4}-[a-z0-9]{6})\.(" + capabilities.LOWER_PATTERN + r")(?![a-z0-9])", re.IGNORECASE
)


def normalise(address: str) -> str:
    """``Requests+Anything@City.Example`` → ``requests@city.example`` (what an agency lists)."""
    local, at, domain = (address or "").strip().lower().rpartition("@")
    if not at:
        return ""
    return f"{local.partition('+')[0]}@{domain}"


def thread_of(case: Case) -> str:
    """The request's thread: its reference and its token, a dot-atom for Message-IDs."""
    return f"{case.reference.lower()}.{capabilities.lower_secret_for(KIND, case.id)}"


def reply_address(case: Case, receiving: str) -> str:
    """Where the citizen's answer should go: the receiving address, tagged with the thread."""
    local, _at, domain = receiving.rpartition("@")
    return f"{local}+{thread_of(case)}@{domain}"


def receiving_address(case: Case) -> str:
    """The agency's address for the case's service, else its first: "" when it has none."""
    addresses = MailAddress.objects.filter(agency_id=case.agency_id, active=True)
    found = addresses.filter(service_id=case.service_id).first() or addresses.first()
    return found.address if found is not None else ""


@dataclass(frozen=True)
class Claim:
    reference: str
    token: str


def claims(mail: Mail, envelope: str = "") -> list[Claim]:
    """Every (reference, token) the message carries, in its recipients or its threading
    headers, most trustworthy first; unverified."""
    places = [envelope, *(r.address for r in mail.recipients)]
    places += [*mail.in_reply_to, *reversed(mail.references)]
    found: list[Claim] = []
    for place in places:
        for match in _TOKEN.finditer(place or ""):
            claim = Claim(match.group(1).upper(), match.group(2).lower())
            if claim not in found:
                found.append(claim)
    return found


def case_for(mail: Mail, agency_id, envelope: str = "") -> Case | None:
    """The request of the agency whose valid token the message carries, else None."""
    for claim in claims(mail, envelope)[:5]:  # a message cannot make us check hundreds
        case = (
            Case.objects.select_related("service", "office__agency", "duplicate_of")
            .filter(reference=claim.reference, agency_id=agency_id)
            .first()
        )
        if case is not None and capabilities.holds_lower(KIND, case.id, claim.token):
            return case
    return None
