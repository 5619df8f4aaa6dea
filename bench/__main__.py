"""`make bench`: measure on this machine and append the figures to docs/performance.md.

Everything runs on loopback against a real `accueil serve`; every loop is bounded.
"""

import datetime as dt
import http.client
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
REPORT = ROOT / "docs" / "performance.md"
POSTGRES = os.environ.get(
    "ACCUEIL_BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432/accueil_bench"
)
REQUESTS_PER_CLIENT = 150
CLIENTS = 8


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{os.cpu_count()} cores, {cpu}, {memory:.0f} GiB, Python {platform.python_version()}"


def bench_business_time() -> str:
    from accueil.lib.businesstime import BusinessCalendar, parse_weekly

    zone = ZoneInfo("America/Toronto")
    calendar = BusinessCalendar(
        zone,
        parse_weekly("mon-fri 08:30-12:00,13:00-16:30"),
        holidays=frozenset({dt.date(2026, 5, 18), dt.date(2026, 7, 1)}),
    )
    start = dt.datetime(2026, 3, 6, 15, tzinfo=zone)
    count = 20_000
    began = time.perf_counter()
    for i in range(count):
        calendar.add(start + dt.timedelta(minutes=i % 600), dt.timedelta(hours=8 + i % 80))
    per_second = count / (time.perf_counter() - began)
    return f"| business time: `add` of 8–88 business hours | {per_second:,.0f} per second |"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def postgres_available() -> bool:
    try:
        import psycopg

        psycopg.connect(
            "host=127.0.0.1 port=5432 user=postgres dbname=postgres", connect_timeout=3
        ).close()
        return True
    except Exception:  # noqa: BLE001 - no PostgreSQL means we skip that half
        return False


