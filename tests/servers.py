"""Real server processes for tests: free ports, readiness, the test database's URL, and a small
server-sent events reader."""

import http.client
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from django.db import connection


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url() -> str:
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{Path(settings['NAME']).resolve()}"
    user = settings["USER"] or "postgres"
    return f"postgres://{user}@{settings['HOST']}:{settings['PORT']}/{settings['NAME']}"


@contextmanager
def serving(count: int, tmp_path, env: dict[str, str] | None = None):
    """Start ``count`` server processes on the test database; yield their base URLs."""
    with running(count, tmp_path, env) as servers:
        yield [server.base for server in servers]


@dataclass
class Server:
    process: subprocess.Popen
    base: str
    log: IO


@contextmanager
def running(count: int, tmp_path, env: dict[str, str] | None = None, worker: bool = False):
    """Like ``serving``, yielding the processes too (to signal them, to read their memory).

    ``env`` adds to or overrides the servers' environment; ``worker`` lets each run background
    work in a thread (only on SQLite, as in production). A process that ignores SIGTERM for
    10 seconds is killed, so a test that fails never leaves a server behind."""
    # Each server links to where it listens (`accueil serve` derives it), not to an address
    # `make` exported for `make run`.
    inherited = {k: v for k, v in os.environ.items() if k != "ACCUEIL_SITE_URL"}
    env = {
        **inherited,
        "DATABASE_URL": database_url(),
        "ACCUEIL_ENV": "test",
        "ACCUEIL_CHECK_IN_RATE": "0/60",
        "ACCUEIL_DATA_DIR": str(tmp_path),
        **(env or {}),
    }
    servers: list[Server] = []
    try:
        for index in range(count):
            port = free_port()
            log = (tmp_path / f"serve-{index}.log").open("w")
            process = subprocess.Popen(
                [sys.executable, "-m", "accueil.cli", "serve", "--port", str(port)]
                + ([] if worker else ["--no-worker"]),
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            servers.append(Server(process, f"http://127.0.0.1:{port}", log))
        for server in servers:
            wait_ready(server.process, server.base, server.log)
        yield servers
    finally:
        for server in servers:
            server.process.terminate()
        stuck = []
        for server in servers:
            try:
                server.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                stuck.append(server.base)
                server.process.kill()
                server.process.wait()
            server.log.close()
        if stuck:
            raise RuntimeError(f"still running 10 s after SIGTERM: {stuck}")


def wait_ready(process, base, log) -> None:
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(base + "/readyz", timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    return
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(Path(log.name).read_text()) from None
            time.sleep(0.2)


class Display:
    """A display board's connection: reads ``event: board`` messages as dicts."""

    def __init__(self, base: str, office_id, timeout: float = 10) -> None:
        host = base.removeprefix("http://")
        self.connection = http.client.HTTPConnection(host, timeout=timeout)
        self.connection.request("GET", f"/api/v1/offices/{office_id}/events")
        self.response = self.connection.getresponse()

    def next_board(self) -> dict:
        event, data = None, []
        while True:
            line = self.response.fp.readline()
            if not line:
                raise EOFError("the stream ended")
            line = line.decode().rstrip("\n")
            if line.startswith("event:"):
                event = line.split(":", 1)[1].strip()
            elif line.startswith("data:"):
                data.append(line[5:].strip())
            elif line == "":
                if event == "board" and data:
                    return json.loads("\n".join(data))
                event, data = None, []

    def wait_for(self, predicate) -> dict:
        """Read boards until one satisfies ``predicate`` (the socket timeout bounds the wait)."""
        while True:
            board = self.next_board()
            if predicate(board):
                return board

    def close(self) -> None:
        self.connection.close()


def post(base: str, path: str, token: str | None = None, body: dict | None = None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(base + path, data=data, method="POST")  # noqa: S310
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    if data is not None:
        request.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
        status = response.status
        text = response.read()
    return status, (json.loads(text) if text else None)
