"""Requests (cases) at scale: opening them through REST, and the agents' list and search at
100,000 requests, against a real `accueil serve` on PostgreSQL.

`python -m bench.cases seed N` (with the bench's environment) creates a bench agency — an
office, a service with a question, a team of agents, a routing rule — and bulk-inserts N
requests straight into the table with ``bulk_create``. That is fixture data, not behaviour:
the requests opened during the measurement go through the API and its actions like any other.
It prints JSON: the service's id and the tokens of one agent and one supervisor.

`bench.__main__` starts the server on that database and calls ``measure``.
"""

import http.client
import json
import os
import random
import statistics
import sys
import threading
import time
from datetime import timedelta

CLIENTS = 8
CREATE_PER_CLIENT = 60
READS_PER_CLIENT = 25
AGENTS = 20
SUBJECTS = [
    "nid-de-poule",
    "lampadaire éteint",
    "graffiti sur un mur",
    "déchets non ramassés",
    "bac de recyclage brisé",
    "arbre tombé",
    "trottoir glacé",
    "borne-fontaine qui fuit",
    "feu de circulation en panne",
    "bruit la nuit",
    "pothole",
    "streetlight out",
    "graffiti on a wall",
    "missed garbage pickup",
    "broken recycling bin",
    "fallen tree",
    "icy sidewalk",
    "leaking hydrant",
    "traffic light down",
    "noise at night",
]
STREETS = [
    "rue Principale",
    "rue Saint-Denis",
    "avenue du Parc",
    "boulevard Saint-Laurent",
    "rue Cartier",
    "chemin de la Côte",
    "rue Notre-Dame",
    "rue Sherbrooke",
    "avenue des Pins",
    "rue Wellington",
    "Elm Street",
    "Main Street",
    "Queen Street",
    "King Street",
    "Bank Street",
    "rue Laurier",
    "rue Rideau",
    "rue Sussex",
    "avenue Bronson",
    "promenade Riverside",
]
STATUSES = ["new"] * 2 + ["acknowledged"] * 2 + ["in_progress"] * 3 + ["waiting"] + ["resolved"] * 4
STATUSES += ["closed"] * 8


def describe(rng: random.Random) -> tuple[str, str]:
    street = rng.choice(STREETS)
    subject = rng.choice(SUBJECTS)
    text = (
        f"Bonjour, je signale un problème : {subject} au {rng.randint(1, 9999)}, {street}. "
        f"C'est là depuis {rng.randint(1, 30)} jours. Merci de votre aide."
    )
    return text, f"{rng.randint(1, 9999)}, {street}"


