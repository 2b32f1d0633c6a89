"""Database scaffolding shared by the integration tests: what the Pulumi program would have made
before a module's migrations run (a database, its `extensions` schema with `vector`, a NOLOGIN
owner role and the service schemas it owns)."""

from __future__ import annotations

import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict

from pgplatform import modules
from pgplatform.migrate import runner

from pgserver import PgServer

MIGRATOR_PASSWORD = "migrator-password"


def fresh_database(server: PgServer, name: str, schemas: tuple[str, ...], owner: str) -> str:
    """(Re)create database `name` with `extensions.vector` and `schemas` owned by NOLOGIN
    `owner` (`public`, which exists, taken over as the program does); return an admin DSN."""
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
        for schema in schemas:
            c.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {} AUTHORIZATION {}").format(
                sql.Identifier(schema), sql.Identifier(owner)))
            c.execute(sql.SQL("ALTER SCHEMA {} OWNER TO {}").format(
                sql.Identifier(schema), sql.Identifier(owner)))
    return dsn


def migration_target(server: PgServer, admin_dsn: str, *, service: str,
                     schemas: tuple[str, ...], owner: str, module: modules.Module
                     ) -> runner.Target:
    """The runner's target as the program deploys it: a `<service>_migrator` login (NOINHERIT,
    member of `owner`, which it becomes at login — access.service_roles) with CONNECT on the
    database of `admin_dsn`."""
    migrator = f"{service}_migrator"
    database = conninfo_to_dict(admin_dsn)["dbname"]
    with psycopg.connect(server.admin_dsn, autocommit=True) as c:
        if not c.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (migrator,)).fetchone():
            c.execute(sql.SQL("CREATE ROLE {} LOGIN NOINHERIT").format(sql.Identifier(migrator)))
        c.execute(sql.SQL("ALTER ROLE {} PASSWORD {}").format(sql.Identifier(migrator),
                                                              sql.Literal(MIGRATOR_PASSWORD)))
        c.execute(sql.SQL("GRANT {} TO {}").format(sql.Identifier(owner),
                                                   sql.Identifier(migrator)))
        c.execute(sql.SQL("ALTER ROLE {} SET ROLE TO {}").format(sql.Identifier(migrator),
                                                                 sql.Identifier(owner)))
        c.execute(sql.SQL("ALTER ROLE {} SET search_path TO {}").format(
            sql.Identifier(migrator),
            sql.SQL(", ").join(sql.Identifier(s) for s in (*schemas, "extensions"))))
        c.execute(sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(
            sql.Identifier(str(database)), sql.Identifier(migrator)))
    return runner.Target(dsn=server.dsn(str(database), migrator, MIGRATOR_PASSWORD),
                         admin_dsn=admin_dsn, service=service, schemas=schemas, owner_role=owner,
                         module=module)
