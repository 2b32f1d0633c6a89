"""Behavioural probes: connect as a service's login role and try what must work and what must
be refused. A refusal must be a permission error — not a crash, not a timeout."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import psycopg
from psycopg import sql

from pgplatform.model import PlatformConfig, ServiceConfig
from pgplatform_ops.stack import DeployedStack
from pgplatform_ops.verify.catalog import DatabaseSnapshot, ObjectName
from pgplatform_ops.verify.findings import Finding

PROBE_TIMEOUT_MS = 5000


@dataclass(frozen=True, kw_only=True)
class Probe:
    what: str
    statement: sql.Composed
    must_work: bool


def _probes(svc: ServiceConfig, cfg: PlatformConfig, snap: DatabaseSnapshot,
            own_columns: Callable[[str], list[str]]) -> list[Probe]:
    out: list[Probe] = []
    own = snap.tables(svc.schema)
    for t in own:
        ident = sql.Identifier(svc.schema, t)
        cols = sql.SQL(", ").join(sql.Identifier(c) for c in own_columns(t))
        out += [
            Probe(what=f"SELECT own table {svc.schema}.{t}", must_work=True,
                  statement=sql.SQL("SELECT count(*) FROM {}").format(ident)),
            Probe(what=f"INSERT into own table {svc.schema}.{t}", must_work=True,
                  statement=sql.SQL("INSERT INTO {0} ({1}) SELECT {1} FROM {0} WHERE false"
                                    ).format(ident, cols)),
            Probe(what=f"DELETE from own table {svc.schema}.{t}", must_work=True,
                  statement=sql.SQL("DELETE FROM {} WHERE false").format(ident)),
        ]
    if own:
        out.append(Probe(what=f"DROP own table {svc.schema}.{own[0]}", must_work=False,
                         statement=sql.SQL("DROP TABLE {}").format(
                             sql.Identifier(svc.schema, own[0]))))
    for schema in (svc.schema, "public"):
        out.append(Probe(what=f"CREATE TABLE in schema {schema}", must_work=False,
                         statement=sql.SQL("CREATE TABLE {} (i int)").format(
                             sql.Identifier(schema, "pgplatform_probe"))))
    for other in cfg.services_in(svc.database):
        if other.name == svc.name:
            continue
        tables = snap.tables(other.schema)
        if not tables:
            continue
        t = tables[0]
        ident = sql.Identifier(other.schema, t)
        col = sql.Identifier(snap.first_column.get(ObjectName(other.schema, t), "id"))
        reader = svc.name in other.readers
        out += [
            Probe(what=f"SELECT {other.name}'s table {other.schema}.{t}", must_work=reader,
                  statement=sql.SQL("SELECT count(*) FROM {}").format(ident)),
            Probe(what=f"INSERT into {other.name}'s table {other.schema}.{t}",
                  must_work=False,
                  statement=sql.SQL("INSERT INTO {} DEFAULT VALUES").format(ident)),
            Probe(what=f"UPDATE {other.name}'s table {other.schema}.{t}", must_work=False,
                  statement=sql.SQL("UPDATE {} SET {} = {} WHERE false").format(
                      ident, col, col)),
            Probe(what=f"DELETE from {other.name}'s table {other.schema}.{t}",
                  must_work=False,
                  statement=sql.SQL("DELETE FROM {} WHERE false").format(ident)),
            Probe(what=f"CREATE TABLE in {other.name}'s schema {other.schema}",
                  must_work=False, statement=sql.SQL("CREATE TABLE {} (i int)").format(
                      sql.Identifier(other.schema, "pgplatform_probe"))),
        ]
    return out


def probe_service(stack: DeployedStack, svc: ServiceConfig, snap: DatabaseSnapshot
                  ) -> list[Finding]:
    cfg, dsn = stack.cfg, stack.service_dsn(svc.name)
    findings: list[Finding] = []
    obj = f"service {svc.name}"
    try:
        conn = psycopg.connect(dsn, connect_timeout=5, autocommit=True,
                               options=f"-c statement_timeout={PROBE_TIMEOUT_MS}")
    except psycopg.Error as exc:
        return [Finding(kind="probe", object=f"{obj}: connect to own database {svc.database}",
                        role=svc.login_role, expected="works", actual=f"{exc}".strip())]
    with conn:
        def own_columns(table: str) -> list[str]:
            return [r[0] for r in conn.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_schema = %s "
                "AND table_name = %s AND is_generated = 'NEVER' AND "
                "coalesce(identity_generation, '') <> 'ALWAYS' ORDER BY ordinal_position",
                (svc.schema, table))]

        for probe in _probes(svc, cfg, snap, own_columns):
            try:
                with conn.transaction(force_rollback=True):
                    conn.execute(probe.statement)
                outcome = "works"
            except psycopg.errors.InsufficientPrivilege:
                outcome = "permission denied"
            except psycopg.Error as exc:
                outcome = f"{type(exc).__name__}: {str(exc).strip().splitlines()[0]}"
            expected = "works" if probe.must_work else "permission denied"
            if outcome != expected:
                findings.append(Finding(kind="probe", object=f"{obj}: {probe.what}",
                                        role=svc.login_role, expected=expected,
                                        actual=outcome))
    for db in cfg.databases:
        if db.name == svc.database:
            continue
        try:
            psycopg.connect(stack.service_dsn_for(svc.name, db.name), connect_timeout=5).close()
            outcome = "works"
        except psycopg.OperationalError as exc:
            outcome = ("permission denied" if "permission denied for database" in str(exc)
                       else f"error: {str(exc).strip().splitlines()[-1]}")
        if outcome != "permission denied":
            findings.append(Finding(kind="probe", object=f"{obj}: connect to database {db.name}",
                                    role=svc.login_role, expected="permission denied",
                                    actual=outcome))
    return findings
