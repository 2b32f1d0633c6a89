"""Behavioural probes: connect as each login of the model and try what must work and what must
be refused. A refusal must be a permission error (or, for a read-only login, the read-only
transaction) — not a crash, not a timeout.

Each probe runs as one simple-query string `BEGIN; <probe>; ROLLBACK` in a session reset after
it, so a probe that smuggles `COMMIT;`, `SET ROLE` or `SET default_transaction_read_only` into
its text escapes its transaction as a client's query would; every write a probe tries touches
zero rows (privileges are checked before any row is).
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import psycopg
from psycopg import pq, sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from pgplatform import access, denied_catalog, hardening, hba, pitr, pooler, session_limits
from pgplatform.migrate.runner import BOOKKEEPING_TABLE, LOCKS_TABLE
from pgplatform.model import (
    BOOKKEEPING_SCHEMA,
    EXTENSIONS_SCHEMA,
    MONITOR_ROLE,
    POOLER_CONSOLE,
    PUBLIC_SCHEMA,
    STATEMENT_STATS,
    WATCHDOG_ROLE,
    ConsumerConfig,
    ServiceConfig,
)
from pgplatform_ops.stack import DeployedStack
from pgplatform_ops.verify import console_probes, pooler_slots
from pgplatform_ops.verify.catalog import DatabaseSnapshot, ObjectName
from pgplatform_ops.verify.findings import WORKS, Finding
from pgplatform_ops.verify.ledger import LEDGER

PROBE_TIMEOUT_MS = 5000
DENIED, READ_ONLY = "permission denied", "read-only transaction"
REFUSED = frozenset({DENIED, READ_ONLY})
"""What counts as refused for a read-only login: either line holds."""


@dataclass(frozen=True, kw_only=True)
class Probe:
    what: str
    statement: sql.Composable
    must_work: bool
    refusals: frozenset[str] = frozenset({DENIED})


@dataclass(frozen=True, kw_only=True)
class ProbeRun:
    tried: int = 0
    findings: list[Finding] = field(default_factory=list)

    def __add__(self, other: ProbeRun) -> ProbeRun:
        return ProbeRun(tried=self.tried + other.tried,
                        findings=[*self.findings, *other.findings])


Columns = Callable[[str, str], list[str]]


def _zero_row_insert(schema: str, table: str, columns: Columns) -> sql.Composed:
    ident = sql.Identifier(schema, table)
    cols = sql.SQL(", ").join(sql.Identifier(c) for c in columns(schema, table))
    return sql.SQL("INSERT INTO {0} ({1}) SELECT {1} FROM {0} WHERE false").format(ident, cols)


def _read(table: sql.Identifier) -> sql.Composed:
    """SELECT privilege is checked as the executor starts, before any row: a live table of
    any size is not scanned."""
    return sql.SQL("SELECT FROM {} WHERE false").format(table)


_CREATE_TEMP = sql.SQL("CREATE TEMP TABLE pgplatform_probe (i int)")


def _create_in(schema: str) -> sql.Composed:
    return sql.SQL("CREATE TABLE {} (i int)").format(sql.Identifier(schema, "pgplatform_probe"))


def _app_probes(svc: ServiceConfig, stack: DeployedStack, snap: DatabaseSnapshot,
                columns: Columns) -> list[Probe]:
    out: list[Probe] = []
    own = [(schema, t) for schema in svc.schemas for t in snap.tables(schema)]
    for schema, t in own:
        ident = sql.Identifier(schema, t)
        out += [
            Probe(what=f"SELECT own table {schema}.{t}", must_work=True,
                  statement=_read(ident)),
            Probe(what=f"INSERT into own table {schema}.{t}", must_work=True,
                  statement=_zero_row_insert(schema, t, columns)),
            Probe(what=f"DELETE from own table {schema}.{t}", must_work=True,
                  statement=sql.SQL("DELETE FROM {} WHERE false").format(ident)),
        ]
    if own:
        out.append(Probe(what=f"DROP own table {own[0][0]}.{own[0][1]}", must_work=False,
                         statement=sql.SQL("DROP TABLE {}").format(sql.Identifier(*own[0]))))
    for schema in dict.fromkeys((*svc.schemas, PUBLIC_SCHEMA)):
        out.append(Probe(what=f"CREATE TABLE in schema {schema}", must_work=False,
                         statement=_create_in(schema)))
    out.append(Probe(what=f"SET ROLE {svc.owner_role}", must_work=False,
                     statement=sql.SQL("SET ROLE {}").format(sql.Identifier(svc.owner_role))))
    out.append(Probe(what="CREATE TEMP TABLE (temporary tables escape temp_file_limit)",
                     must_work=False, statement=_CREATE_TEMP))
    out.append(_take_migration_lock(frozenset({DENIED})))
    out += _hazard_probes(stack, svc.database, svc.login_role)
    for other in stack.cfg.services_in(svc.database):
        if other.name != svc.name:
            out += _foreign_probes(other, snap, readable=svc.name in other.readers)
    return out


def _foreign_probes(other: ServiceConfig, snap: DatabaseSnapshot, *, readable: bool,
                    refusals: frozenset[str] = frozenset({DENIED})) -> list[Probe]:
    """Another service's schemas: reading as declared, no writes, no DDL."""
    out: list[Probe] = []
    for schema in other.schemas:
        out.append(Probe(what=f"CREATE TABLE in {other.name}'s schema {schema}",
                         must_work=False, statement=_create_in(schema), refusals=refusals))
        tables = snap.tables(schema)
        if not tables:
            continue
        t = tables[0]
        ident = sql.Identifier(schema, t)
        col = sql.Identifier(snap.first_column.get(ObjectName(schema, t), "id"))
        out += [
            Probe(what=f"SELECT {other.name}'s table {schema}.{t}", must_work=readable,
                  statement=_read(ident)),
            Probe(what=f"INSERT into {other.name}'s table {schema}.{t}", must_work=False,
                  statement=sql.SQL("INSERT INTO {} DEFAULT VALUES").format(ident),
                  refusals=refusals),
            Probe(what=f"UPDATE {other.name}'s table {schema}.{t}", must_work=False,
                  statement=sql.SQL("UPDATE {} SET {} = {} WHERE false").format(
                      ident, col, col), refusals=refusals),
            Probe(what=f"DELETE from {other.name}'s table {schema}.{t}", must_work=False,
                  statement=sql.SQL("DELETE FROM {} WHERE false").format(ident),
                  refusals=refusals),
        ]
    return out


