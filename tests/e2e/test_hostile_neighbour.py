"""A compromised service against its neighbours, on the ci deployment: each attack of
issue 23 run as written, and shown refused or without effect.

vector_store is the attacker (its migrator owns its schema; its app login listens); rag (a
declared reader of vector_store) and paddle_mcp (a consumer of vector_store and rag) are the
victims. Everything an attack leaves is removed, so later tests see the stack as deployed.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress

import psycopg
import pytest
from psycopg import sql

from pgplatform import access, pooler, session_limits
from pgplatform.migrate import runner
from pgplatform.model import WATCHDOG_PERIOD_S
from pgplatform_ops.stack import DeployedStack

from e2e_support import CiDeployment

pytestmark = pytest.mark.e2e
ATTACKER, READER, CONSUMER = "vector_store", "rag", "paddle_mcp"
SLACK_S = 3.0
"""Beyond the watchdog's period: its own query, and the signal arriving."""
OTHER_RUNNER_WAIT_S = 10.0
"""Longer than a runner's status takes unimpeded, far shorter than any lock wait."""


@pytest.fixture(scope="module")
def d(ci_deployment: CiDeployment) -> DeployedStack:
    return ci_deployment.deployed


def _as_attacker(d: DeployedStack, statement: str) -> None:
    with psycopg.connect(d.migrator_dsn(ATTACKER), autocommit=True) as c:
        c.execute(statement.encode())


def _refused(d: DeployedStack, dsn: str, statement: str) -> str:
    """The error `statement` ends in as the login of `dsn`; fails the test if it works."""
    with psycopg.connect(dsn, autocommit=True) as c:
        try:
            c.execute(statement.encode())
        except psycopg.Error as exc:
            return f"{type(exc).__name__}: {exc.diag.message_primary}"
    raise AssertionError(f"worked: {statement}")


@contextmanager
def _dropped_after(d: DeployedStack, *objects: str) -> Iterator[None]:
    try:
        yield
    finally:
        with psycopg.connect(d.migrator_dsn(ATTACKER), autocommit=True) as c:
            for obj in objects:
                c.execute(f"DROP {obj}".encode())


def _try(dsn: str, statement: str) -> None:
    """`statement` as the login of `dsn`, its error (the expected outcome) swallowed."""
    with suppress(psycopg.Error), psycopg.connect(dsn, autocommit=True) as c:
        c.execute(statement.encode())


def _notifications(d: DeployedStack, channel: str, during: Callable[[], None]) -> list[str]:
    """What the attacker's app login, listening on `channel`, receives while `during` runs."""
    with psycopg.connect(d.service_dsn(ATTACKER), autocommit=True) as listener:
        listener.execute(sql.SQL("LISTEN {}").format(sql.Identifier(channel)))
        with suppress(psycopg.Error):
            during()
        return [n.payload for n in listener.notifies(timeout=1.0)]


# -- 1. code that runs as the reader ----------------------------------------------------------

def test_hostile__a_policy_in_a_read_shared_schema_is_refused_at_ddl(d: DeployedStack) -> None:
    with _dropped_after(d, "TABLE IF EXISTS vector_store.spy"):
        _as_attacker(d, "CREATE TABLE vector_store.spy (id int); "
                        "ALTER TABLE vector_store.spy ENABLE ROW LEVEL SECURITY")
        why = _refused(d, d.migrator_dsn(ATTACKER),
                       "CREATE POLICY p ON vector_store.spy FOR SELECT USING (pg_notify('exfil',"
                       " current_user || query_to_xml('SELECT * FROM rag.rag_sessions', true, "
                       "false, '')::text) IS NULL)")
        assert "other services read it" in why, why
        # The reader meets the table's row security as an error, never a policy's code.
        got = _notifications(d, "exfil", lambda: _try(d.service_dsn(READER),
                                                      "SELECT * FROM vector_store.spy"))
        assert got == [], got
        why = _refused(d, d.service_dsn(READER), "SELECT * FROM vector_store.spy")
        assert "row-level security" in why, why


XML = "query_to_xml('SELECT * FROM rag.rag_sessions', true, false, '')::text"


# The reader's rows are read by dynamic SQL (a view's own references are checked as its owner,
# which cannot read them); each channel is tried with them and with the reader's name alone.
@pytest.mark.parametrize("leak", [
    f"pg_notify('exfil', current_user || {XML}) IS NULL",
    "pg_notify('exfil', current_user) IS NULL",
    f"set_config('application_name', current_user || {XML}, false)",
    "set_config('application_name', current_user, false)",
    f"pg_try_advisory_xact_lock(length({XML}))",
    "pg_try_advisory_xact_lock(hashtext(current_user))",
    "ts_stat('SELECT to_tsvector(session_id) FROM rag.rag_sessions')::text",
], ids=["notify-rows", "notify-name", "application_name-rows", "application_name-name",
        "advisory-key-rows", "advisory-key-name", "ts_stat-rows"])
