"""Insights at province scale: KPI pages, the live floor and the public page over millions of
visits and requests, and the rollup consumer's throughput (issue 14), on PostgreSQL.

    python -m bench.insights --generate [--visits N] [--cases N]   # a new history (slow at scale)
    python -m bench.insights                # page timings and consumer throughput, printed
    python -m bench.insights --report       # … and appended to docs/performance.md

The history lives in its own database, ``accueil_bench_insights``, kept between runs (the
other benches recreate ``accueil_bench``); its generation figures are kept with it, as the
database's comment. ``make bench`` reuses it when it is there and generates it otherwise.

Pages are timed one request at a time (the latency a supervisor sees): 3 warm-ups, then
``REQUESTS`` requests, p50 and p95. The list of pages is data (``PAGES``): a page that answers
404 is reported "not built" instead of failing, so this runs before and after the pages land.
A page over the 300 ms goal is profiled: its slowest statements are listed with the report.
"""

import argparse
import datetime as dt
import http.client
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATABASE = os.environ.get("ACCUEIL_BENCH_INSIGHTS_DB", "accueil_bench_insights")
VISITS, CASES = 5_000_000, 1_000_000
REQUESTS = 50
WARM_UPS = 3
GOAL_MS = 300
# (label, path): {office} is the busiest office's id, {start}/{end} a year up to today.
PAGES = [
    ("KPI overview, last 30 days", "/fr/staff/insights/?period=30"),
    ("KPI overview, last quarter", "/fr/staff/insights/?period=quarter"),
    ("KPI overview, one year", "/fr/staff/insights/?period=custom&start={start}&end={end}"),
    ("KPI overview, 30 days, one office", "/fr/staff/insights/?period=30&office={office}"),
    ("KPI visits, last quarter", "/fr/staff/insights/visits/?period=quarter"),
    ("KPI visits, one year", "/fr/staff/insights/visits/?period=custom&start={start}&end={end}"),
    ("KPI requests, last quarter", "/fr/staff/insights/requests/?period=quarter"),
    ("KPI satisfaction, last quarter", "/fr/staff/insights/satisfaction/?period=quarter"),
    ("KPI agents, 30 days, one office", "/fr/staff/insights/agents/?period=30&office={office}"),
    ("live floor, one office", "/fr/staff/floor/{office}/"),
    ("transparency page", "/fr/transparency/"),
    ("public performance API", "/api/v1/public/performance"),
]


def database_url() -> str:
    from bench.__main__ import POSTGRES

    return POSTGRES.rsplit("/", 1)[0] + "/" + DATABASE


def environment(data_dir: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update({"ACCUEIL_ENV": "test", "ACCUEIL_DATA_DIR": data_dir})
    env["DATABASE_URL"] = database_url()
    env["ACCUEIL_PUBLIC_READ_RATE"] = "0/60"  # every request comes from one loopback address
    return env


def step(env: dict[str, str], *args: str) -> dict:
    """Run one Django step of this module in a process on the bench database; its JSON."""
    result = subprocess.run(
        [sys.executable, "-m", "bench.insights", *args],
        env=env,
        check=True,
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


# -- steps run inside Django (a child process with the bench's DATABASE_URL) --------------------


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "accueil.settings")
    import django

    django.setup()


def load(visits: int, cases: int, seed: int) -> dict:
    """Generate the history, rebuild the rollups from it, VACUUM ANALYZE; the figures."""
    _django()

    from accueil.lib.progress import Progress
    from bench import history

    bars: list[Progress] = []

    def progress(label: str, total: int):
        if bars:
            bars[-1].close()
        bars.append(Progress(total, label))
        return bars[-1]

    figures = history.generate(visits, cases, seed=seed, progress=progress)
    bars[-1].close()
    figures["seed"] = seed
    figures["generated_at"] = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    _rebuild_and_keep(figures)
    return figures


def _rebuild_and_keep(figures: dict) -> None:
    """Rebuild the rollups, VACUUM ANALYZE, measure the database, and keep the figures with it
    (as its comment) for later runs that only time the pages."""
    from django.db import connection

    from accueil.insights import rollups
    from accueil.lib.progress import Progress

    began = time.perf_counter()
    bar = Progress(0, "events counted")
    figures["rebuilt_events"] = rollups.rebuild(progress=bar)
    bar.close()
    figures["rebuild_seconds"] = time.perf_counter() - began
    began = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
        figures["vacuum_seconds"] = time.perf_counter() - began
        cursor.execute("SELECT pg_database_size(current_database())")
        figures["database_bytes"] = figures["database_bytes_now"] = cursor.fetchone()[0]
        comment = json.dumps({k: v for k, v in figures.items() if k != "by_verb"})
        cursor.execute(f"COMMENT ON DATABASE {DATABASE} IS %s", [comment])


def rollup() -> dict:
    """Rebuild the rollups of the history already there, VACUUM ANALYZE; the figures, kept
    with the database beside the generation's (``python -m bench.insights --rebuild``)."""
    _django()
    from django.db import connection

    figures = generated()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE core_event")  # the consumer's plan needs the log's statistics
    _rebuild_and_keep(figures)
    return figures


def generated() -> dict:
    """The generation figures kept with the database (empty if it holds no history)."""
    _django()
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT shobj_description(oid, 'pg_database'), pg_database_size(oid) "
            "FROM pg_database WHERE datname = current_database()"
        )
        comment, size = cursor.fetchone()
    figures = json.loads(comment) if comment else {}
    if figures:
        figures["database_bytes_now"] = size
    return figures