# One call per built-in the platform took from PUBLIC (pgplatform.hardening); all are undone by
# the probe's ROLLBACK (the advisory lock is a transaction's, the notification is not sent).
_HAZARD_CALLS = {
    hardening.DYNAMIC_SQL: "SELECT query_to_xml('SELECT 1', true, false, '')",
    hardening.NOTIFY: "SELECT pg_notify('pgplatform_probe', 'probe')",
    hardening.SESSION_SETTINGS: "SELECT set_config('application_name', 'pgplatform_probe', "
                                "false)",
    hardening.ADVISORY_LOCKS: "SELECT pg_try_advisory_xact_lock(hashtext('pgplatform_probe'))",
    hardening.LARGE_OBJECTS: "SELECT lo_from_bytea(0, '\\x00')",
}


def _hazard_probes(stack: DeployedStack, database: str, role: str,
                   refusals: frozenset[str] = frozenset({DENIED})) -> list[Probe]:
    """The revoked built-ins: callable by `role` (its current_user: an owner for a migrator)
    exactly where the model gives them back. Nothing to prove where the bundle cannot revoke
    them (a managed server's admin is no superuser)."""
    if stack.cfg.server.is_external:
        return []
    holders = access.database_walls(stack.cfg, database).grants
    return [Probe(what=f"call {call.split('(')[0].removeprefix('SELECT ')} ({hazard})",
                  must_work=role in holders.get(hazard, ()), refusals=refusals,
                  statement=sql.SQL(call))
            for hazard, call in _HAZARD_CALLS.items()]


def _take_migration_lock(refusals: frozenset[str]) -> Probe:
    """Holding a service's migration lock would stall its runner: only its owner may."""
    return Probe(what="lock a service's migrations (FOR UPDATE on pgplatform.migration_locks)",
                 must_work=False, refusals=refusals, statement=sql.SQL(
                     "SELECT 1 FROM {} FOR UPDATE").format(
                     sql.Identifier(BOOKKEEPING_SCHEMA, LOCKS_TABLE)))


def _created_as_owner(svc: ServiceConfig, schema: str) -> Probe:
    name = sql.Literal(f"{schema}.pgplatform_probe")
    owned_by_owner = sql.SQL(
        "DO $probe$ BEGIN IF (SELECT relowner::regrole::text FROM pg_class "
        "WHERE oid = {}::regclass) <> {} THEN RAISE EXCEPTION 'created table owned by %', "
        "(SELECT relowner::regrole::text FROM pg_class WHERE oid = {}::regclass); END IF; "
        "END $probe$").format(name, sql.Literal(svc.owner_role), name)
    return Probe(what=f"CREATE TABLE in own schema {schema}, owned by {svc.owner_role}",
                 must_work=True, statement=sql.SQL("{}; {}").format(
                     _create_in(schema), owned_by_owner))