def test_hostile__a_view_that_runs_as_its_reader_cannot_carry_anything_out(
        d: DeployedStack, leak: str) -> None:
    with _dropped_after(d, "VIEW IF EXISTS vector_store.spy_view"):
        # The reader may SELECT it (default privileges), and a view's calls run as the one
        # who reads it: which may not call any of these.
        _as_attacker(d, f"CREATE VIEW vector_store.spy_view AS SELECT {leak} AS x")
        got = _notifications(d, "exfil", lambda: _try(d.service_dsn(READER),
                                                      "SELECT * FROM vector_store.spy_view"))
        assert got == [], got
        why = _refused(d, d.service_dsn(READER), "SELECT * FROM vector_store.spy_view")
        assert "permission denied for function" in why, why


def test_hostile__an_owner_cannot_grant_its_readers_its_functions(d: DeployedStack) -> None:
    with _dropped_after(d, "FUNCTION IF EXISTS vector_store.tamper()"):
        # plpgsql: its body is checked when it runs (as the caller), not when it is made.
        _as_attacker(d, "CREATE FUNCTION vector_store.tamper() RETURNS int LANGUAGE plpgsql AS "
                        "'BEGIN UPDATE rag.rag_sessions SET session_id = session_id; "
                        "RETURN 1; END'")
        why = _refused(d, d.migrator_dsn(ATTACKER),
                       "GRANT EXECUTE ON FUNCTION vector_store.tamper() TO rag_app")
        assert "privileges are the platform's to give" in why, why
        why = _refused(d, d.migrator_dsn(ATTACKER),
                       "ALTER DEFAULT PRIVILEGES IN SCHEMA vector_store GRANT EXECUTE ON "
                       "FUNCTIONS TO rag_app")
        assert "privileges are the platform's to give" in why, why
        why = _refused(d, d.service_dsn(READER), "SELECT vector_store.tamper()")
        assert "permission denied" in why, why


# -- 2. search-path hijack -------------------------------------------------------------------

def test_hostile__a_consumers_unqualified_name_never_reaches_another_owner(
        d: DeployedStack) -> None:
    with _dropped_after(d, "VIEW IF EXISTS vector_store.rag_sessions"):
        _as_attacker(d, "CREATE VIEW vector_store.rag_sessions AS "
                        "SELECT 'FAKE'::text AS session_id")
        with psycopg.connect(d.on_primary(d.consumer_dsn(CONSUMER)), autocommit=True) as c:
            path = c.execute("SHOW search_path").fetchone()
            assert path == ("extensions",), f"{CONSUMER} reads two owners: {path}"
            with pytest.raises(psycopg.errors.UndefinedTable):
                c.execute("SELECT session_id FROM rag_sessions")
            real = c.execute("SELECT count(*) FROM rag.rag_sessions WHERE session_id = "
                             "'FAKE'").fetchone()
            assert real == (0,)


# -- 3. the shared lock table -----------------------------------------------------------------

def test_hostile__no_login_fills_the_lock_table(d: DeployedStack) -> None:
    answered: list[float] = []

    def another_database() -> None:
        while len(answered) < 5:
            started = time.monotonic()
            with psycopg.connect(d.service_dsn("flipsync_app"), connect_timeout=5) as c:
                c.execute("SELECT 1")
            answered.append(time.monotonic() - started)

    probe = threading.Thread(target=another_database)
    probe.start()
    for dsn in (d.readonly_dsn(READER), d.service_dsn(READER), d.migrator_dsn(ATTACKER)):
        why = _refused(d, d.on_primary(dsn),
                       "SELECT count(pg_advisory_lock(i)) FROM generate_series(1, 300000) i")
        assert "permission denied for function pg_advisory_lock" in why, why
    probe.join(timeout=60)
    assert answered and max(answered) < 1.0, answered


# -- 4. the pooler -----------------------------------------------------------------------------

def test_hostile__one_login_cannot_take_the_poolers_clients(d: DeployedStack) -> None:
    flooder = "flipsync_app"
    share = pooler.client_limits(d.cfg)[flooder]
    held: list[psycopg.Connection] = []
    refused = 0
    try:
        for _ in range(share + 5):
            try:
                held.append(psycopg.connect(d.pooled_dsn(flooder), connect_timeout=5))
            except psycopg.OperationalError as exc:
                assert "max_user_client_connections" in str(exc), exc
                refused += 1
        assert len(held) <= share and refused >= 5, (len(held), refused, share)
        with psycopg.connect(d.pooled_dsn(READER), connect_timeout=5) as other:
            assert other.execute("SELECT 1").fetchone() == (1,)
    finally:
        for c in held:
            c.close()


