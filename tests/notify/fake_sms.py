"""A local stand-in for the SMS provider, speaking its real HTTP API (the edge we cannot reach).

POST /2010-04-01/Accounts/{sid}/Messages.json, form-encoded, HTTP Basic auth; 201 with a JSON
message resource; errors as JSON {"code", "message", "status"} with the provider's codes.
Magic numbers, as the provider's test credentials use: +15005550001 invalid (21211),
+15005550009 cannot receive SMS (21614), +15005550010 unsubscribed (21610).
"""

import base64
import itertools
import json
import re
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ERRORS = {
    "+15005550001": (21211, "The 'To' number is not a valid phone number."),
    "+15005550009": (21614, "'To' number is not a valid mobile number"),
    "+15005550010": (21610, "Attempt to send to unsubscribed recipient"),
}
PATH = re.compile(r"^/2010-04-01/Accounts/(?P<sid>\w+)/Messages\.json$")


class Handler(BaseHTTPRequestHandler):
    def _answer(self, status, payload):
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        provider = self.server.provider
        match = PATH.match(self.path)
        length = int(self.headers.get("Content-Length", 0))
        form = dict(urllib.parse.parse_qsl(self.rfile.read(length).decode()))
        if match is None:
            return self._answer(404, {"code": 20404, "message": "Not found", "status": 404})
        expected = base64.b64encode(f"{provider.account}:{provider.token}".encode()).decode()
        if (
            match["sid"] != provider.account
            or self.headers.get("Authorization") != f"Basic {expected}"
        ):
            return self._answer(401, {"code": 20003, "message": "Authenticate", "status": 401})
        if provider.outage:
            return self._answer(
                503, {"code": 20500, "message": "Service unavailable", "status": 503}
            )
        if form.get("To") in ERRORS:
            code, text = ERRORS[form["To"]]
            return self._answer(400, {"code": code, "message": text, "status": 400})
        sid = f"SM{next(provider.counter):032x}"
        with provider.lock:
            provider.sent.append({"sid": sid, **form})
        return self._answer(
            201, {"sid": sid, "status": "queued", "to": form["To"], "body": form["Body"]}
        )

    def log_message(self, *args):
        pass


class FakeSmsProvider:
    def __init__(self, account="AC0000test", token="test-auth-token"):
        self.account, self.token = account, token
        self.sent, self.outage = [], False
        self.lock, self.counter = threading.Lock(), itertools.count(1)
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.provider = self
        self.url = f"http://127.0.0.1:{self.server.server_port}"

    def __enter__(self):
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