def _migrator_probes(svc: ServiceConfig, stack: DeployedStack, snap: DatabaseSnapshot
                     ) -> list[Probe]:
    bookkeeping = sql.Identifier(BOOKKEEPING_SCHEMA, BOOKKEEPING_TABLE)
    out = [
        *(_created_as_owner(svc, schema) for schema in svc.schemas),
        Probe(what=f"SET ROLE NONE, then CREATE TABLE in own schema {svc.schema}",
              must_work=False, statement=sql.SQL("SET ROLE NONE; {}").format(
                  _create_in(svc.schema))),
        Probe(what=f"COMMIT; SET ROLE NONE, then CREATE TABLE in own schema {svc.schema}",
              must_work=False, statement=sql.SQL("COMMIT; SET ROLE NONE; {}").format(
                  _create_in(svc.schema))),
        Probe(what="CREATE SCHEMA", must_work=False,
              statement=sql.SQL("CREATE SCHEMA pgplatform_probe")),
        # Its owner's scratch space: verification's planner proof copies tables there.
        Probe(what=f"CREATE TEMP TABLE as {svc.owner_role}", must_work=True,
              statement=_CREATE_TEMP),
        Probe(what="SET ROLE NONE, then CREATE TEMP TABLE", must_work=False,
              statement=sql.SQL("SET ROLE NONE; {}").format(_CREATE_TEMP)),
        *(Probe(what=f"CREATE TABLE in schema {s}", must_work=False, statement=_create_in(s))
          for s in (PUBLIC_SCHEMA, EXTENSIONS_SCHEMA, BOOKKEEPING_SCHEMA)
          if s not in svc.schemas),
        Probe(what="INSERT another service's row into the migration bookkeeping",
              must_work=False, statement=sql.SQL(
                  "INSERT INTO {} (service, version, name, checksum, duration_ms) "
                  "VALUES ('pgplatform_probe', 1, 'x', 'x', 0)").format(bookkeeping)),
        # A lock on the whole bookkeeping would stall every other service's runner.
        Probe(what="LOCK the migration bookkeeping IN ACCESS EXCLUSIVE MODE", must_work=False,
              statement=sql.SQL("LOCK TABLE {} IN ACCESS EXCLUSIVE MODE").format(bookkeeping)),
        Probe(what="DELETE from the migration bookkeeping (a rollback goes through "
                   f"{access.FORGET_FUNCTION})", must_work=False,
              statement=sql.SQL("DELETE FROM {} WHERE false").format(bookkeeping)),
        *(Probe(what=f"forget {other.name}'s migrations", must_work=False,
                statement=sql.SQL("SELECT {}({}, 0)").format(
                    sql.Identifier(BOOKKEEPING_SCHEMA, access.FORGET_FUNCTION),
                    sql.Literal(other.name)))
          for other in stack.cfg.services_in(svc.database) if other.name != svc.name),
        *(Probe(what=f"see another service's rows of {table}", must_work=True,
                statement=sql.SQL(
                    "DO $probe$ BEGIN IF EXISTS (SELECT 1 FROM {} WHERE service <> {}) THEN "
                    "RAISE EXCEPTION 'sees other services'' rows'; END IF; END $probe$"
                ).format(sql.Identifier(BOOKKEEPING_SCHEMA, table), sql.Literal(svc.name)))
          for table in (BOOKKEEPING_TABLE, LOCKS_TABLE)),
    ]
    out += _hazard_probes(stack, svc.database, svc.owner_role)
    for other in stack.cfg.services_in(svc.database):
        if other.name != svc.name:
            out += _foreign_probes(other, snap, readable=False)
            out.append(Probe(what=f"SET ROLE {other.owner_role}", must_work=False,
                             statement=sql.SQL("SET ROLE {}").format(
                                 sql.Identifier(other.owner_role))))
    return out