# -- 5. the migration bookkeeping ---------------------------------------------------------------

def test_hostile__a_migrator_cannot_stall_another_services_migrations(
        d: DeployedStack) -> None:
    why = _refused(d, d.migrator_dsn(ATTACKER),
                   "BEGIN; SET idle_in_transaction_session_timeout = 0; "
                   "LOCK TABLE pgplatform.schema_migrations IN ACCESS EXCLUSIVE MODE")
    assert "permission denied" in why, why
    # What it may hold: its own rows, and the weakest locks INSERT and SELECT give.
    with psycopg.connect(d.migrator_dsn(ATTACKER)) as holder:
        holder.execute("SET idle_in_transaction_session_timeout = 0")
        holder.execute("LOCK TABLE pgplatform.schema_migrations IN ROW EXCLUSIVE MODE")
        holder.execute("SELECT 1 FROM pgplatform.migration_locks WHERE service = %s "
                       "FOR UPDATE", (ATTACKER,))
        started = time.monotonic()
        rows = runner.status(d.migration_target(d.cfg.service(READER)))
        took = time.monotonic() - started
        holder.rollback()
    print(f"[hostile] rag's runner beside the attacker's locks: {took:.2f} s")
    assert rows and took < OTHER_RUNNER_WAIT_S, took


# -- 6. read-only logins and large objects -------------------------------------------------------

@pytest.mark.parametrize("who", ["readonly", "consumer", "app"])
def test_hostile__no_login_creates_a_large_object(d: DeployedStack, who: str) -> None:
    dsn = {"readonly": d.readonly_dsn(READER), "consumer": d.consumer_dsn(CONSUMER),
           "app": d.service_dsn(READER)}[who]
    why = _refused(d, d.on_primary(dsn), "SET default_transaction_read_only = off; "
                   "SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE; "
                   "SELECT lo_from_bytea(0, '\\x00')")
    assert "permission denied for function lo_from_bytea" in why, why
    with psycopg.connect(d.admin_dsn("paddle")) as admin:
        assert admin.execute("SELECT count(*) FROM pg_largeobject_metadata").fetchone() == (0,)


# -- 7. limits lifted with SET -------------------------------------------------------------------

def _ended_within(d: DeployedStack, dsn: str, statements: list[str], limit_s: float
                  ) -> tuple[float, str]:
    started = time.monotonic()
    with psycopg.connect(dsn, autocommit=True) as c:
        try:
            for s in statements:
                c.execute(s.encode())
            time.sleep(limit_s + WATCHDOG_PERIOD_S + 2 * SLACK_S)
            c.execute("SELECT 1")
            outcome = "still alive"
        except psycopg.Error as exc:
            outcome = f"{type(exc).__name__}: {str(exc).strip().splitlines()[0]}"
    return time.monotonic() - started, outcome


def test_hostile__a_statement_past_its_limit_ends_though_the_session_lifted_it(
        d: DeployedStack) -> None:
    svc = d.cfg.service(READER)
    limit_s = svc.readonly_statement_timeout_ms / 1000
    started = time.monotonic()
    with psycopg.connect(d.on_primary(d.readonly_dsn(READER)), autocommit=True) as c:
        c.execute("SET statement_timeout = 0")
        with pytest.raises(psycopg.errors.QueryCanceled):
            c.execute("SELECT pg_sleep(90)")
    took = time.monotonic() - started
    print(f"[hostile] pg_sleep(90) after SET statement_timeout = 0 ended after {took:.1f} s "
          f"(limit {limit_s:.0f} s, watchdog every {WATCHDOG_PERIOD_S} s)")
    assert took < limit_s + WATCHDOG_PERIOD_S + SLACK_S, took


def test_hostile__a_transaction_left_idle_past_its_limit_ends_though_the_session_lifted_it(
        d: DeployedStack) -> None:
    login = d.cfg.service(READER).login_role
    limit_s = next(x for x in session_limits.limits(access.all_roles(d.cfg))
                   if x.role == login).idle_in_transaction_ms / 1000
    took, outcome = _ended_within(d, d.service_dsn(READER), [
        "SET idle_in_transaction_session_timeout = 0",
        "BEGIN ISOLATION LEVEL REPEATABLE READ", "SELECT count(*) FROM rag.rag_sessions"],
        limit_s)
    print(f"[hostile] a REPEATABLE READ transaction left idle: {outcome} after {took:.1f} s")
    assert outcome != "still alive", outcome
    assert took < limit_s + WATCHDOG_PERIOD_S + 3 * SLACK_S + 1, took
