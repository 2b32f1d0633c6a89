"""The cyrex module adopting a legacy deploy: tables of the twelve already in `public`, with rows,
owned by the legacy app's role. Its 0001 (run as admin) moves them into schema `cyrex` and hands
them to the cyrex owner role without touching a row, creates the rest, and its down file puts
them back where and as they were."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import psycopg
import pytest
from psycopg import sql

from pgplatform import modules, paths
from pgplatform.migrate import runner

from pgserver import PgServer
from scaffold import fresh_database, migration_target

pytestmark = pytest.mark.integration
SQL_ROOT = paths.SQL_ROOT
DATABASE, SCHEMA, SERVICE, OWNER = "cyrex_adopt", "cyrex", "cyrex", "cyrex_owner"
LEGACY_ROLE = "cyrex_legacy_app"
ROWS = 1_000
TWELVE = ("agent_playground_messages", "workflows", "task_executions", "events",
          "cyrex_sessions", "guardrail_rules", "guardrail_violations", "agents", "agent_states",
          "cyrex_vendors", "cyrex_invoices", "cyrex_pricing_benchmarks")


@dataclass(frozen=True)
class Legacy:
    table: str
    pk: str
    ddl: str
    fill: str


# As the legacy cyrex code created them: varchar and timestamp without time zone, a bigserial, a
# foreign key between two adopted tables, a legacy index; every column the cyrex indexes need.
LEGACY = (
    Legacy("workflows", "workflow_id", """
        CREATE TABLE public.workflows (
            workflow_id varchar(64) PRIMARY KEY, name varchar(200), status varchar(32),
            state_data jsonb DEFAULT '{}', created_at timestamp DEFAULT now(),
            updated_at timestamp DEFAULT now())""", """
        INSERT INTO public.workflows (workflow_id, name, status, state_data, created_at, updated_at)
        SELECT 'wf-' || i, 'workflow ' || i, (ARRAY['pending', 'running', 'done'])[1 + i % 3],
               jsonb_build_object('step', i % 7),
               timestamp '2024-01-01' + i * interval '1 minute',
               timestamp '2024-01-02' + i * interval '1 minute'
        FROM generate_series(1, $rows) i"""),
    Legacy("task_executions", "execution_id", """
        CREATE TABLE public.task_executions (
            execution_id varchar(64) PRIMARY KEY,
            workflow_id varchar(64) REFERENCES public.workflows (workflow_id),
            agent_id varchar(64), task_name varchar(200) NOT NULL, status varchar(32),
            retry_count integer DEFAULT 0, created_at timestamp DEFAULT now())""", """
        INSERT INTO public.task_executions
               (execution_id, workflow_id, agent_id, task_name, status, retry_count, created_at)
        SELECT 'ex-' || i, 'wf-' || (1 + i % 100), 'agent-' || i % 9, 'task ' || i,
               (ARRAY['pending', 'running', 'completed'])[1 + i % 3], i % 4,
               timestamp '2024-02-01' + i * interval '1 second'
        FROM generate_series(1, $rows) i"""),
    Legacy("events", "id", """
        CREATE TABLE public.events (
            id bigserial PRIMARY KEY, event_id varchar(64) UNIQUE NOT NULL,
            event_type varchar(64) NOT NULL, entity_type varchar(32), entity_id varchar(64),
            workflow_id varchar(64), payload jsonb, created_at timestamp DEFAULT now());
        CREATE INDEX events_legacy_entity_idx ON public.events (entity_id)""", """
        INSERT INTO public.events (event_id, event_type, entity_type, entity_id, workflow_id,
                                   payload, created_at)
        SELECT 'ev-' || i, 'type.' || i % 5, 'workflow', 'wf-' || i % 100, 'wf-' || i % 100,
               jsonb_build_object('n', i), timestamp '2024-03-01' + i * interval '1 second'
        FROM generate_series(1, $rows) i"""),
    Legacy("cyrex_sessions", "session_id", """
        CREATE TABLE public.cyrex_sessions (
            session_id varchar(64) PRIMARY KEY, user_id varchar(64), agent_id varchar(64),
            status varchar(32) NOT NULL, created_at timestamp DEFAULT now(),
            expires_at timestamp, last_activity timestamp DEFAULT now())""", """
        INSERT INTO public.cyrex_sessions (session_id, user_id, agent_id, status, created_at,
                                           expires_at, last_activity)
        SELECT 'sess-' || i, 'user-' || i % 50, 'agent-' || i % 9, 'active',
               timestamp '2024-04-01' + i * interval '1 minute',
               CASE WHEN i % 2 = 0 THEN timestamp '2024-05-01' + i * interval '1 minute' END,
               timestamp '2024-04-02' + i * interval '1 minute'
        FROM generate_series(1, $rows) i"""),
    Legacy("cyrex_vendors", "vendor_id", """
        CREATE TABLE public.cyrex_vendors (
            vendor_id varchar(64) PRIMARY KEY, vendor_name varchar(200) NOT NULL,
            industries_served jsonb DEFAULT '[]', current_risk_score numeric(5, 2) DEFAULT 0,
            last_activity timestamp DEFAULT now())""", """
        INSERT INTO public.cyrex_vendors (vendor_id, vendor_name, industries_served,
                                          current_risk_score, last_activity)
        SELECT 'vendor-' || i, 'Vendor ' || i,
               jsonb_build_array((ARRAY['construction', 'insurance', 'legal'])[1 + i % 3]),
               (i % 10000) / 100.0, timestamp '2024-06-01' + i * interval '1 hour'
        FROM generate_series(1, $rows) i"""),
    Legacy("cyrex_invoices", "invoice_id", """
        CREATE TABLE public.cyrex_invoices (
            invoice_id varchar(64) PRIMARY KEY, vendor_id varchar(64) NOT NULL,
            vendor_name varchar(200) NOT NULL, industry varchar(64) NOT NULL,
            invoice_date timestamp, total_amount numeric(15, 2) NOT NULL,
            fraud_detected boolean DEFAULT false)""", """
        INSERT INTO public.cyrex_invoices (invoice_id, vendor_id, vendor_name, industry,
                                           invoice_date, total_amount, fraud_detected)
        SELECT 'inv-' || i, 'vendor-' || (1 + i % 200), 'Vendor ' || (1 + i % 200),
               (ARRAY['construction', 'insurance', 'legal'])[1 + i % 3],
               timestamp '2024-07-01' + i * interval '1 hour', (i * 37 % 100000) / 100.0,
               i % 17 = 0
        FROM generate_series(1, $rows) i"""),
)
ADOPTED = tuple(t.table for t in LEGACY)


@dataclass(frozen=True)
class Snapshot:
    rows: int
    md5: str


@pytest.fixture
def legacy_database(pg_server: PgServer) -> str:
    """A cyrex database as the platform deploys it, whose `public` holds a legacy deploy's
    tables, filled and owned by the legacy app's role."""
    with psycopg.connect(pg_server.admin_dsn, autocommit=True) as c:
        if not c.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (LEGACY_ROLE,)).fetchone():
            c.execute(sql.SQL("CREATE ROLE {} NOLOGIN").format(sql.Identifier(LEGACY_ROLE)))
    dsn = fresh_database(pg_server, DATABASE, (SCHEMA,), OWNER)
    with psycopg.connect(dsn) as c:
        for t in LEGACY:
            for statement in t.ddl.split(";"):
                c.execute(statement.encode())
            # bytes: the fills use % as an operator, not as a client-side placeholder
            c.execute(t.fill.replace("$rows", str(ROWS)).encode())
            c.execute(sql.SQL("ALTER TABLE public.{} OWNER TO {}").format(
                sql.Identifier(t.table), sql.Identifier(LEGACY_ROLE)))
    return dsn


