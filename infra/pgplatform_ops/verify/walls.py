"""The walls against a hostile neighbour, as the catalog shows them (`pgplatform.hardening`):
who may call each built-in the platform took from PUBLIC, the event trigger, and no
row-security policy in a schema that other owners' logins read."""

from __future__ import annotations

import psycopg

from pgplatform import access, hardening
from pgplatform.model import BOOKKEEPING_SCHEMA, PlatformConfig
from pgplatform_ops.verify.findings import Finding, privs


def built_ins(cfg: PlatformConfig, conn: psycopg.Connection, database: str) -> list[Finding]:
    """Every overload of every hazardous built-in: EXECUTE for exactly the roles the model
    gives it back to, PUBLIC never."""
    holders = access.database_walls(cfg, database).grants
    out = []
    rows = conn.execute(
        "SELECT p.proname, p.oid::regprocedure::text, coalesce(array_agg("
        "CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE a.grantee::regrole::text END) "
        "FILTER (WHERE a.privilege_type = 'EXECUTE' AND a.grantee <> p.proowner), '{}') "
        "FROM pg_proc p LEFT JOIN LATERAL aclexplode(coalesce(p.proacl, "
        "acldefault('f', p.proowner))) a ON true WHERE p.pronamespace = "
        "'pg_catalog'::regnamespace AND p.proname = ANY(%s) GROUP BY 1, 2 ORDER BY 2",
        ([n for names in hardening.HAZARDS.values() for n in names],)).fetchall()
    for name, signature, grantees in rows:
        hazard = hardening.hazard_of(str(name))
        want = set(holders.get(hazard or "", ()))
        got = {str(g) for g in grantees}
        if got != want:
            out.append(Finding(kind="built-in EXECUTE", object=f"{database}: {signature} "
                               f"({hazard})", role="", expected=privs(want), actual=privs(got)))
    return out


def guard(conn: psycopg.Connection, database: str) -> list[Finding]:
    """The event trigger that refuses GRANT, REVOKE, default privileges and read-shared
    policies to everyone but the admin: present, firing always, on the platform's function."""
    row = conn.execute(
        "SELECT evtenabled, evtevent, evtfoid::regproc::text FROM pg_event_trigger "
        "WHERE evtname = %s", (hardening.GUARD_TRIGGER,)).fetchone()
    want = ("A", "ddl_command_end", f"{BOOKKEEPING_SCHEMA}.{hardening.GUARD_FUNCTION}")
    got = tuple(str(v) for v in row) if row else None
    if got == want:
        return []
    return [Finding(kind="event trigger", object=f"{database}: {hardening.GUARD_TRIGGER}",
                    role="", expected=f"enabled always on {want[1]}, {want[2]}()",
                    actual="absent" if got is None else f"{got}")]


def read_shared_policies(cfg: PlatformConfig, conn: psycopg.Connection, database: str
                         ) -> list[Finding]:
    """A row-security policy in a schema others read would run as them (they have
    row_security off and get an error; its presence is a finding all the same)."""
    shared = list(access.read_shared_schemas(cfg, database))
    return [Finding(kind="read-shared policy", object=f"{database}: {schema}.{table} policy "
                    f"{policy}", role=str(owner), expected="no row-security policy in a "
                    "schema other services or consumers read", actual="present")
            for schema, table, policy, owner in conn.execute(
                "SELECT p.schemaname, p.tablename, p.policyname, c.relowner::regrole::text "
                "FROM pg_policies p JOIN pg_class c ON c.relname = p.tablename AND "
                "c.relnamespace = p.schemaname::regnamespace WHERE p.schemaname = ANY(%s) "
                "ORDER BY 1, 2, 3", (shared,))]
