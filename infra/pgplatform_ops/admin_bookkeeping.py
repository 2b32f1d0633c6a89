"""The operator tools' own tables, in the `postgres` database's `pgplatform` schema: PUBLIC has
no privilege there and no service can connect to `postgres`, so only the admin reads or writes
them (status's history, verification's runs)."""

from __future__ import annotations

import psycopg
from psycopg import sql

from pgplatform.model import BOOKKEEPING_SCHEMA


def table(conn: psycopg.Connection, name: str, columns: str) -> sql.Identifier:
    """`pgplatform.<name>` with `columns` (its CREATE TABLE column list), created if missing."""
    schema = sql.Identifier(BOOKKEEPING_SCHEMA)
    conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(schema))
    conn.execute(sql.SQL("REVOKE ALL ON SCHEMA {} FROM PUBLIC").format(schema))
    ident = sql.Identifier(BOOKKEEPING_SCHEMA, name)
    conn.execute(sql.SQL("CREATE TABLE IF NOT EXISTS {} ({})").format(ident, sql.SQL(columns)))
    return ident
