"""pg_stat_statements in `postgres` (no Pulumi here: `MonitorReadable` installs it):
every statement's calls, time, rows, buffers and WAL by the role that ran it, which
`scripts/status` and the exporter add up per service. It lives in `postgres`'s bookkeeping
schema, where no service's login can connect: the statement texts are for the admin's tools,
and the exporter's login reads the figures (it exports no text)."""

from __future__ import annotations

from psycopg import sql

from pgplatform import maintenance
from pgplatform.model import BOOKKEEPING_SCHEMA, STATEMENT_STATS

VIEW = STATEMENT_STATS
FUNCTIONS = ("pg_stat_statements(boolean)", "pg_stat_statements_info()",
             "pg_stat_statements_reset(oid, oid, bigint, boolean)")


def install(admin_dsn: str, reader: str | None) -> None:
    """As the admin, in `postgres`: the extension, closed to PUBLIC, its view and function
    readable by `reader` (the exporter's login) alone."""
    schema = sql.Identifier(BOOKKEEPING_SCHEMA)
    readers = (reader,) if reader else ()
    with maintenance.schema_session(admin_dsn, *readers) as conn:
        conn.execute(sql.SQL("CREATE EXTENSION IF NOT EXISTS {} WITH SCHEMA {}").format(
            sql.Identifier(STATEMENT_STATS), schema))
        for view in (VIEW, f"{VIEW}_info"):
            conn.execute(sql.SQL("REVOKE ALL ON {} FROM PUBLIC").format(
                sql.Identifier(BOOKKEEPING_SCHEMA, view)))
        for function in FUNCTIONS:
            conn.execute(sql.SQL("REVOKE ALL ON FUNCTION {}.{} FROM PUBLIC").format(
                schema, sql.SQL(function)))
        for who in map(sql.Identifier, readers):
            conn.execute(sql.SQL("GRANT SELECT ON {} TO {}").format(
                sql.Identifier(BOOKKEEPING_SCHEMA, VIEW), who))
            conn.execute(sql.SQL("GRANT EXECUTE ON FUNCTION {}.{} TO {}").format(
                schema, sql.SQL(FUNCTIONS[0]), who))


def remove(admin_dsn: str) -> None:
    with maintenance.admin_session(admin_dsn) as conn:
        conn.execute(sql.SQL("DROP EXTENSION IF EXISTS {}").format(
            sql.Identifier(STATEMENT_STATS)))