def recreate_database(name: str) -> None:
    import psycopg

    dsn = "host=127.0.0.1 port=5432 user=postgres dbname=postgres"
    with psycopg.connect(dsn, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')


def start_server(env: dict[str, str], history_days: int = 0) -> tuple[subprocess.Popen, str]:
    run = [sys.executable, "-m", "accueil.cli"]
    subprocess.run([*run, "manage", "migrate", "-v0"], env=env, check=True)
    subprocess.run(
        [*run, "demo", "--history-days", str(history_days)],
        env=env,
        check=True,
        capture_output=True,
    )
    return serve(env)


def serve(env: dict[str, str]) -> tuple[subprocess.Popen, str]:
    """An `accueil serve` process on the prepared database, once it answers `/readyz`."""
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "accueil.cli", "serve", "--port", str(port), "--no-worker"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(150):
        try:
            urllib.request.urlopen(base + "/readyz", timeout=1).close()  # noqa: S310
            return server, base
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise RuntimeError("server did not start")


def peak_rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def load(base: str, path: str, per_client: int = REQUESTS_PER_CLIENT) -> tuple[float, list[float]]:
    host, port = base.removeprefix("http://").split(":")
    latencies: list[float] = []
    lock = threading.Lock()
    errors: list[str] = []

    def client() -> None:
        connection = http.client.HTTPConnection(host, int(port), timeout=10)
        mine = []
        for _ in range(per_client):
            began = time.perf_counter()
            connection.request("GET", path, headers={"Accept-Language": "fr"})
            response = connection.getresponse()
            response.read()
            mine.append(time.perf_counter() - began)
            if response.status != 200:
                errors.append(f"{path}: {response.status}")
        connection.close()
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    if errors:
        raise RuntimeError(errors[:3])
    return len(latencies) / elapsed, latencies


def row(database: str, path: str, rate: float, latencies: list[float], rss: float) -> str:
    q = statistics.quantiles(latencies, n=100)
    return (
        f"| {database} | `GET {path}` | {rate:,.0f} | {q[49] * 1000:.1f} | "
        f"{q[94] * 1000:.1f} | {q[98] * 1000:.1f} | {rss:.0f} |"
    )


def fresh_databases(configurations=(None,)):
    """Yield ``(name, configuration, env)``: each run gets an empty SQLite or PostgreSQL."""
    databases = [("SQLite", None)]
    if postgres_available():
        databases.append(("PostgreSQL", POSTGRES))
    for name, url in databases:
        for configuration in configurations:
            with tempfile.TemporaryDirectory() as data_dir:
                env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
                env.update({"ACCUEIL_ENV": "test", "ACCUEIL_DATA_DIR": data_dir})
                if url:
                    recreate_database("accueil_bench")
                    env["DATABASE_URL"] = url
                yield name, configuration, env


def bench_http() -> list[str]:
    rows = []
    for name, _, env in fresh_databases():
        server, base = start_server(env)
        try:
            for path in ("/api/v1/offices", "/fr/", "/healthz"):
                load(base, path, per_client=10)  # warm up connections and caches
                rate, latencies = load(base, path)
                rows.append(row(name, path, rate, latencies, peak_rss_mib(server.pid)))
        finally:
            server.terminate()
            server.wait(timeout=10)
    return rows


def bench_outbox() -> list[str]:
    rows = []
    for name, workers, env in fresh_databases(configurations=(1, 2)):
        result = subprocess.run(
            [sys.executable, "-m", "bench.outbox", str(workers)],
            env=env,
            check=True,
            capture_output=True,
            text=True,
            cwd=ROOT,
        )
        figures = json.loads(result.stdout.strip().splitlines()[-1])
        rate = figures["messages"] / figures["seconds"]
        rows.append(
            f"| {name} | {workers} | {figures['messages']:,} | {rate:,.0f} | "
            f"{figures['received']:,} |"
        )
    return rows


def quantiles_ms(latencies: list[float]) -> str:
    q = statistics.quantiles(latencies, n=100)
    return f"{q[49] * 1000:.1f} | {q[94] * 1000:.1f} | {q[98] * 1000:.1f}"


def bench_queues() -> tuple[list[str], list[str], list[str]]:
    from bench import queues

    mix_rows, raw_rows, display_rows = [], [], []

    def mix_row(name, processes, result, rss):
        kinds = ", ".join(f"{k} {v:,.0f}/s" for k, v in result["by_kind"].items())
        return (
            f"| {name} | {processes} | {result['clients']} | {result['ops']:,.0f} | "
            f"{quantiles_ms(result['latencies'])} | {rss:.0f} | {kinds} |"
        )

    for name, _, env in fresh_databases():
        env = {**env, "ACCUEIL_CHECK_IN_RATE": "0/60"}  # one client address takes every ticket
        server, base = start_server(env, history_days=5)
        servers = [server]
        try:
            tokens = json.loads(
                subprocess.run(
                    [sys.executable, "-m", "bench.agents"],
                    env=env,
                    check=True,
                    capture_output=True,
                    text=True,
                    cwd=ROOT,
                ).stdout.strip()
            )
            result = queues.mix([base], tokens)
            mix_rows.append(mix_row(name, 1, result, peak_rss_mib(server.pid)))
            shown = queues.displays(base, tokens)
            display_rows.append(
                f"| {name} | {queues.DISPLAYS} | {queues.DISPLAY_CALLS} | "
                f"{shown['p50'] * 1000:.0f} | {shown['p95'] * 1000:.0f} | "
                f"{shown['max'] * 1000:.0f} | {shown['missing']} | "
                f"{peak_rss_mib(server.pid):.0f} |"
            )
            if name == "PostgreSQL":  # N processes behind a load balancer
                second, second_base = serve(env)  # N processes, one database
                servers.append(second)
                both = queues.mix([base, second_base], tokens)
                rss = max(peak_rss_mib(s.pid) for s in servers)
                mix_rows.append(mix_row(name, 2, both, rss))
        finally:
            for running in servers:
                running.terminate()
                running.wait(timeout=10)
        if name == "PostgreSQL":
            dsn = POSTGRES.replace("postgres://", "postgresql://")
            rate = queues.raw_postgres(dsn, result["clients"])
        else:
            with tempfile.TemporaryDirectory() as scratch:
                rate = queues.raw_sqlite(str(Path(scratch) / "raw.sqlite3"))
        raw_rows.append(
            f"| {name} | {rate:,.0f} | {result['ops']:,.0f} | {100 * result['ops'] / rate:.1f} % |"
        )
    return mix_rows, raw_rows, display_rows


def bench_predictions(days: int = 10) -> str:
    with tempfile.TemporaryDirectory() as data_dir:
        env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        env.update({"ACCUEIL_ENV": "test", "ACCUEIL_DATA_DIR": data_dir})
        result = subprocess.run(
            [sys.executable, "-m", "bench.predictions", str(days)],
            env=env,
            check=True,
            capture_output=True,
            text=True,
            cwd=ROOT,
        )
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    ours, naive = figures["ours"], figures["naive"]
    return (
        f"| {figures['days']} working days, {figures['visits']:,} visits; measured from "
        f"{figures['measured_from']} ({figures['count']:,} waits) | "
        f"{ours['mae'] / 60:.1f} | {ours['p90'] / 60:.1f} | {naive['mae'] / 60:.1f} | "
        f"{naive['p90'] / 60:.1f} | {100 * ours['mae'] / naive['mae']:.0f} % |"
    )


def bench_cases() -> list[str]:
    """Requests at 100,000 (PostgreSQL only: the size the workspace is promised for)."""
    if not postgres_available():
        return ["", "Requests (cases): skipped, no PostgreSQL on 127.0.0.1:5432."]
    from bench import cases

    seeded, results = cases.run(POSTGRES.rsplit("/", 1)[0] + "/accueil_bench_cases")
    return [
        "",
        f"Requests (cases), PostgreSQL: one `accueil serve` process; {seeded['cases']:,} "
        "requests in one agency (bulk-inserted as fixture data, then `VACUUM ANALYZE`), 20 "
        "agents in one team; an agent's token (one office) unless noted. `POST /api/v1/cases` "
        "opens requests through the API (routing, clocks, the acknowledgement queued). One "
        f"client alone ({cases.READS_PER_CLIENT * 2} requests, {cases.CREATE_PER_CLIENT * 2} "
        f"for POST), then {cases.CLIENTS} at once ({cases.READS_PER_CLIENT} each, "
        f"{cases.CREATE_PER_CLIENT} for POST), keep-alive, after a warm-up "
        "(`python -m bench.cases run` alone).\n",
        *cases.HEADER,
        *cases.rows(seeded, results),
    ]


def bench_open311() -> list[str]:
    """Open311 POST and GET (PostgreSQL only), database accueil_bench_o311."""
    if not postgres_available():
        return ["", "Open311: skipped, no PostgreSQL on 127.0.0.1:5432."]
    from bench import cases, open311

    seeded, results = open311.run(POSTGRES.rsplit("/", 1)[0] + "/accueil_bench_o311")
    return ["", open311.describe_run(seeded), *cases.HEADER, *cases.rows(seeded, results)]


def bench_mailin() -> list[str]:
    """Email in: messages/s through the action and through `accueil mail-in` (PostgreSQL)."""
    if not postgres_available():
        return ["", "Email in: skipped, no PostgreSQL on 127.0.0.1:5432."]
    from bench import mailin

    results = mailin.run(POSTGRES.rsplit("/", 1)[0] + "/accueil_bench_mail")
    return [
        "",
        "Email in, PostgreSQL, demo agency: `do_receive_mail` in one process "
        f"({mailin.NEW} new messages from distinct senders, each opening an acknowledged "
        f"request; {mailin.REPLIES} replies by token; the {mailin.NEW} again as duplicates), "
        f"then {mailin.PIPED} messages piped one by one to a new `accueil mail-in` process, as "
        "a mail server's pipe does (start-up included).\n",
        *mailin.HEADER,
        *mailin.rows(results),
    ]


def bench_insights(mix_rows: list[str]) -> list[str]:
    """KPI pages, live floor and public page over a province's history (PostgreSQL), database
    accueil_bench_insights: reused when it is there, else generated (about 3½ hours at
    5,000,000 visits on the 2-core machine, rebuild included; ``ACCUEIL_BENCH_VISITS`` and
    ``ACCUEIL_BENCH_CASES`` set a smaller one)."""
    from bench import insights

    return insights.run(mix_rows)


def main() -> None:
    sys.path.insert(0, str(ROOT))
    today = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        f"\n## {today}\n",
        f"- machine: {machine()}",
        "- command: `make bench` (bench/__main__.py)",
        "- HTTP: one `accueil serve` process (uvicorn + a2wsgi thread pool), demo data, "
        f"{CLIENTS} keep-alive clients × {REQUESTS_PER_CLIENT} requests on loopback, "
        "after a short warm-up\n",
        "| what | figure |",
        "|---|---|",
        bench_business_time(),
        "",
        "| database | request | requests/s | p50 ms | p95 ms | p99 ms | server peak RSS MiB |",
        "|---|---|---|---|---|---|---|",
        *bench_http(),
        "",
        "Outbox: messages queued, then N `accueil worker` processes send them to a local",
        "SMTP server (aiosmtpd); time from starting the workers (start-up included) to the",
        "last row marked sent.\n",
        "| database | workers | emails | emails/s | received by SMTP |",
        "|---|---|---|---|---|",
        *bench_outbox(),
    ]
    mix_rows, raw_rows, display_rows = bench_queues()
    lines += [
        "",
        "Queues: one `accueil serve` process, demo office with 5 simulated days of history; "
        "4 kiosk clients (check-in, then 2 status reads) and one agent client per desk "
        "(call-next, then complete) over keep-alive HTTP for 20 s after a warm-up.\n",
        "| database | server processes | clients | operations/s | p50 ms | p95 ms | p99 ms "
        "| peak RSS MiB per process | by operation |",
        "|---|---|---|---|---|---|---|---|---|",
        *mix_rows,
        "",
        "The same statements straight through the driver (hand-written SQL of the four "
        "operations, same mix and concurrency; SQLite: one connection):\n",
        "| database | raw operations/s | HTTP operations/s (one process) "
        "| HTTP as a share of raw |",
        "|---|---|---|---|",
        *raw_rows,
        "",
        "Displays: server-sent-event connections to one office; latency from sending "
        "call-next to each display receiving the board that shows the call.\n",
        "| database | displays | calls | p50 ms | p95 ms | max ms | missed | server peak RSS MiB |",
        "|---|---|---|---|---|---|---|---|",
        *display_rows,
        "",
        "Predicted waits at check-in on simulated days (`accueil simulate`), mean and 90th "
        "percentile absolute error in minutes, against the naive estimator "
        "(position × mean service time ÷ open desks):\n",
        "| simulation | ours MAE | ours P90 | naive MAE | naive P90 | ours / naive |",
        "|---|---|---|---|---|---|",
        bench_predictions(),
    ]
    lines += bench_cases()
    lines += bench_open311()
    lines += bench_mailin()
    lines += bench_insights(mix_rows)
    text = "\n".join(lines) + "\n"
    print(text)
    if not REPORT.exists():
        REPORT.write_text("# Performance\n\nFigures appended by `make bench`, newest last.\n")
    with REPORT.open("a", encoding="utf-8") as report:
        report.write(text)


if __name__ == "__main__":
    main()
