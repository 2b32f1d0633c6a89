"""The bookkeeping schema of `postgres`, where the platform keeps what no service may reach:
the watchdog's limits function, pg_stat_statements, the base backups' table, the denied-access
counts."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
from psycopg import sql

from pgplatform.dsn import ADMIN_SESSION_OPTIONS
from pgplatform.model import BOOKKEEPING_SCHEMA, BOOKKEEPING_SCHEMA_LOCK


@contextmanager
def admin_session(admin_dsn: str) -> Iterator[psycopg.Connection]:
    with psycopg.connect(admin_dsn, autocommit=True, connect_timeout=15,
                         options=ADMIN_SESSION_OPTIONS) as conn:
        yield conn


@contextmanager
def schema_session(admin_dsn: str, *readers: str) -> Iterator[psycopg.Connection]:
    """As the admin, in one transaction: the schema exists, closed to PUBLIC, with USAGE for
    `readers`. The engine runs the steps that grant there in parallel, and two rewrites of
    the schema's ACL would fail ("tuple concurrently updated"): each holds the lock."""
    schema = sql.Identifier(BOOKKEEPING_SCHEMA)
    with admin_session(admin_dsn) as conn, conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (BOOKKEEPING_SCHEMA_LOCK,))
        conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(schema))
        conn.execute(sql.SQL("REVOKE ALL ON SCHEMA {} FROM PUBLIC").format(schema))
        for reader in readers:
            conn.execute(sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(
                schema, sql.Identifier(reader)))
        yield conn


def readable_table(admin_dsn: str, table: str, columns: str, reader: str | None) -> None:
    """`pgplatform.<table>` (`columns`: its CREATE TABLE column list), the admin's to write,
    readable by `reader` (the exporter's login) alone."""
    ident = sql.Identifier(BOOKKEEPING_SCHEMA, table)
    readers = (reader,) if reader else ()
    with schema_session(admin_dsn, *readers) as conn:
        conn.execute(sql.SQL("CREATE TABLE IF NOT EXISTS {} ({})").format(
            ident, sql.SQL(columns)))
        conn.execute(sql.SQL("REVOKE ALL ON {} FROM PUBLIC").format(ident))
        for who in readers:
            conn.execute(sql.SQL("GRANT SELECT ON {} TO {}").format(ident, sql.Identifier(who)))


def drop_table(admin_dsn: str, table: str) -> None:
    with admin_session(admin_dsn) as conn:
        conn.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(
            sql.Identifier(BOOKKEEPING_SCHEMA, table)))