def session() -> dict:
    """A signed-in session for the agency's administrator, and the values the paths need."""
    _django()
    from django.db.models import Count

    from accueil.accounts.models import User
    from accueil.catalog.models import Office
    from bench.cases import _signed_in_session

    chief = User.objects.get(username="bench-chef")
    office = (
        Office.objects.filter(agency_id=chief.agency_id)
        .annotate(n=Count("visits"))
        .order_by("-n")
        .values_list("id", flat=True)
        .first()
    )
    today = dt.date.today()
    return {
        "session": _signed_in_session(chief),
        "office": str(office),
        "start": (today - dt.timedelta(days=364)).isoformat(),
        "end": today.isoformat(),
    }


def profile(session_key: str, paths: list[str]) -> dict:
    """The slowest SQL statements of each path, rendered once in process (for a slow page)."""
    _django()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1", HTTP_ACCEPT_LANGUAGE="fr")
    client.cookies["sessionid"] = session_key
    found = {}
    for path in paths:
        client.get(path)  # warm
        with CaptureQueriesContext(connection) as queries:
            client.get(path)
        slowest = sorted(queries.captured_queries, key=lambda q: -float(q["time"]))[:3]
        found[path] = {
            "statements": len(queries.captured_queries),
            "seconds": sum(float(q["time"]) for q in queries.captured_queries),
            "slowest": [(float(q["time"]), q["sql"][:300]) for q in slowest],
        }
    return found


def consumer(events: int) -> dict:
    """The rollup consumer's throughput on this database, as the worker feeds it.

    The newest ``events`` events of the log (the day-to-day mix of visits, requests and
    surveys) are appended again after the consumer's cursor and fed in batches: of the
    consumer's own size, and of 20 (a quiet worker round). All in one transaction rolled back
    at the end, so the history and its rollups are left as they were."""
    _django()
    from django.db import connection, transaction

    from accueil.core.consumers import Consumer, consumers, feed
    from accueil.insights import rollups

    registered = consumers.get(rollups.NAME)
    results = {}
    for batch in (registered.batch, 20):
        with transaction.atomic():
            with connection.cursor() as cursor:
                columns = (
                    "created_at, agency_id, actor_id, actor_kind, office_id, service_id, "
                    "verb, object_type, object_id, data"
                )
                # The cursor's own txid, with later ids: read next, and below the server's.
                cursor.execute(
                    f"INSERT INTO core_event ({columns}, txid) "  # noqa: S608 - constant text
                    f"SELECT {columns}, (SELECT txid FROM core_consumercursor WHERE name = %s) "
                    "FROM (SELECT * FROM core_event WHERE verb = ANY(%s) "
                    "ORDER BY id DESC LIMIT %s) newest ORDER BY id",
                    [rollups.NAME, sorted(rollups.VERBS), events],
                )
            copy = Consumer(rollups.NAME, registered.verbs, registered.handle, batch)
            began, read = time.perf_counter(), 0
            while read < events:
                handled = feed(copy)
                if not handled:
                    break
                read += handled
            if read < events:
                raise RuntimeError(f"the consumer read {read} of {events} events")
            seconds = time.perf_counter() - began
            results[str(batch)] = {"events": read, "seconds": seconds, "rate": read / seconds}
            transaction.set_rollback(True)
    return results


# -- the orchestration (no Django here) --------------------------------------------------------


def exists() -> bool:
    import psycopg

    from bench.__main__ import postgres_available

    if not postgres_available():
        return False
    dsn = "host=127.0.0.1 port=5432 user=postgres dbname=postgres"
    with psycopg.connect(dsn, autocommit=True) as connection:
        found = connection.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
            [DATABASE],
        ).fetchone()
    return bool(found and found[0])