def _read_only_probes(stack: DeployedStack, role: str, schemas: Sequence[ServiceConfig],
                      not_read: Sequence[ServiceConfig], snap: DatabaseSnapshot,
                      columns: Columns) -> list[Probe]:
    """A read-only login (a service's, a consumer): reads `schemas`, writes nothing even when
    its statement escapes the read-only transaction (a large object included), and reaches
    no other schema."""
    out: list[Probe] = []
    out.append(_take_migration_lock(REFUSED))
    out.append(Probe(what="COMMIT; SET default_transaction_read_only = off; CREATE TEMP TABLE",
                     must_work=False, statement=sql.SQL(
                         "COMMIT; SET default_transaction_read_only = off; "
                         "SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE; COMMIT; {}"
                     ).format(_CREATE_TEMP)))
    out += _hazard_probes(stack, snap.name, role, REFUSED)
    if not stack.cfg.server.is_external:
        out.append(Probe(what="COMMIT; SET default_transaction_read_only = off; create a large "
                              "object", must_work=False, statement=sql.SQL(
                                  "COMMIT; SET default_transaction_read_only = off; "
                                  "SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE; "
                                  "COMMIT; SELECT lo_from_bytea(0, '\\x00')")))
    for svc in schemas:
        for role in (svc.owner_role, svc.login_role, svc.migrator_role):
            out.append(Probe(what=f"SET ROLE {role}", must_work=False,
                             statement=sql.SQL("SET ROLE {}").format(sql.Identifier(role))))
        for schema in svc.schemas:
            out += _read_only_schema_probes(svc, schema, snap, columns)
    for other in not_read:
        out += _foreign_probes(other, snap, readable=False, refusals=REFUSED)
    return out


def _read_only_schema_probes(svc: ServiceConfig, schema: str, snap: DatabaseSnapshot,
                             columns: Columns) -> list[Probe]:
    tables = snap.tables(schema)
    out = [Probe(what=f"SELECT {schema}.{t}", must_work=True,
                 statement=_read(sql.Identifier(schema, t))) for t in tables]
    out.append(Probe(what=f"CREATE TABLE in schema {schema}", must_work=False,
                     statement=_create_in(schema), refusals=REFUSED))
    if tables:
        t = tables[0]
        insert = _zero_row_insert(schema, t, columns)
        out += [
            Probe(what=f"INSERT into {schema}.{t}", must_work=False, statement=insert,
                  refusals=REFUSED),
            Probe(what=f"BEGIN READ ONLY; COMMIT; INSERT into {schema}.{t}",
                  must_work=False, statement=sql.SQL("COMMIT; {}").format(insert),
                  refusals=REFUSED),
            # Out of the read-only transaction for good: only privileges are left to refuse.
            Probe(what=f"COMMIT; SET default_transaction_read_only = off; COMMIT; INSERT into "
                       f"{schema}.{t}", must_work=False,
                  statement=sql.SQL("COMMIT; SET default_transaction_read_only = off; "
                                    "SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE; "
                                    "COMMIT; {}").format(insert)),
            Probe(what=f"SET ROLE {svc.login_role}; INSERT into {schema}.{t}",
                  must_work=False, statement=sql.SQL("COMMIT; SET default_transaction_read_only"
                                                     " = off; SET ROLE {}; COMMIT; {}").format(
                      sql.Identifier(svc.login_role), insert)),
        ]
    return out


def _outcome(exc: psycopg.Error) -> str:
    if isinstance(exc, psycopg.errors.InsufficientPrivilege):
        return DENIED
    if isinstance(exc, psycopg.errors.ReadOnlySqlTransaction):
        return READ_ONLY
    return f"{type(exc).__name__}: {str(exc).strip().splitlines()[0]}"


def _run(dsn: str, role: str, obj: str, home: str, make: Callable[[Columns], list[Probe]],
         snap: DatabaseSnapshot, *, pooled: bool = False) -> ProbeRun:
    # PgBouncer refuses the `options` startup parameter (pgplatform.pooler): through it the
    # login's own statement_timeout bounds each probe.
    options = None if pooled else f"-c statement_timeout={PROBE_TIMEOUT_MS}"
    try:
        conn = pooler_slots.connect(dsn, connect_timeout=5, autocommit=True, options=options)
    except psycopg.Error as exc:
        LEDGER.record(dsn, exc)
        return ProbeRun(tried=1, findings=[Finding(
            kind="probe", object=f"{obj}: connect to own database {home}", role=role,
            expected=WORKS, actual=f"{exc}".strip())])
    findings: list[Finding] = []
    with conn:
        # Column lists come from the admin's catalog snapshot, not from information_schema as
        # the login (a slow view, one query per table and login); a login lacking a grant is
        # refused the insert all the same, and its SELECT probe names the missing grant.
        probes = make(snap.insertable_columns)
        for probe in probes:
            # A read-only login's client (an MCP server) wraps its query the same way.
            begin = b"BEGIN READ ONLY; " if READ_ONLY in probe.refusals else b"BEGIN; "
            try:
                # The session reset rides along: one round trip for a probe that works.
                conn.execute(begin + probe.statement.as_bytes(conn) + b"; ROLLBACK; RESET ALL")
                outcome = WORKS
            except psycopg.Error as exc:
                outcome = _outcome(exc)
                LEDGER.record(dsn, exc)
                if conn.info.transaction_status != pq.TransactionStatus.IDLE:
                    conn.execute("ROLLBACK")
                conn.execute("RESET ALL")
            refused = outcome in probe.refusals
            if (outcome == WORKS) != probe.must_work or (not probe.must_work and not refused):
                findings.append(Finding(
                    kind="probe", object=f"{obj}: {probe.what}", role=role,
                    expected=WORKS if probe.must_work else " or ".join(sorted(probe.refusals)),
                    actual=outcome))
    return ProbeRun(tried=len(probes) + 1, findings=findings)