def _snapshot(c: psycopg.Connection, schema: str, t: Legacy) -> Snapshot:
    row = c.execute(sql.SQL(
        "SELECT count(*), coalesce(md5(string_agg(t::text, ',' ORDER BY t.{})), '') "
        "FROM {} t").format(sql.Identifier(t.pk), sql.Identifier(schema, t.table))).fetchone()
    assert row is not None
    return Snapshot(rows=int(row[0]), md5=str(row[1]))


def _placement(c: psycopg.Connection, table: str) -> list[tuple[str, str]]:
    """(schema, owner) of every ordinary table named `table` in the database."""
    return [(str(r[0]), str(r[1])) for r in c.execute(
        "SELECT relnamespace::regnamespace::text, pg_get_userbyid(relowner) FROM pg_class "
        "WHERE relname = %s AND relkind IN ('r', 'p') ORDER BY 1", (table,))]


def _sequence_of(c: psycopg.Connection, schema: str, table: str, column: str
                 ) -> tuple[str, str] | None:
    """(qualified name, owner) of the sequence a serial column owns."""
    row = c.execute(
        "SELECT s::text, pg_get_userbyid(k.relowner) "
        "FROM pg_get_serial_sequence(%s, %s) AS s JOIN pg_class k ON k.oid = s::regclass",
        (f"{schema}.{table}", column)).fetchone()
    return (str(row[0]), str(row[1])) if row else None


