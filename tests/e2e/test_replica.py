"""The ci deploy's streaming replica: rows written on the primary are read by a `readFrom:
replica` login on the standby; with the replica down, that login's DSN falls back to the
primary, and the replica, started again, catches up through its slot (no new base backup)."""

from __future__ import annotations

import time
from collections.abc import Callable

import psycopg
import pytest
from psycopg.conninfo import make_conninfo

import docker
from pgplatform import replication

from e2e_support import CiDeployment

pytestmark = pytest.mark.e2e

CONSUMER = "paddle_mcp"  # readFrom: replica in Pulumi.ci.yaml; reads vector_store and rag


def _on_standby(dsn: str) -> bool:
    with psycopg.connect(dsn, connect_timeout=5) as conn:
        row = conn.execute("SELECT pg_is_in_recovery()").fetchone()
    return bool(row and row[0])


def _wait_for(what: str, ok: Callable[[], bool], timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while not ok():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {timeout_s:.0f} s")
        time.sleep(0.3)


def _count(dsn: str, marker: str) -> int:
    with psycopg.connect(dsn, connect_timeout=5) as conn:
        row = conn.execute("SELECT count(*) FROM vector_store.documents WHERE content = %s",
                           (marker,)).fetchone()
    return int(row[0]) if row else 0


def test_replica__reads_follow_the_primary_fall_back_and_catch_up(
        ci_deployment: CiDeployment) -> None:
    d = ci_deployment.deployed
    s = d.cfg.server
    assert s.replicas == 1 and d.cfg.consumers[1].read_from == "replica"
    reader = d.consumer_dsn(CONSUMER)
    assert _on_standby(reader), "a readFrom: replica login lands on the standby"
    writer = d.service_dsn("vector_store")
    with psycopg.connect(writer) as conn:
        conn.execute("INSERT INTO vector_store.documents (id, content, embedding) "
                     "SELECT 800000 + i, 'replica-e2e-1', array_fill(1::real, ARRAY[384])"
                     "::extensions.vector FROM generate_series(1, 20) i")
    _wait_for("rows on the replica", lambda: _count(reader, "replica-e2e-1") == 20)

    container = docker.from_env().containers.get(s.replica_name(0))
    container.stop(timeout=30)
    try:
        # With the standby gone, libpq's prefer-standby falls back to the primary.
        assert not _on_standby(reader)
        with psycopg.connect(writer) as conn:
            conn.execute("INSERT INTO vector_store.documents (id, content, embedding) "
                         "SELECT 800100 + i, 'replica-e2e-2', array_fill(2::real, ARRAY[384])"
                         "::extensions.vector FROM generate_series(1, 20) i")
        with psycopg.connect(d.admin_dsn(), autocommit=True) as conn:
            # The slot keeps the WAL the stopped replica has not replayed.
            row = conn.execute("SELECT active, restart_lsn IS NOT NULL FROM "
                               "pg_replication_slots WHERE slot_name = %s",
                               (s.replica_slot(0),)).fetchone()
        assert row == (False, True), row
    finally:
        container.start()
    _wait_for("the replica back", lambda: _ready(reader))
    _wait_for("the replica caught up", lambda: _count(reader, "replica-e2e-2") == 20, 120)
    with psycopg.connect(d.admin_dsn(), autocommit=True) as conn:
        _wait_for("streaming again", lambda: replication.replicas(conn).get(
            s.replica_name(0)) is not None)
        state = replication.replicas(conn)[s.replica_name(0)]
    assert state.state == "streaming" and state.slot_active, state
    # The standby refuses the app's write even through its own credentials.
    with psycopg.connect(make_conninfo(writer, port=str(s.replica_port(0)))) as conn, \
            pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
        conn.execute("DELETE FROM vector_store.documents WHERE content = 'replica-e2e-1'")
    with psycopg.connect(writer) as conn:
        conn.execute("DELETE FROM vector_store.documents WHERE content LIKE 'replica-e2e-%'")


def _ready(reader: str) -> bool:
    try:
        return _on_standby(reader)
    except psycopg.OperationalError:
        return False
