"""The display stream's own answers when it cannot serve: the contract's error shape."""

import asyncio
import json

from django.db import OperationalError

from accueil.queues import hub as hub_module
from accueil.queues import sse


def run_stream(office, headers=()):
    sent = []

    async def receive():
        return {"type": "http.disconnect"}

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "method": "GET", "path": "/", "headers": list(headers)}
    asyncio.run(sse.stream(office, scope, receive, send))
    return sent


def test_unknown_office_is_404_in_french_or_english(db):
    sent = run_stream("not-a-uuid", headers=[(b"accept-language", b"en-CA")])
    assert sent[0]["status"] == 404
    assert json.loads(sent[1]["body"])["error"]["message"] == "Nothing was found at this address."


def test_database_away_is_a_503_with_retry_after(monkeypatch, db):
    def unavailable(office_id):
        raise OperationalError("the database is restarting")

    monkeypatch.setattr(hub_module, "board_json", unavailable)
    sent = run_stream("00000000-0000-0000-0000-000000000001")
    assert sent[0]["status"] == 503
    assert (b"retry-after", b"5") in sent[0]["headers"]
    assert json.loads(sent[1]["body"])["error"]["code"] == "unavailable"
    assert sse.hub.displays == {}  # the display left no subscription behind
