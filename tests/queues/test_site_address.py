"""One source of truth for the site's address: `accueil serve --port 8100` (what
`PORT=8100 make run` runs) puts port 8100 in every link it prints or sends."""

import re
import subprocess
from pathlib import Path

from tests.servers import post, running

ROOT = Path(__file__).parents[2]


def test_make_run_passes_its_port_to_every_command(db):
    commands = subprocess.run(
        ["make", "-n", "run", "PORT=8100"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    assert "--port 8100" in commands
    assert "ACCUEIL_SITE_URL=" not in commands  # no second, differing source for demo
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"export ACCUEIL_SITE_URL \?= http://\$\(HOST\):\$\(PORT\)", makefile)


def test_links_from_a_server_on_another_port_carry_that_port(transactional_db, tmp_path):
    from tests.factories import OfficeFactory, ServiceFactory

    office = OfficeFactory()
    service = ServiceFactory(agency=office.agency, offices=[office])
    with running(1, tmp_path, env={"ACCUEIL_SITE_URL": ""}) as [server]:
        port = server.base.rsplit(":", 1)[1]
        status, visit = post(
            server.base, f"/api/v1/offices/{office.id}/visits", body={"service": str(service.id)}
        )
        assert status == 201
        assert visit["status_url"].startswith(f"http://127.0.0.1:{port}/fr/visits/")
        import urllib.request

        with urllib.request.urlopen(f"{server.base}/fr/poster/{office.id}/") as response:
            poster = response.read().decode()
        assert f"http://127.0.0.1:{port}/fr/check-in/{office.id}/" in poster