# The server's refusals of a connection: pg_hba rejects it (another database, no TLS), or the
# database's CONNECT privilege (the second line, behind pg_hba). Through the pooler also
# PgBouncer's own: a database it does not list, a client without TLS, and the server's
# refusal it passes on (or, within server_login_retry, repeats from its cache).
_CONNECTION_REFUSALS = (hba.REJECTED, "permission denied for database",
                        "no pg_hba.conf entry for replication connection",
                        *pooler.CONNECTION_REFUSALS)


# A replication attempt takes a walsender slot before pg_hba refuses it; the replicas need
# those slots to reconnect. One attempt at a time in the whole run (model.VERIFY_WALSENDERS).
_WALSENDER = threading.Lock()


def _connection_refused(conninfo: str, role: str, what: str, first: str = "SELECT 1"
                        ) -> list[Finding]:
    """Refused, or at the latest its first statement (`first`): PgBouncer authenticates a
    client itself and meets the server's refusal only when a statement needs a server
    connection."""
    replication = conninfo_to_dict(conninfo).get("replication") not in (None, "false", "0")
    try:
        with _WALSENDER if replication else contextlib.nullcontext():
            with pooler_slots.connect(conninfo, connect_timeout=5, autocommit=True) as conn:
                conn.execute(first)
        outcome = WORKS
    except psycopg.Error as exc:
        LEDGER.record(conninfo, exc)
        outcome = (DENIED if any(r in str(exc) for r in _CONNECTION_REFUSALS)
                   else f"error: {str(exc).strip().splitlines()[-1]}")
    return [] if outcome == DENIED else [Finding(kind="probe", object=what, role=role,
                                                 expected=DENIED, actual=outcome)]


def _other_databases(stack: DeployedStack, dsn: str, role: str, obj: str, home: str
                     ) -> ProbeRun:
    """Its credentials, over TLS, aimed at every other database; and at its own database
    over plaintext TCP."""
    others = [db.name for db in stack.cfg.databases if db.name != home]
    findings = [f for db in others for f in _connection_refused(
        make_conninfo(dsn, dbname=db), role, f"{obj}: connect to database {db}")]
    findings += _connection_refused(make_conninfo(dsn, sslmode="disable"), role,
                                    f"{obj}: connect to {home} without TLS")
    return ProbeRun(tried=len(others) + 1, findings=findings)


def maintenance_refusals(stack: DeployedStack) -> ProbeRun:
    """Every login (through the pooler too) refused by the server's own databases, `postgres`
    and `template1` (PUBLIC lost CONNECT there, `access.server_grants`), and refused a
    replication connection (pg_hba lets the replicas' login alone stream WAL); a pooled
    login also by the pooler's console."""
    cfg = stack.cfg
    # (login as named in findings, its DSN, the databases it is refused): through the pooler
    # also the pooler's console, which only the exporter's monitor reads.
    direct, pooled = access.SERVER_DATABASES, (*access.SERVER_DATABASES, POOLER_CONSOLE)
    logins = [login for svc in cfg.services for login in (
        (svc.login_role, stack.service_dsn(svc.name), direct),
        (svc.migrator_role, stack.migrator_dsn(svc.name), direct),
        # On the primary alone: a `readFrom: replica` DSN lists both servers, and libpq
        # would try each (twice, for prefer-standby), in logs of its choosing.
        (svc.readonly_role, stack.on_primary(stack.readonly_dsn(svc.name)), direct),
        (f"{svc.login_role} through the pooler", stack.pooled_dsn(svc.name), pooled))
        if login[1]]
    logins += [(c.login_role, stack.on_primary(stack.consumer_dsn(c.name)), direct)
               for c in cfg.consumers]

    def one_login(role: str, dsn: str, databases: Sequence[str]) -> list[Finding]:
        """A login's attempts one after another: a refused attempt still holds one of the
        login's connection slots until it is refused, and its service may need the others."""
        tries = [(make_conninfo(dsn, dbname=db), f"{role}: connect to database {db}",
                  "SELECT 1") for db in databases]
        # A walsender session streams every database's WAL: only the replicas' login may.
        tries.append((make_conninfo(dsn, replication="true"),
                      f"{role}: open a replication connection", "IDENTIFY_SYSTEM"))
        return [f for conninfo, what, first in tries
                for f in _connection_refused(conninfo, role, what, first)]

    with ThreadPoolExecutor(max_workers=8) as pool:
        found = pool.map(lambda login: one_login(*login), logins)
        return ProbeRun(tried=sum(len(databases) + 1 for _, _, databases in logins),
                        findings=[f for fs in found for f in fs])


