"""The ``accueil`` command: serve, worker, demo, token, and ``manage`` for any Django command."""

import os
import sys

SHORTCUTS = {"serve", "worker", "demo", "token", "simulate"}
# Commands whose name on the command line has a dash where Django's module has an underscore.
DASHED = {"open311-key": "open311_key", "mail-in": "mail_in"}
USAGE = """usage: accueil COMMAND [options]

  serve [--host H] [--port P]   run the web server (with the worker inside on SQLite)
  worker                        run background work (housekeeping; notifications later)
  demo [--no-history]           create or refresh the bilingual demo agency (and its history)
  token USERNAME                print a new API token for a staff user
  open311-key NAME              print a new Open311 key for a client application
  mail-in                       read one email on standard input, print its request's reference
  simulate [--days N]           replay simulated office days (history, benchmarks)
  manage ...                    any Django management command (migrate, createsuperuser, ...)
"""


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "accueil.settings")
    if not args or args[0] in {"-h", "--help", "help"}:
        print(USAGE)
        return
    command, rest = args[0], args[1:]
    if command == "manage":
        django_args = rest
    elif command in SHORTCUTS:
        django_args = [command, *rest]
    elif command in DASHED:
        django_args = [DASHED[command], *rest]
    else:
        print(f"accueil: unknown command {command!r}\n\n{USAGE}", file=sys.stderr)
        raise SystemExit(2)
    from django.core.management import execute_from_command_line

    execute_from_command_line(["accueil", *django_args])


if __name__ == "__main__":
    main()