def seed(count: int) -> dict:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "accueil.settings")
    import django

    django.setup()
    from django.db import connection
    from django.utils import timezone

    from accueil.accounts.actions import do_issue_token
    from accueil.accounts.models import Role, User
    from accueil.cases.actions import REFERENCE_ALPHABET
    from accueil.cases.models import (
        Case,
        CaseField,
        CaseSettings,
        Membership,
        RoutingRule,
        Team,
    )
    from accueil.cases.replies import load_replies
    from accueil.catalog.models import Agency, Office, OpeningHours, Service, ServiceStandard
    from accueil.core.actors import Actor
    from accueil.notify.templates_text import load_files

    load_files()  # the acknowledgement's wording: each request opened queues it, as in use
    load_replies()
    rng = random.Random(11)
    agency = Agency.objects.create(slug="banc", name_fr="Ville de Banc", name_en="Bench City")
    office = Office.objects.create(
        agency=agency,
        slug="centre",
        name_fr="Centre",
        name_en="Centre",
        time_zone="America/Montreal",
    )
    for weekday in range(5):
        OpeningHours.objects.create(office=office, weekday=weekday, opens="08:30", closes="16:30")
    service = Service.objects.create(
        agency=agency,
        slug="voirie",
        name_fr="Voirie",
        name_en="Roads",
        channels=["web", "phone", "in_person"],
    )
    service.offices.set([office])
    for measure, threshold, unit in (
        ("response", 8, "business_hours"),
        ("resolution", 10, "business_days"),
    ):
        ServiceStandard.objects.create(
            service=service, measure=measure, threshold=threshold, unit=unit, target_percent=90
        )
    CaseSettings.objects.create(service=service, office=office)
    CaseField.objects.create(
        service=service,
        code="size",
        kind="choice",
        label_fr="Taille",
        label_en="Size",
        choices=[
            {"value": "small", "fr": "Petit", "en": "Small"},
            {"value": "large", "fr": "Grand", "en": "Large"},
        ],
    )
    team = Team.objects.create(agency=agency, slug="voirie", name_fr="Voirie", name_en="Roads")
    agents = []
    for n in range(AGENTS):
        agent = User.objects.create(username=f"agent-{n}", agency=agency, role=Role.AGENT)
        agent.offices.set([office])
        Membership.objects.create(team=team, user=agent)
        agents.append(agent)
    supervisor = User.objects.create(username="chef", agency=agency, role=Role.SUPERVISOR)
    RoutingRule.objects.create(agency=agency, position=1, service=service, team=team)

    now = timezone.now()
    references: set[str] = set()
    batch: list = []
    began = time.perf_counter()
    for n in range(count):
        while True:
            code = "".join(rng.choice(REFERENCE_ALPHABET) for _ in range(6))
            reference = f"R-{now.year}-{code}"
            if reference not in references:
                references.add(reference)
                break
        opened = now - timedelta(minutes=rng.randint(0, 365 * 24 * 60))
        status = rng.choice(STATUSES)
        text, address = describe(rng)
        state = rng.choice(["running"] * 6 + ["warning", "breached", "met", "missed"])
        batch.append(
            Case(
                reference=reference,
                agency=agency,
                service=service,
                office=office,
                team=team,
                assignee=agents[n % AGENTS] if n % 7 else None,
                status=status,
                channel=rng.choice(["web", "web", "phone", "in_person", "app"]),
                language=rng.choice(["fr", "fr", "en"]),
                description=text,
                contact_name=f"Personne {n}",
                contact_email=f"p{n}@example.org",
                address=address,
                fields={"size": rng.choice(["small", "large"])},
                opened_at=opened,
                updated_at=opened,
                transitions=[[opened.isoformat(), "new"]],
                response_due_at=opened + timedelta(days=1),
                resolution_due_at=opened + timedelta(days=14),
                response_state=state,
                resolution_state=state,
            )
        )
        if len(batch) == 5000:
            Case.objects.bulk_create(batch)
            batch = []
    if batch:
        Case.objects.bulk_create(batch)
    inserted = time.perf_counter() - began
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE cases_case")
    return {
        "service": str(service.id),
        "agency": agency.slug,
        "session": _signed_in_session(supervisor),
        "agent": do_issue_token(Actor.staff(agents[0]), "bench")[1],
        "supervisor": do_issue_token(Actor.staff(supervisor), "bench")[1],
        "cases": Case.objects.count(),
        "insert_seconds": inserted,
        "a_reference": sorted(references)[len(references) // 2],
    }


def _signed_in_session(user) -> str:
    """A session cookie for the workspace pages, as signing in would make (no password typed:
    the login form and its throttling are not what is measured)."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return session.session_key


# -- measuring ---------------------------------------------------------------------------------


def _run(
    base: str, per_client: int, request, clients: int = CLIENTS
) -> tuple[float, list[float], list[str]]:
    """``clients`` keep-alive clients each calling ``request(connection, i)`` ``per_client``
    times; returns (requests per second, latencies, errors)."""
    host, port = base.removeprefix("http://").split(":")
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()

    def client(number: int) -> None:
        connection = http.client.HTTPConnection(host, int(port), timeout=30)
        mine = []
        for i in range(per_client):
            began = time.perf_counter()
            status = request(connection, number * 10_000 + i)
            mine.append(time.perf_counter() - began)
            if status >= 300:
                with lock:
                    errors.append(str(status))
        connection.close()
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return len(latencies) / (time.perf_counter() - began), latencies, errors


def _call(
    connection, method: str, path: str, body: dict | None = None, token: str = "", session=""
) -> int:
    headers = {"Accept-Language": "fr"}
    if session:
        headers["Cookie"] = f"sessionid={session}"
    data = None
    if body is not None:
        data = json.dumps(body)
        headers["Content-Type"] = "application/json"
    if token:
        headers["Authorization"] = f"Bearer {token}"
    connection.request(method, path, body=data, headers=headers)
    response = connection.getresponse()
    response.read()
    return response.status


def _figures(alone: list[float], rate: float, latencies: list[float]) -> dict:
    """One client alone (the latency an agent sees), then ``CLIENTS`` at once (throughput)."""
    one = statistics.quantiles(alone, n=100)
    q = statistics.quantiles(latencies, n=100)
    return {
        "alone_p50": one[49] * 1000,
        "alone_p95": one[94] * 1000,
        "rate": rate,
        "p50": q[49] * 1000,
        "p95": q[94] * 1000,
        "p99": q[98] * 1000,
    }


def _measured(base: str, per_client: int, request, label: str) -> dict:
    _run(base, 3, request)  # warm-up
    _rate, alone, errors = _run(base, per_client * 2, request, clients=1)
    rate, latencies, more = _run(base, per_client, request)
    if errors or more:
        raise RuntimeError(f"{label}: {(errors + more)[:3]}")
    return _figures(alone, rate, latencies)


def measure(base: str, seeded: dict) -> dict:
    """Opening requests through REST, then the list and its searches, at the seeded size."""
    rng = random.Random(5)
    results: dict = {}

    def create(connection, i):
        text, address = describe(rng)
        return _call(
            connection,
            "POST",
            "/api/v1/cases",
            {
                "service": seeded["service"],
                "description": text,
                "language": "fr",
                "contact": {"name": f"Client {i}", "email": f"c{i}@example.org"},
                "location": {"address": address},
                "fields": {"size": "large"},
            },
        )

    results["POST /api/v1/cases"] = _measured(base, CREATE_PER_CLIENT, create, "create")

    second_page = ""

    def first_page_cursor():
        nonlocal second_page
        connection = http.client.HTTPConnection(*base.removeprefix("http://").split(":"))
        connection.request(
            "GET", "/api/v1/cases", headers={"Authorization": f"Bearer {seeded['agent']}"}
        )
        second_page = json.loads(connection.getresponse().read())["next"]
        connection.close()

    first_page_cursor()
    reads = {
        "GET /api/v1/cases (all, newest 50)": ("/api/v1/cases", "agent"),
        "GET /api/v1/cases (page 2, cursor)": (f"/api/v1/cases?cursor={second_page}", "agent"),
        "GET /api/v1/cases?view=mine": ("/api/v1/cases?view=mine", "agent"),
        "GET /api/v1/cases?view=team": ("/api/v1/cases?view=team", "agent"),
        "GET /api/v1/cases?view=unassigned": ("/api/v1/cases?view=unassigned", "agent"),
        "GET /api/v1/cases?view=breaching": ("/api/v1/cases?view=breaching", "supervisor"),
        "GET /api/v1/cases?status=waiting": ("/api/v1/cases?status=waiting", "agent"),
        "GET /api/v1/cases?q=lampadaire (5 % match)": ("/api/v1/cases?q=lampadaire", "agent"),
        "GET /api/v1/cases?q=rue+Cartier (5 % match)": ("/api/v1/cases?q=rue+Cartier", "agent"),
        "GET /api/v1/cases?q=hydrant+Wellington (rare)": (
            "/api/v1/cases?q=hydrant+Wellington",
            "agent",
        ),
        "GET /api/v1/cases?q=<reference>": (f"/api/v1/cases?q={seeded['a_reference']}", "agent"),
        "GET /api/v1/cases?q=lampadaire&view=open": (
            "/api/v1/cases?q=lampadaire&view=open",
            "supervisor",
        ),
    }
    for label, (path, who) in reads.items():
        token = seeded[who]

        def read(connection, i, path=path, token=token):
            return _call(connection, "GET", path, token=token)

        results[label] = _measured(base, READS_PER_CLIENT, read, label)

    # The workspace's list page, as an agent's browser asks for it (rendered HTML).
    pages = {
        "GET /fr/cases/?view=open (page)": "/fr/cases/?view=open",
        "GET /fr/cases/?view=all&q=lampadaire (page)": "/fr/cases/?view=all&q=lampadaire",
        "GET /fr/cases/?view=breaching (page)": "/fr/cases/?view=breaching",
    }
    for label, path in pages.items():

        def page(connection, i, path=path):
            return _call(connection, "GET", path, session=seeded["session"])

        results[label] = _measured(base, READS_PER_CLIENT, page, label)

    return results


def run(postgres_url: str, count: int = 100_000) -> tuple[dict, dict]:
    """Seed a fresh database named in ``postgres_url``, serve it, measure: (seeded, results)."""
    import subprocess
    import tempfile

    from bench.__main__ import ROOT, recreate_database, serve

    name = postgres_url.rsplit("/", 1)[1]
    recreate_database(name)
    with tempfile.TemporaryDirectory() as data_dir:
        env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        env.update(
            {
                "ACCUEIL_ENV": "test",
                "ACCUEIL_DATA_DIR": data_dir,
                "DATABASE_URL": postgres_url,
                "ACCUEIL_CASE_RATE": "0/60",  # every request comes from one loopback address
            }
        )
        command = [sys.executable, "-m", "accueil.cli", "manage", "migrate", "-v0"]
        subprocess.run(command, env=env, check=True)
        seeded = json.loads(
            subprocess.run(
                [sys.executable, "-m", "bench.cases", "seed", str(count)],
                env=env,
                check=True,
                capture_output=True,
                text=True,
                cwd=ROOT,
            )
            .stdout.strip()
            .splitlines()[-1]
        )
        server, base = serve(env)
        try:
            results = measure(base, seeded)
        finally:
            server.terminate()
            server.wait(timeout=10)
    return seeded, results


def rows(seeded: dict, results: dict) -> list[str]:
    return [
        f"| {label} | {f['alone_p50']:.1f} | {f['alone_p95']:.1f} | {f['rate']:,.0f} | "
        f"{f['p50']:.1f} | {f['p95']:.1f} | {f['p99']:.1f} |"
        for label, f in results.items()
    ]


HEADER = [
    "| request | 1 client p50 ms | 1 client p95 ms | 8 clients requests/s | p50 ms | p95 ms "
    "| p99 ms |",
    "|---|---|---|---|---|---|---|",
]


if __name__ == "__main__":
    if sys.argv[1:2] == ["seed"]:
        print(json.dumps(seed(int(sys.argv[2]))))
    elif sys.argv[1:2] == ["run"]:
        # `python -m bench.cases run [N]`: this part alone, printed, not written to the report.
        from bench.__main__ import POSTGRES

        seeded, results = run(POSTGRES, int(sys.argv[2]) if len(sys.argv) > 2 else 100_000)
        print(f"{seeded['cases']:,} requests, inserted in {seeded['insert_seconds']:.0f} s")
        print("\n".join(HEADER + rows(seeded, results)))
