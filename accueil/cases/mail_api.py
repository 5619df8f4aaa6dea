"""``POST /api/v1/mail/inbound``: a mail provider's inbound webhook hands over one raw message.

The body is the message itself (``Content-Type: message/rfc822``), authenticated by the key
of a client application with the ``mail`` scope (``Authorization: Bearer app_…``, issued by an
administrator): the agency is the key's, so a provider can only deliver to that agency's
receiving addresses. The same action as ``accueil mail-in`` and the IMAP poller does the work
(``cases/mail_actions.py``); the answer says what became of the message.

The body is read here, capped at ``ACCUEIL_MAIL_MAX_MB`` before anything is read when the
``Content-Length`` says more (Django's own cap of 2.5 MB for bodies that are not forms would
refuse an ordinary photo).
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from ninja.security import HttpBearer

from accueil.accounts.models import ClientApp, ClientScope
from accueil.api.auth import bearer_token
from accueil.api.schemas import ErrorOut
from accueil.cases.mail_actions import do_receive_mail
from accueil.core.actions import ActionError

router = Router(tags=["mail"])
ACCEPTED_TYPES = ("message/rfc822", "application/octet-stream", "text/plain")


class MailKey(HttpBearer):
    """A client application's key with the ``mail`` scope. A key of another scope (an Open311
    application's) is known but not allowed here: 403; anything else: 401."""

    def __call__(self, request):
        # Parsed here, silently: a library that logs the header it could not parse logs the key.
        token = bearer_token(request.headers.get("Authorization", ""))
        if token is None:
            return None
        return self.authenticate(request, token)

    def authenticate(self, request, token):
        app = ClientApp.find(token, ClientScope.MAIL)
        if app is None:
            others = (scope for scope in ClientScope.values if scope != ClientScope.MAIL)
            if any(ClientApp.find(token, scope) is not None for scope in others):
                raise PermissionDenied
            return None
        request.actor = app.actor()
        return app


class MailInOut(Schema):
    outcome: str
    reference: str
    reason: str


def _raw_message(request) -> bytes:
    if request.content_type not in ACCEPTED_TYPES:
        raise ActionError(
            "unsupported_media_type",
            _("Send the raw message with Content-Type: message/rfc822."),
            415,
        )
    cap = settings.MAIL_MAX_BYTES
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    too_large = ActionError(
        "too_large",
        _("This message is too large: the limit is %(limit)s MB.") % {"limit": cap // 1_000_000},
        413,
    )
    if length > cap:
        raise too_large
    raw = request.read(cap + 1)
    if len(raw) > cap:
        raise too_large
    return raw


@router.post(
    "/mail/inbound",
    auth=MailKey(),
    response={
        200: MailInOut,
        201: MailInOut,
        400: ErrorOut,
        401: ErrorOut,
        403: ErrorOut,
        404: ErrorOut,
        409: ErrorOut,
        413: ErrorOut,
        415: ErrorOut,
        422: ErrorOut,
    },
    summary="Receive one email (a mail provider's inbound webhook)",
    description=(
        "The body is one raw RFC 5322 message (`Content-Type: message/rfc822`), at most "
        "`ACCUEIL_MAIL_MAX_MB`; `?recipient=` the envelope recipient when the provider gives "
        "it (matched before the message's own recipients). Needs the key of a client "
        "application with the `mail` scope. "
        "`201 {outcome, reference}` when the message opened a request (`opened`) or was added "
        "to one (`replied`); `200` for a second delivery of the same Message-ID "
        "(`duplicate`, with the first one's reference) and for mail sent by a machine "
        "(`ignored`, with the reason): a provider must not retry those. Refusals: 400 "
        "`unreadable`, 404 `unknown_address` (no receiving address of the key's agency among "
        "the recipients), 413 `too_large`, 415 `unsupported_media_type`, 422 `unavailable`; "
        "409 `conflict` may pass on a retry."
    ),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"message/rfc822": {"schema": {"type": "string", "format": "binary"}}},
        }
    },
)
def receive_mail(request, recipient: str = Query("", max_length=320)):
    outcome = do_receive_mail(request.actor, _raw_message(request), recipient=recipient)
    body = {"outcome": outcome.outcome, "reference": outcome.reference, "reason": outcome.reason}
    return Status(201 if outcome.created else 200, body)
