"""Who writes to the database: only actions (and a short, explained list of bookkeeping).

Run by ``make lint`` (``python -m tests.architecture.writers``) and by the suite. It reads the
source (no Django needed) and lists every call that writes through the ORM — ``.save()``,
``.delete()``, ``.create()``, ``bulk_create``, ``get_or_create``, ``update_or_create``,
``bulk_update`` and a queryset's ``.update()`` — outside the modules allowed to write.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2] / "accueil"

WRITES = {
    "save",
    "delete",
    "create",
    "bulk_create",
    "get_or_create",
    "update_or_create",
    "bulk_update",
}
QUERYSET_HINTS = ("objects", "filter", "exclude", "select_for_update", "all")

# Modules named for their job that may write, and why. Keep it short: a new entry needs a reason.
ALLOWED = {
    # The event log itself, and what core runs for every app.
    "core/events.py": "appends to the event log",
    "core/consumers.py": "advances a consumer's cursor in its handler's transaction",
    "core/ratelimit.py": "rate-limit buckets shared by every process",
    "core/housekeeping.py": "deletes expired sessions",
    # Bookkeeping beside a request or a worker round, not a change anyone asked for.
    "accounts/lockout.py": "django-axes handler: counts wrong passwords",
    "accounts/background.py": "housekeeping: forgets old sign-in failures",
    "api/auth.py": "records when a token was last used (once a minute)",
    "notify/outbox.py": "the outbox worker claims, sends and records messages",
    "notify/background.py": "housekeeping: clears old message bodies",
    "notify/campaigns.py": "the worker imports a campaign's rows in chunks",
    "notify/templates_text.py": "loads the reviewed wording files (a command)",
    "cases/replies.py": "loads the reviewed reply templates (a command and the demo)",
    "accounts/reset.py": "loads the reset email's default wording if it was never loaded",
    "queues/notices.py": "marks a near-turn notice sent (exactly once, by conditional update)",
    "queues/sweep.py": "housekeeping: returns stale calls and missed appointments",
    "insights/rollups.py": "the rollup consumer adds up events; its rebuild recounts the log",
    # Modules of actions not named actions.py (each function is a do_* action).
    "queues/booking.py": "appointment actions: do_book, do_reschedule, do_cancel_appointment",
    "queues/service_notices.py": "notice actions: do_publish_notice, do_withdraw_notice",
    # Not a model: Pillow's Image.save, into memory (lib imports nothing from Django).
    "lib/uploads.py": "re-encodes images with Image.save into a BytesIO",
    # Made-up data: the office simulator and the demo agency.
    "queues/simulate.py": "the simulator builds its office; visits go through actions",
    "site/demo.py": "seeds the demo agency",
    "cases/demo.py": "seeds the demo agency's teams, routing and questions",
    "feedback/demo.py": "seeds the demo agency's survey settings",
}


def allowed(path: Path, root: Path = ROOT) -> bool:
    relative = path.relative_to(root).as_posix()
    return (
        path.name == "actions.py"
        or path.name.endswith("_actions.py")
        or path.name == "models.py"  # model methods are the rows' own bookkeeping
        or "/models/" in f"/{relative}"  # the same, for an app whose models are a package
        or "/migrations/" in f"/{relative}"
        or relative in ALLOWED
    )


def _chain(node: ast.AST) -> str:
    """``Visit.objects.filter(x).update`` → "Visit.objects.filter().update"."""
    parts = []
    while True:
        if isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        elif isinstance(node, ast.Call):
            parts.append("()")
            node = node.func
        elif isinstance(node, ast.Name):
            parts.append(node.id)
            break
        else:
            break
    return ".".join(reversed(parts)).replace(".()", "()")


def writes_in(source: str) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        name, chain = node.func.attr, _chain(node.func)
        if name in WRITES:
            # form.save() writes too; dict-like .create() is not a thing in this code base.
            if name == "delete" and chain.startswith(("request.session", "cache")):
                continue
            found.append((node.lineno, chain))
        elif name == "update" and any(f".{hint}" in f".{chain}" for hint in QUERYSET_HINTS):
            found.append((node.lineno, chain))
    return found


def offenders(root: Path = ROOT) -> list[str]:
    lines = []
    for path in sorted(root.rglob("*.py")):
        if allowed(path, root):
            continue
        for lineno, chain in writes_in(path.read_text()):
            lines.append(f"{path.relative_to(root.parent)}:{lineno}: {chain}")
    return lines


if __name__ == "__main__":
    found = offenders()
    for line in found:
        print(line)
    if found:
        print(
            f"\n{len(found)} write(s) outside actions: move them into an action "
            "(CONTRIBUTING.md, 'Adding an action') or explain the exception in "
            "tests/architecture/writers.py"
        )
    sys.exit(1 if found else 0)