def probe_service(stack: DeployedStack, svc: ServiceConfig, snap: DatabaseSnapshot
                  ) -> ProbeRun:
    """The service's three logins: the app, the migrator, the read-only login."""
    others = [o for o in stack.cfg.services_in(svc.database) if o.name != svc.name]
    logins: list[tuple[str, str, Callable[[Columns], list[Probe]]]] = [
        (svc.login_role, stack.service_dsn(svc.name),
         lambda cols: _app_probes(svc, stack, snap, cols)),
        (svc.migrator_role, stack.migrator_dsn(svc.name),
         lambda _cols: _migrator_probes(svc, stack, snap)),
        # Its privileges are proven on the primary, where a write is refused by them and not
        # only by recovery; a replica it reads from is probed on its own below.
        (svc.readonly_role, stack.on_primary(stack.readonly_dsn(svc.name)),
         lambda cols: _read_only_probes(stack, svc.readonly_role, [svc], others, snap, cols)),
    ]
    run = ProbeRun()
    for role, dsn, make in logins:
        obj = f"service {svc.name} ({role})"
        run += _run(dsn, role, obj, svc.database, make, snap)
        run += _other_databases(stack, dsn, role, obj, svc.database)
    if svc.read_from == "replica":
        run += _on_replica(stack.readonly_dsn(svc.name), svc.readonly_role,
                           f"service {svc.name} ({svc.readonly_role})", svc.database,
                           [svc], snap)
    pooled = stack.pooled_dsn(svc.name)
    if pooled:
        # The same walls through the pooler: a pooled session is the app login's own.
        obj = f"service {svc.name} ({svc.login_role} through the pooler)"
        run += _run(pooled, svc.login_role, obj, svc.database,
                    lambda cols: _app_probes(svc, stack, snap, cols), snap, pooled=True)
        run += _other_databases(stack, pooled, svc.login_role, obj, svc.database)
    return run


def probe_consumer(stack: DeployedStack, consumer: ConsumerConfig, snap: DatabaseSnapshot
                   ) -> ProbeRun:
    cfg = stack.cfg
    reads = [cfg.service(s) for s in consumer.reads]
    not_read = [s for s in cfg.services_in(consumer.database) if s.name not in consumer.reads]
    dsn, obj = stack.on_primary(stack.consumer_dsn(consumer.name)), f"consumer {consumer.name}"
    run = (_run(dsn, consumer.login_role, obj, consumer.database,
                lambda cols: _read_only_probes(stack, consumer.login_role, reads, not_read, snap,
                                               cols), snap)
           + _other_databases(stack, dsn, consumer.login_role, obj, consumer.database))
    if consumer.read_from == "replica":
        run += _on_replica(stack.consumer_dsn(consumer.name), consumer.login_role, obj,
                           consumer.database, reads, snap)
    return run


def _on_replica(dsn: str, role: str, obj: str, home: str, reads: Sequence[ServiceConfig],
                snap: DatabaseSnapshot) -> ProbeRun:
    """A `readFrom: replica` login through its own DSN: it lands on a standby, reads what it
    reads on the primary, and a write is refused there even out of its read-only
    transaction."""
    def make(columns: Columns) -> list[Probe]:
        out = [Probe(what="served by a replica (pg_is_in_recovery)", must_work=True,
                     statement=sql.SQL("DO $probe$ BEGIN IF NOT pg_is_in_recovery() THEN "
                                       "RAISE EXCEPTION 'served by the primary'; END IF; "
                                       "END $probe$"))]
        for svc in reads:
            for schema in svc.schemas:
                for t in snap.tables(schema)[:1]:
                    out += [
                        Probe(what=f"SELECT {schema}.{t} on the replica", must_work=True,
                              statement=sql.SQL("SELECT count(*) FROM {}").format(
                                  sql.Identifier(schema, t))),
                        Probe(what=f"COMMIT; INSERT into {schema}.{t} on the replica",
                              must_work=False, refusals=REFUSED,
                              statement=sql.SQL("COMMIT; {}").format(
                                  _zero_row_insert(schema, t, columns)))]
        return out

    return _run(dsn, role, f"{obj} on the replica", home, make, snap)


