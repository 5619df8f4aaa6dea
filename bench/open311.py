"""Open311 GeoReport v2 against a real `accueil serve` on PostgreSQL: opening requests as a
civic app does (urlencoded POST with a key), and reading them back (the list, capped at the
specification's 1,000, a list of ids, one request).

`python -m bench.open311 seed N` (with the bench's environment) creates a bench agency whose
potholes service takes requests from apps, an Open311 key, and bulk-inserts N requests of
the last 60 days, half of them from Open311 (fixture data; the requests opened during the
measurement go through the endpoint and its actions like any other). It prints JSON.

`bench.__main__` calls ``run`` (`python -m bench.open311 run` alone prints the figures).
"""

import json
import os
import random
import sys
import urllib.parse
from datetime import timedelta

from bench.cases import CLIENTS, HEADER, _measured, describe, rows

POST_PER_CLIENT = 60
READS_PER_CLIENT = 25
SEEDED = 3_000


def seed(count: int) -> dict:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "accueil.settings")
    import django

    django.setup()
    from django.db import connection
    from django.utils import timezone

    from accueil.accounts.actions import do_issue_client_key
    from accueil.accounts.models import ClientScope
    from accueil.cases.actions import REFERENCE_ALPHABET
    from accueil.cases.models import Case, CaseField, CaseSettings, RoutingRule, Team
    from accueil.catalog.models import Agency, Office, OpeningHours, Service, ServiceStandard
    from accueil.core.actors import SYSTEM
    from accueil.notify.templates_text import load_files
    from accueil.open311.models import Media, Submission

    load_files()
    rng = random.Random(17)
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
        slug="nids-de-poule",
        name_fr="Nids-de-poule",
        name_en="Potholes",
        channels=["web", "app"],
    )
    service.offices.set([office])
    ServiceStandard.objects.create(
        service=service,
        measure="resolution",
        threshold=10,
        unit="business_days",
        target_percent=90,
    )
    CaseSettings.objects.create(service=service, office=office)
    CaseField.objects.create(
        service=service,
        code="size",
        kind="choice",
        label_fr="Taille",
        label_en="Size",
        required=True,
        choices=[
            {"value": "small", "fr": "Petit", "en": "Small"},
            {"value": "large", "fr": "Grand", "en": "Large"},
        ],
    )
    team = Team.objects.create(agency=agency, slug="voirie", name_fr="Voirie", name_en="Roads")
    RoutingRule.objects.create(agency=agency, position=1, service=service, team=team)
    app, key = do_issue_client_key(SYSTEM, "Bench app", ClientScope.OPEN311, agency=agency)
    now = timezone.now()
    cases, references = [], set()
    while len(references) < count:
        references.add("R-2026-" + "".join(rng.choice(REFERENCE_ALPHABET) for _ in range(6)))
    for reference in sorted(references):
        opened = now - timedelta(minutes=rng.randint(10, 60 * 24 * 60))
        text, address = describe(rng)
        status = rng.choice(["new", "acknowledged", "in_progress", "resolved", "closed"])
        cases.append(
            Case(
                reference=reference,
                agency=agency,
                service=service,
                office=office,
                team=team,
                status=status,
                channel=rng.choice(["app", "web"]),
                language="fr",
                description=text,
                address=address,
                fields={"size": "large"},
                latitude=round(45.5 + rng.random() / 10, 6),
                longitude=round(-73.6 + rng.random() / 10, 6),
                opened_at=opened,
                updated_at=opened,
                transitions=[[opened.isoformat(), "new"]],
                resolution_due_at=opened + timedelta(days=14),
            )
        )
    Case.objects.bulk_create(cases, batch_size=1000)
    Submission.objects.bulk_create(
        [
            Submission(
                case=case,
                client_app=app,
                media_url="https://photos.example.org/x.jpg",
                media=Media.LINK,
            )
            for case in cases
            if case.channel == "app"
        ],
        batch_size=1000,
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    return {
        "key": key,
        "jurisdiction": agency.slug,
        "service": service.slug,
        "references": sorted(references)[:10],
        "cases": count,
    }


def _call(connection, method: str, path: str, form: dict | None = None) -> int:
    headers = {"Accept-Language": "fr"}
    body = None
    if form is not None:
        body = urllib.parse.urlencode(form)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    connection.request(method, path, body=body, headers=headers)
    response = connection.getresponse()
    response.read()
    return response.status


def measure(base: str, seeded: dict) -> dict:
    rng = random.Random(23)
    results: dict = {}
    jurisdiction = seeded["jurisdiction"]

    def submit(connection, i):
        text, address = describe(rng)
        return _call(
            connection,
            "POST",
            "/open311/v2/requests.json",
            {
                "api_key": seeded["key"],
                "jurisdiction_id": jurisdiction,
                "service_code": seeded["service"],
                "lat": "45.5017",
                "long": "-73.5673",
                "address_string": address,
                "description": text,
                "email": f"c{i}@example.org",
                "first_name": "Client",
                "last_name": str(i),
                "attribute[size]": "large",
                "media_url": "https://photos.example.org/p.jpg",
            },
        )

    results["POST /open311/v2/requests.json"] = _measured(base, POST_PER_CLIENT, submit, "post")
    ids = ",".join(seeded["references"])
    listed = f"jurisdiction_id={jurisdiction}"
    reads = {
        "GET requests.json (90 days, first 1,000)": f"requests.json?{listed}",
        "GET requests.json?status=open": f"requests.json?{listed}&status=open",
        "GET requests.xml (90 days, first 1,000)": f"requests.xml?{listed}",
        "GET requests.json?service_request_id=<10 ids>": (
            f"requests.json?jurisdiction_id={jurisdiction}&service_request_id={ids}"
        ),
        "GET requests/{id}.json": (
            f"requests/{seeded['references'][0]}.json?jurisdiction_id={jurisdiction}"
        ),
        "GET services.json": f"services.json?jurisdiction_id={jurisdiction}",
    }
    for label, path in reads.items():

        def read(connection, i, path=path):
            return _call(connection, "GET", f"/open311/v2/{path}")

        results[label] = _measured(base, READS_PER_CLIENT, read, label)
    return results


def run(postgres_url: str, count: int = SEEDED) -> tuple[dict, dict]:
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
                # every request comes from one loopback address and one key
                "ACCUEIL_OPEN311_RATE": "0/60",
                "ACCUEIL_OPEN311_APP_RATE": "0/60",
                "ACCUEIL_OPEN311_READ_RATE": "0/60",
            }
        )
        command = [sys.executable, "-m", "accueil.cli", "manage", "migrate", "-v0"]
        subprocess.run(command, env=env, check=True)
        seeded = json.loads(
            subprocess.run(
                [sys.executable, "-m", "bench.open311", "seed", str(count)],
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


def describe_run(seeded: dict) -> str:
    return (
        f"Open311 GeoReport v2, PostgreSQL: one `accueil serve` process; {seeded['cases']:,} "
        "requests of the last 60 days in one jurisdiction (bulk-inserted, half from Open311), "
        "then those the POSTs open. POST is a civic app's urlencoded form with its key "
        "(cleaners, routing, clocks, the acknowledgement queued). One client alone "
        f"({READS_PER_CLIENT * 2} requests, {POST_PER_CLIENT * 2} for POST), then {CLIENTS} at "
        f"once ({READS_PER_CLIENT} each, {POST_PER_CLIENT} for POST), keep-alive, after a "
        "warm-up (`python -m bench.open311 run` alone).\n"
    )


if __name__ == "__main__":
    if sys.argv[1:2] == ["seed"]:
        print(json.dumps(seed(int(sys.argv[2]))))
    elif sys.argv[1:2] == ["run"]:
        from bench.__main__ import POSTGRES

        count = int(sys.argv[2]) if len(sys.argv) > 2 else SEEDED
        seeded, results = run(POSTGRES.rsplit("/", 1)[0] + "/accueil_bench_o311", count)
        print(describe_run(seeded))
        print("\n".join(HEADER + rows(seeded, results)))