def generate(visits: int = VISITS, cases: int = CASES, seed: int = 7) -> dict:
    """A fresh database with a generated history; the figures (progress on standard error)."""
    from bench.__main__ import recreate_database

    recreate_database(DATABASE)
    with tempfile.TemporaryDirectory() as data_dir:
        env = environment(data_dir)
        command = [sys.executable, "-m", "accueil.cli", "manage", "migrate", "-v0"]
        subprocess.run(command, env=env, check=True)
        args = ["_load", "--visits", str(visits), "--cases", str(cases), "--seed", str(seed)]
        return step(env, *args)


def time_pages(base: str, values: dict) -> list[dict]:
    """Each page of ``PAGES``: p50 and p95 of sequential requests, or why it was not timed."""
    host, port = base.removeprefix("http://").split(":")
    results = []
    for label, template in PAGES:
        path = template.format(**values)
        connection = http.client.HTTPConnection(host, int(port), timeout=60)
        headers = {"Accept-Language": "fr", "Cookie": f"sessionid={values['session']}"}
        latencies, status, size = [], 0, 0
        for n in range(WARM_UPS + REQUESTS):
            began = time.perf_counter()
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            size = len(response.read())
            status = response.status
            if status != 200:
                break
            if n >= WARM_UPS:
                latencies.append(time.perf_counter() - began)
        connection.close()
        found = {"label": label, "path": path, "status": status, "bytes": size}
        if latencies:
            q = statistics.quantiles(latencies, n=100)
            found.update(p50=q[49] * 1000, p95=q[94] * 1000, max=max(latencies) * 1000)
        results.append(found)
    return results


def measure(consumer_events: int = 20_000) -> dict:
    """Serve the existing history and time its pages; the consumer's throughput beside."""
    from bench.__main__ import serve

    with tempfile.TemporaryDirectory() as data_dir:
        env = environment(data_dir)
        figures = step(env, "_generated")
        values = step(env, "_session")
        server, base = serve(env)
        load = [os.getloadavg()[0]]
        try:
            pages = time_pages(base, values)
            load.append(os.getloadavg()[0])
        finally:
            server.terminate()
            server.wait(timeout=10)
        slow = [p["path"] for p in pages if p.get("p95", 0) > GOAL_MS]
        profiles = step(env, "_profile", values["session"], *slow) if slow else {}
        throughput = step(env, "_consumer", str(consumer_events))
    return {
        "generated": figures,
        "pages": pages,
        "profiles": profiles,
        "consumer": throughput,
        "load": load,
    }


def mix_event_rate(rows: list[str]) -> tuple[float, str] | None:
    """Events per second a queue mix wrote, from its report rows (PostgreSQL, the most server
    processes, the last such row): each check-in, call and completion records one event the
    rollups count; status reads none."""
    best = None
    for line in rows:
        cells = [c.strip() for c in line.strip("|").split("|")]
        if len(cells) == 9 and cells[0] == "PostgreSQL" and "check-in" in cells[8]:
            rates = dict(part.rsplit(" ", 1) for part in cells[8].split(", "))
            per_second = {k: float(v.removesuffix("/s").replace(",", "")) for k, v in rates.items()}
            # A completion may also invite the visitor to a survey (invitation.created).
            events = per_second["check-in"] + per_second["call-next"] + 2 * per_second["complete"]
            if best is None or int(cells[1]) >= best[1]:
                best = (events, int(cells[1]))
    if best is None:
        return None
    return best[0], f"{best[1]} server process{'es' if best[1] > 1 else ''}"