def probe_monitor(stack: DeployedStack, snaps: dict[str, DatabaseSnapshot]) -> ProbeRun:
    """The exporter's login: in every managed database it reads statistics and sizes, and
    nothing of a service (rows, DDL, its roles), nor the server's files; the databases it
    has no CONNECT on refuse it."""
    cfg = stack.cfg
    run = ProbeRun()
    for db in cfg.databases:
        snap = snaps[db.name]

        def make(_cols: Columns, db_name: str = db.name, snap: DatabaseSnapshot = snap
                 ) -> list[Probe]:
            out = [Probe(what="read sizes and statistics (pg_database_size, pg_stat_database)",
                         must_work=True, statement=sql.SQL(
                             "SELECT pg_database_size(current_database()), "
                             "(SELECT count(*) FROM pg_stat_database)")),
                   Probe(what="read a server file (pg_read_file)", must_work=False,
                         statement=sql.SQL("SELECT pg_read_file('PG_VERSION')"),
                         refusals=REFUSED),
                   Probe(what=f"CREATE TABLE in schema {PUBLIC_SCHEMA}", must_work=False,
                         statement=_create_in(PUBLIC_SCHEMA), refusals=REFUSED),
                   *_hazard_probes(stack, db_name, MONITOR_ROLE, REFUSED)]
            for svc in cfg.services_in(db_name):
                out.append(Probe(what=f"SET ROLE {svc.owner_role}", must_work=False,
                                 statement=sql.SQL("SET ROLE {}").format(
                                     sql.Identifier(svc.owner_role))))
                out += _foreign_probes(svc, snap, readable=False, refusals=REFUSED)
            return out

        dsn = stack.monitor_dsn(db.name)
        run += _run(dsn, MONITOR_ROLE, "monitor", db.name, make, snap)
    if not cfg.server.is_external:
        run += _run(stack.monitor_dsn(), MONITOR_ROLE, "monitor", "postgres",
                    lambda _cols: _monitor_readable_probes(stack, readable=True),
                    DatabaseSnapshot(name="postgres"))
    others = [d for d in access.SERVER_DATABASES if d != "postgres"]
    findings = [f for d in others for f in _connection_refused(
        stack.monitor_dsn(d), MONITOR_ROLE, f"monitor: connect to database {d}")]
    findings += _connection_refused(make_conninfo(stack.monitor_dsn(), sslmode="disable"),
                                    MONITOR_ROLE, "monitor: connect without TLS")
    run += ProbeRun(tried=len(others) + 1, findings=findings)
    if stack.pooler_console_dsn():
        tried, found = console_probes.probe_console(stack)
        refusals = console_probes.console_connection_refusals(stack)
        found += [f for conninfo, what in refusals
                  for f in _connection_refused(conninfo, MONITOR_ROLE, what)]
        run += ProbeRun(tried=tried + len(refusals), findings=found)
    return run


def _monitor_readable_probes(stack: DeployedStack, *, readable: bool) -> list[Probe]:
    """What `MonitorReadable` gives in `postgres`: the exporter's login reads pg_stat_statements,
    the denied-access counts and (server.pitr) the base backups' table, resets and writes none
    of them; any other login reads none."""
    stats = sql.Identifier(BOOKKEEPING_SCHEMA, STATEMENT_STATS)
    out = [Probe(what=f"read {BOOKKEEPING_SCHEMA}.{STATEMENT_STATS}", must_work=readable,
                 refusals=REFUSED, statement=sql.SQL("SELECT count(*) FROM {}").format(stats)),
           Probe(what=f"{BOOKKEEPING_SCHEMA}.pg_stat_statements_reset()", must_work=False,
                 refusals=REFUSED, statement=sql.SQL("SELECT {}.pg_stat_statements_reset()")
                 .format(sql.Identifier(BOOKKEEPING_SCHEMA)))]
    tables = [denied_catalog.TABLE]
    if stack.cfg.server.pitr is not None:
        tables.append(pitr.BACKUPS_TABLE)
    for name in tables:
        table = sql.Identifier(BOOKKEEPING_SCHEMA, name)
        out += [
            Probe(what=f"read {BOOKKEEPING_SCHEMA}.{name}", must_work=readable,
                  refusals=REFUSED, statement=sql.SQL("SELECT count(*) FROM {}").format(table)),
            Probe(what=f"DELETE FROM {BOOKKEEPING_SCHEMA}.{name}", must_work=False,
                  refusals=REFUSED, statement=sql.SQL("DELETE FROM {}").format(table)),
            # The privilege check comes first: a table that let it in fails NOT NULL, also
            # not a refusal, so the probe reports it either way and no row is written.
            Probe(what=f"COMMIT; INSERT INTO {BOOKKEEPING_SCHEMA}.{name}", must_work=False,
                  refusals=REFUSED, statement=sql.SQL(
                      "COMMIT; INSERT INTO {} DEFAULT VALUES").format(table))]
    return out


