"""The layers and the one-writer rule hold, and each check would catch a break (proven on a
copy of the code with one line changed)."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.architecture.writers import ROOT, offenders

LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def test_only_actions_write_to_the_database():
    assert offenders() == []


def test_the_writer_check_catches_a_view_that_writes(tmp_path):
    package = tmp_path / "accueil" / "queues"
    package.mkdir(parents=True)
    (package / "views.py").write_text("def view(request):\n    Visit.objects.create(ticket='A')\n")
    (package / "actions.py").write_text("def do_it():\n    Visit.objects.create(ticket='A')\n")
    assert offenders(tmp_path / "accueil") == ["accueil/queues/views.py:2: Visit.objects.create"]


def run_lint_imports(project: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(project)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_import_layers_hold():
    result = run_lint_imports(ROOT.parent)
    assert result.returncode == 0, result.stdout[-3000:]


def test_the_layer_check_catches_core_importing_queues(tmp_path):
    shutil.copytree(ROOT, tmp_path / "accueil", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT.parent / "pyproject.toml", tmp_path)
    events = tmp_path / "accueil" / "core" / "events.py"
    events.write_text(events.read_text() + "\nimport accueil.queues.models  # noqa\n")
    result = run_lint_imports(tmp_path)
    assert result.returncode != 0
    assert "accueil.core.events -> accueil.queues.models" in result.stdout