def test_cyrex_adoption__keeps_rows_moves_and_hands_over_then_rollback_restores(
    pg_server: PgServer, legacy_database: str, record_property: Callable[[str, object], None],
) -> None:
    dsn = legacy_database
    module = modules.load(SQL_ROOT, "cyrex")
    assert module.admin_migrations == {1} and module.admin_reason, (
        "cyrex: expected 0001 (and only it) declared as the admin's in module.toml, with why, "
        f"got {sorted(module.admin_migrations)}")
    target = migration_target(pg_server, dsn, service=SERVICE, schemas=(SCHEMA,), owner=OWNER,
                              module=module)
    with psycopg.connect(dsn) as c:
        before = {t.table: _snapshot(c, "public", t) for t in LEGACY}
        legacy_sequence = _sequence_of(c, "public", "events", "id")
    assert all(s.rows == ROWS for s in before.values()), (
        f"legacy tables: expected {ROWS} rows each, got { {k: v.rows for k, v in before.items()} }")
    assert legacy_sequence == ("public.events_id_seq", LEGACY_ROLE), (
        f"legacy public.events.id: expected sequence public.events_id_seq owned by {LEGACY_ROLE}, "
        f"got {legacy_sequence}")

    applied = runner.migrate(target)
    assert [m.id for m in applied] == [m.id for m in module.migrations], (
        f"cyrex: expected every migration applied, got {[m.id for m in applied]}")

    with psycopg.connect(dsn) as c:
        for t in LEGACY:
            placed = _placement(c, t.table)
            assert placed == [(SCHEMA, OWNER)], (
                f"table {t.table}: expected only in {SCHEMA} owned by {OWNER}, found {placed}")
            after = _snapshot(c, SCHEMA, t)
            assert after == before[t.table], (
                f"table {t.table}: expected rows/checksum {before[t.table]} kept, got {after}")
        for table in TWELVE:
            if table in ADOPTED:
                continue
            placed = _placement(c, table)
            assert placed == [(SCHEMA, OWNER)], (
                f"table {table}: expected created in {SCHEMA} owned by {OWNER}, found {placed}")
        sequence = _sequence_of(c, SCHEMA, "events", "id")
        assert sequence == (f"{SCHEMA}.events_id_seq", OWNER), (
            f"bigserial {SCHEMA}.events.id: expected its sequence moved and handed to {OWNER}, "
            f"got {sequence}")
        fk = c.execute("SELECT confrelid::regclass::text FROM pg_constraint "
                       "WHERE conrelid = 'cyrex.task_executions'::regclass AND contype = 'f'"
                       ).fetchall()
        assert fk == [("workflows",)] or fk == [(f"{SCHEMA}.workflows",)], (
            f"foreign key of {SCHEMA}.task_executions: expected to {SCHEMA}.workflows, got {fk}")
        legacy_index = c.execute("SELECT to_regclass('cyrex.events_legacy_entity_idx')::text"
                                 ).fetchone()
        assert legacy_index == (f"{SCHEMA}.events_legacy_entity_idx",), (
            f"legacy index events_legacy_entity_idx: expected kept in {SCHEMA}, "
            f"got {legacy_index}")
        recorded: dict[str, str] = dict(c.execute(
            "SELECT table_name, original_owner FROM cyrex.legacy_adoptions").fetchall())
        assert recorded == dict.fromkeys(ADOPTED, LEGACY_ROLE), (
            f"cyrex.legacy_adoptions: expected {sorted(ADOPTED)} from {LEGACY_ROLE}, "
            f"got {recorded}")
        left_in_public = [r[0] for r in c.execute(
            "SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace "
            "AND relkind IN ('r', 'p', 'S') ORDER BY 1")]
        assert left_in_public == [], (
            f"schema public: expected no table or sequence left, found {left_in_public}")
    states = [r.state for r in runner.status(target)]
    assert states == ["applied"] * len(module.migrations), (
        f"cyrex status: expected all applied, got {states}")

    undone = runner.rollback(target, steps=len(module.migrations))
    assert len(undone) == len(module.migrations), (
        f"cyrex: expected {len(module.migrations)} migrations rolled back, got {len(undone)}")
    with psycopg.connect(dsn) as c:
        for t in LEGACY:
            placed = _placement(c, t.table)
            assert placed == [("public", LEGACY_ROLE)], (
                f"table {t.table}: expected back in public owned by {LEGACY_ROLE}, "
                f"found {placed}")
            restored = _snapshot(c, "public", t)
            assert restored == before[t.table], (
                f"table {t.table}: expected rows/checksum {before[t.table]} after rollback, "
                f"got {restored}")
        sequence = _sequence_of(c, "public", "events", "id")
        assert sequence == ("public.events_id_seq", LEGACY_ROLE), (
            f"bigserial public.events.id: expected its sequence back, owned by {LEGACY_ROLE}, "
            f"got {sequence}")
        in_schema = [r[0] for r in c.execute(
            "SELECT relname FROM pg_class WHERE relnamespace = %s::regnamespace ORDER BY 1",
            (SCHEMA,))]
        assert in_schema == [], f"schema {SCHEMA}: expected empty after rollback, found {in_schema}"

    record_property("cyrex_adopted_tables", len(LEGACY))
    record_property("cyrex_rows_per_table", {k: v.rows for k, v in before.items()})
    print(f"\n[cyrex] adopted {len(LEGACY)} legacy tables "
          f"({', '.join(f'{k}={v.rows}' for k, v in before.items())}), created "
          f"{len(TWELVE) - len(LEGACY)}; checksums equal after adoption and after rollback")