def probe_watchdog(stack: DeployedStack, snap: DatabaseSnapshot) -> ProbeRun:
    """The session watchdog's login: in `postgres` it calls the limits function and sees
    sessions, and can neither end a session itself nor change the function, take another
    role, create anything, nor reach any other database, plaintext or a replication
    connection."""
    function = sql.Identifier(BOOKKEEPING_SCHEMA, session_limits.FUNCTION)
    # The session it tries to end is one verification holds open as a service's app login:
    # picked from pg_stat_activity, the probe found none on a freshly restored server and
    # "worked" without trying; should the wall have fallen, only this session ends.
    target = stack.cfg.services[0]
    with psycopg.connect(stack.service_dsn(target.name), connect_timeout=5,
                         autocommit=True) as held:
        return _probe_watchdog(stack, snap, function, target.login_role, held.info.backend_pid)


def _probe_watchdog(stack: DeployedStack, snap: DatabaseSnapshot, function: sql.Identifier,
                    victim: str, victim_pid: int) -> ProbeRun:
    def make(_cols: Columns) -> list[Probe]:
        admin = stack.cfg.server.admin_user
        return [
            Probe(what="call the limits function", must_work=True,
                  statement=sql.SQL("SELECT count(*) FROM {}()").format(function)),
            Probe(what=f"end a session of {victim} itself (pg_terminate_backend)",
                  must_work=False, refusals=REFUSED, statement=sql.SQL(
                      "SELECT pg_terminate_backend({})").format(sql.Literal(victim_pid))),
            Probe(what="replace the limits function", must_work=False, refusals=REFUSED,
                  statement=sql.SQL("CREATE OR REPLACE FUNCTION {}() RETURNS int LANGUAGE "
                                    "sql AS 'SELECT 1'").format(function)),
            Probe(what=f"CREATE TABLE in schema {BOOKKEEPING_SCHEMA}", must_work=False,
                  statement=_create_in(BOOKKEEPING_SCHEMA), refusals=REFUSED),
            Probe(what=f"CREATE TABLE in schema {PUBLIC_SCHEMA}", must_work=False,
                  statement=_create_in(PUBLIC_SCHEMA), refusals=REFUSED),
            Probe(what=f"SET ROLE {admin}", must_work=False, statement=sql.SQL(
                "SET ROLE {}").format(sql.Identifier(admin))),
            Probe(what=f"COMMIT; SET ROLE {admin}", must_work=False, statement=sql.SQL(
                "COMMIT; SET ROLE {}").format(sql.Identifier(admin))),
            *_hazard_probes(stack, access.WATCHDOG_DATABASE, WATCHDOG_ROLE, REFUSED),
            *_monitor_readable_probes(stack, readable=False),
        ]

    dsn, obj = stack.watchdog_dsn(), "session watchdog"
    run = _run(dsn, WATCHDOG_ROLE, obj, access.WATCHDOG_DATABASE, make, snap)
    others = [*(db.name for db in stack.cfg.databases),
              *(d for d in access.SERVER_DATABASES if d != access.WATCHDOG_DATABASE)]
    findings = [f for d in others for f in _connection_refused(
        stack.watchdog_dsn(d), WATCHDOG_ROLE, f"{obj}: connect to database {d}")]
    findings += _connection_refused(make_conninfo(dsn, sslmode="disable"), WATCHDOG_ROLE,
                                    f"{obj}: connect without TLS")
    findings += _connection_refused(make_conninfo(dsn, replication="true"), WATCHDOG_ROLE,
                                    f"{obj}: open a replication connection", "IDENTIFY_SYSTEM")
    return run + ProbeRun(tried=len(others) + 2, findings=findings)
