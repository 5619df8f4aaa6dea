"""Email in: messages per second through ``do_receive_mail`` in one process, and through the
real ``accueil mail-in`` subprocess a mail server would start for each message, on PostgreSQL.

`python -m bench.mailin run [URL]` recreates the database named in URL (default
``accueil_bench_mail`` beside the bench's PostgreSQL), migrates it, creates the demo agency
(whose receiving address `requetes@ville-demo.example` opens requests on its roads service) and
measures, printing one JSON line:

- ``inprocess``: ``NEW`` new messages (each from its own sender, so every one is acknowledged:
  routing, clocks, the acknowledgement queued, the threading headers looked up), then ``REPLIES``
  replies carrying their request's token, then the same ``NEW`` messages again (duplicates);
- ``subprocess``: ``PIPED`` messages piped one by one to ``accueil mail-in``, as Postfix's
  ``pipe`` does: interpreter and Django start-up included.

`bench.__main__` (``make bench``) calls ``run`` and writes the rows to docs/performance.md.
"""

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

NEW = 400
REPLIES = 200
PIPED = 20
RECEIVING = "requetes@ville-demo.example"
TEXT = (
    "Bonjour,\n\nIl y a un gros nid-de-poule devant le {n}, rue Principale. Une roue de vélo "
    "s'y est prise ce matin.\n\nMerci,\nCitoyen {n}\n\n-- \nEnvoyé de mon téléphone\n"
)


def raw_message(n: int, *, to: str = RECEIVING, headers: str = "") -> bytes:
    return (
        f"From: Citoyen {n} <citoyen{n}@example.org>\r\n"
        f"To: {to}\r\n"
        f"Subject: Nid-de-poule {n}\r\n"
        f"Message-ID: <bench-{n}-{to.split('@')[0]}@example.org>\r\n"
        "Date: Tue, 01 Dec 2026 10:00:00 -0500\r\n"
        f"{headers}"
        "MIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n"
        "Content-Transfer-Encoding: 8bit\r\n\r\n" + TEXT.format(n=n).replace("\n", "\r\n")
    ).encode()


def measure_in_process() -> dict:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "accueil.settings")
    django.setup()
    from accueil.cases import mailthread
    from accueil.cases.mail_actions import do_receive_mail
    from accueil.cases.models import Case
    from accueil.core.actors import Actor

    system = Actor.system()
    results = {}
    began, cpu = time.perf_counter(), time.process_time()
    references = [do_receive_mail(system, raw_message(n)).reference for n in range(NEW)]
    results["new"] = NEW / (time.perf_counter() - began)
    # This process's own CPU per message (the database's work not included): a figure that
    # other load on the machine changes much less than the wall-clock rate.
    results["new_cpu_ms"] = (time.process_time() - cpu) / NEW * 1000
    cases = {c.reference: c for c in Case.objects.filter(reference__in=references[:REPLIES])}
    replies = [
        raw_message(NEW + n, to=mailthread.reply_address(cases[ref], RECEIVING))
        for n, ref in enumerate(references[:REPLIES])
    ]
    began, cpu = time.perf_counter(), time.process_time()
    outcomes = [do_receive_mail(system, raw).outcome for raw in replies]
    results["replies"] = REPLIES / (time.perf_counter() - began)
    results["replies_cpu_ms"] = (time.process_time() - cpu) / REPLIES * 1000
    assert set(outcomes) == {"replied"}, outcomes
    began, cpu = time.perf_counter(), time.process_time()
    outcomes = [do_receive_mail(system, raw_message(n)).outcome for n in range(NEW)]
    results["duplicates"] = NEW / (time.perf_counter() - began)
    results["duplicates_cpu_ms"] = (time.process_time() - cpu) / NEW * 1000
    assert set(outcomes) == {"duplicate"}, outcomes
    return results


def measure_subprocess(env: dict[str, str]) -> tuple[float, float]:
    """(messages/s, CPU seconds per process: interpreter and Django start-up included)."""
    accueil = str(Path(sys.executable).parent / "accueil")
    before = os.times()
    began = time.perf_counter()
    for n in range(PIPED):
        result = subprocess.run(
            [accueil, "mail-in", "--recipient", RECEIVING],
            input=raw_message(100_000 + n),
            env=env,
            capture_output=True,
            check=False,
        )
        if result.returncode != 0:
            raise RuntimeError(result.stderr.decode()[-500:])
    rate = PIPED / (time.perf_counter() - began)
    after = os.times()
    cpu = (after.children_user + after.children_system) - (
        before.children_user + before.children_system
    )
    return rate, cpu / PIPED


def run(postgres_url: str) -> dict:
    from bench.__main__ import ROOT, recreate_database

    recreate_database(postgres_url.rsplit("/", 1)[1])
    with tempfile.TemporaryDirectory() as data_dir:
        env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        env.update({"ACCUEIL_ENV": "test", "ACCUEIL_DATA_DIR": data_dir})
        env["DATABASE_URL"] = postgres_url
        cli = [sys.executable, "-m", "accueil.cli"]
        subprocess.run([*cli, "manage", "migrate", "-v0"], env=env, check=True)
        subprocess.run([*cli, "demo", "--no-history"], env=env, check=True, capture_output=True)
        inprocess = json.loads(
            subprocess.run(
                [sys.executable, "-m", "bench.mailin", "inprocess"],
                env=env,
                check=True,
                capture_output=True,
                text=True,
                cwd=ROOT,
            )
            .stdout.strip()
            .splitlines()[-1]
        )
        piped, piped_cpu = measure_subprocess(env)
    load = os.getloadavg()[0]
    return {"inprocess": inprocess, "subprocess": piped, "subprocess_cpu": piped_cpu, "load": load}


HEADER = [
    "| database | how | messages | messages/s | client CPU ms per message |",
    "|---|---|---|---|---|",
]


def rows(results: dict) -> list[str]:
    inprocess = results["inprocess"]
    return [
        f"| PostgreSQL | `do_receive_mail`, new requests (acknowledged) | {NEW} | "
        f"{inprocess['new']:,.0f} | {inprocess['new_cpu_ms']:.1f} |",
        f"| PostgreSQL | `do_receive_mail`, replies by token | {REPLIES} | "
        f"{inprocess['replies']:,.0f} | {inprocess['replies_cpu_ms']:.1f} |",
        f"| PostgreSQL | `do_receive_mail`, duplicates | {NEW} | "
        f"{inprocess['duplicates']:,.0f} | {inprocess['duplicates_cpu_ms']:.1f} |",
        f"| PostgreSQL | `accueil mail-in` subprocess per message | {PIPED} | "
        f"{results['subprocess']:,.2f} | {results['subprocess_cpu'] * 1000:,.0f} |",
        "",
        f"Load average (1 min) at the end: {results['load']:.1f} on {os.cpu_count()} cores.",
    ]


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    if sys.argv[1:2] == ["inprocess"]:
        print(json.dumps(measure_in_process()))
    else:
        from bench.__main__ import POSTGRES

        url = (
            sys.argv[2] if len(sys.argv) > 2 else POSTGRES.rsplit("/", 1)[0] + "/accueil_bench_mail"
        )
        print("\n".join(HEADER + rows(run(url))))
