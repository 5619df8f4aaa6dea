"""Losing the database the way a restart or a failover loses it, from inside a test."""

import pkgutil
import sqlite3
from contextlib import contextmanager
from unittest import mock

from django.db import connection


def backend_pid() -> int:
    connection.ensure_connection()
    return connection.connection.info.backend_pid


def terminate(pids) -> None:
    """Ends these PostgreSQL sessions from another connection (``pg_terminate_backend``)."""
    import psycopg

    settings = connection.settings_dict
    with psycopg.connect(
        host=settings["HOST"] or None,
        port=settings["PORT"] or None,
        user=settings["USER"] or "postgres",
        dbname=settings["NAME"],
        autocommit=True,
    ) as other:
        for pid in pids:
            other.execute("SELECT pg_terminate_backend(%s)", [pid])


def drop_now() -> None:
    """The next statement of this process's connection fails as if the server went away.

    On PostgreSQL its backend is really terminated. SQLite has no server to lose, so the
    connection's next statement fails with the driver's own error, as a dead disk would."""
    if connection.vendor == "postgresql":
        terminate([backend_pid()])
        return
    connection.ensure_connection()
    real = connection.connection

    class Dead:
        def __getattr__(self, name):
            raise sqlite3.OperationalError("disk I/O error")

        def cursor(self, *args, **kwargs):
            raise sqlite3.OperationalError("disk I/O error")

    connection.connection = Dead()
    connection._accueil_real = real


@contextmanager
def dropping_when(target: str):
    """Drop the connection the moment ``target`` (a dotted callable) is called, then run it."""
    original = pkgutil.resolve_name(target)

    def dropped(*args, **kwargs):
        drop_now()
        return original(*args, **kwargs)

    with mock.patch(target, dropped):
        yield


def restore() -> None:
    """After a drop: a fresh connection for the rest of the test and its teardown."""
    real = getattr(connection, "_accueil_real", None)
    if real is not None:
        connection.connection = real
        del connection._accueil_real
    connection.close()