def lines(results: dict, mix: tuple[float, str] | None) -> list[str]:
    """The report's section (Markdown)."""
    g = results["generated"]
    out = [
        "",
        f"Insights at province scale, PostgreSQL, database `{DATABASE}` "
        f"(generated {g.get('generated_at', '?')} by `python -m bench.insights --generate`, "
        f"seed {g.get('seed', '?')}): 1 agency, {g.get('offices', '?')} offices in 3 time "
        f"zones, 30 services with wait, response and resolution standards, "
        f"{g.get('days', '?')} working days; {g.get('visits', 0):,} visits and "
        f"{g.get('cases', 0):,} requests with {g.get('events', 0):,} events (COPY, "
        f"{g.get('generate_seconds', 0) / 60:.1f} min); rollups rebuilt from the log in "
        f"{g.get('rebuild_seconds', 0) / 60:.1f} min "
        f"({g.get('rebuilt_events', 0) / max(g.get('rebuild_seconds', 1), 1e-9):,.0f} events/s); "
        f"database {g.get('database_bytes_now', g.get('database_bytes', 0)) / 2**30:.2f} GiB. "
        f"Pages: one `accueil serve` process, the agency's administrator signed in, one "
        f"request at a time ({WARM_UPS} warm-ups, then {REQUESTS}); goal p95 < {GOAL_MS} ms; "
        f"load average of the machine (1 min) before and after the timings: "
        f"{' and '.join(f'{x:.1f}' for x in results.get('load', []))} on {os.cpu_count()} cores. "
        "Only the timings again: `python -m bench.insights --report`.\n",
        "| page | path | p50 ms | p95 ms | max ms | within goal |",
        "|---|---|---|---|---|---|",
    ]
    for page in results["pages"]:
        path = page["path"].replace("|", "%7C")
        if "p95" in page:
            ok = "yes" if page["p95"] < GOAL_MS else "**no**"
            out.append(
                f"| {page['label']} | `{path}` | {page['p50']:.0f} | {page['p95']:.0f} | "
                f"{page['max']:.0f} | {ok} |"
            )
        else:
            why = "not built (404)" if page["status"] == 404 else f"answered {page['status']}"
            out.append(f"| {page['label']} | `{path}` | – | – | – | {why} |")
    for path, found in results["profiles"].items():
        out.append(
            f"\nProfile of `{path}`: {found['statements']} statements, "
            f"{found['seconds'] * 1000:.0f} ms in the database; the slowest:"
        )
        out += [f"- {t * 1000:.0f} ms: `{sql}`" for t, sql in found["slowest"]]
    c = results["consumer"]
    big = max(c, key=int)
    out += [
        "",
        "Rollup consumer (`insights.rollups`) on this database: the newest events of the log "
        f"appended again after its cursor and fed as the worker feeds them; batches of {big} "
        f"events: {c[big]['rate']:,.0f} events/s; batches of 20: {c['20']['rate']:,.0f} "
        "events/s (one transaction, rolled back).",
    ]
    if mix is not None:
        rate, where = mix
        out[-1] += (
            f" The queue mix wrote {rate:,.0f} events/s ({where}: check-ins, calls, "
            "completions, and at most one survey invitation per completion): behind, the worker "
            f"feeds full batches and catches up {c[big]['rate'] / rate:,.1f} times as fast as "
            f"events come; even in batches of 20 it counts {c['20']['rate'] / rate:,.1f} times "
            "the rate."
        )
    return out


def report_rows(report: Path) -> list[str]:
    return report.read_text(encoding="utf-8").splitlines() if report.exists() else []


def run(mix_rows: list[str], generate_if_missing: bool = True) -> list[str]:
    """What ``make bench`` calls, with this run's queue mix rows: the section's lines
    (generating the history first if there is none)."""
    from bench.__main__ import postgres_available

    if not postgres_available():
        return ["", "Insights at province scale: skipped, no PostgreSQL on 127.0.0.1:5432."]
    if not exists():
        if not generate_if_missing:
            return ["", "Insights: no history; run `python -m bench.insights --generate`."]
        visits = int(os.environ.get("ACCUEIL_BENCH_VISITS", VISITS))
        cases = int(os.environ.get("ACCUEIL_BENCH_CASES", CASES))
        generate(visits, cases)
    return lines(measure(), mix_event_rate(mix_rows))


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.insights", description=__doc__)
    parser.add_argument("--generate", action="store_true", help="generate a new history first")
    parser.add_argument("--visits", type=int, default=VISITS)
    parser.add_argument("--cases", type=int, default=CASES)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--no-timings", action="store_true", help="only generate")
    parser.add_argument("--report", action="store_true", help="append to docs/performance.md")
    args = parser.parse_args(argv)
    if args.generate:
        figures = generate(args.visits, args.cases, args.seed)
        print(json.dumps(figures, indent=1))
    if args.no_timings:
        return
    from bench.__main__ import REPORT, machine

    text = "\n".join(lines(measure(), mix_event_rate(report_rows(REPORT)))) + "\n"
    print(text)
    if args.report:
        today = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
        head = f"\n## {today}\n\n- machine: {machine()}\n- command: `python -m bench.insights`\n"
        with REPORT.open("a", encoding="utf-8") as out:
            out.write(head + text)


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    command, rest = (sys.argv[1:2] or [""])[0], sys.argv[2:]
    if command == "_load":
        options = dict(zip(rest[::2], rest[1::2], strict=True))
        found = load(int(options["--visits"]), int(options["--cases"]), int(options["--seed"]))
        print(json.dumps(found))
    elif command == "_rollup":
        print(json.dumps(rollup()))
    elif command == "_generated":
        print(json.dumps(generated()))
    elif command == "_session":
        print(json.dumps(session()))
    elif command == "_profile":
        print(json.dumps(profile(rest[0], rest[1:])))
    elif command == "_consumer":
        print(json.dumps(consumer(int(rest[0]))))
    else:
        main(sys.argv[1:])
