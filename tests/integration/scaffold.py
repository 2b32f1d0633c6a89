"""Database scaffolding shared by the integration tests: what the Pulumi program would have made
before a module's migrations run (a database, its `extensions` schema with `vector`, a NOLOGIN
owner role and the service schema it owns)."""

from __future__ import annotations

import psycopg
from psycopg import sql

from pgserver import PgServer


def fresh_database(server: PgServer, name: str, schema: str, owner: str) -> str:
    """(Re)create database `name` with `extensions.vector` and `schema` owned by NOLOGIN `owner`;
    return an admin DSN for it."""
    with psycopg.connect(server.admin_dsn, autocommit=True) as c:
        c.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        c.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        if not c.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (owner,)).fetchone():
            c.execute(sql.SQL("CREATE ROLE {} NOLOGIN").format(sql.Identifier(owner)))
    dsn = server.dsn(name)
    with psycopg.connect(dsn, autocommit=True) as c:
        c.execute("CREATE SCHEMA extensions")
        c.execute("CREATE EXTENSION vector SCHEMA extensions")
        c.execute(sql.SQL("GRANT USAGE ON SCHEMA extensions TO {}").format(sql.Identifier(owner)))
        c.execute(sql.SQL("CREATE SCHEMA {} AUTHORIZATION {}").format(
            sql.Identifier(schema), sql.Identifier(owner)))
    return dsn
