"""Streaming replication as SQL (no Pulumi here): the physical slot each replica streams
through, and what verification and the tools read about replicas (their state and lag)."""

from __future__ import annotations

from dataclasses import dataclass

import psycopg

from pgplatform.dsn import ADMIN_SESSION_OPTIONS


def ensure_slot(admin_dsn: str, slot: str) -> None:
    """The slot exists: the primary keeps every WAL segment the replica has not replayed, so a
    replica that was down catches up instead of needing a new base backup."""
    with psycopg.connect(admin_dsn, autocommit=True, connect_timeout=15,
                         options=ADMIN_SESSION_OPTIONS) as conn:
        conn.execute("SELECT pg_create_physical_replication_slot(%s) WHERE NOT EXISTS "
                     "(SELECT 1 FROM pg_replication_slots WHERE slot_name = %s)", (slot, slot))


def drop_slot(admin_dsn: str, slot: str) -> None:
    """Its replica is gone (it waits for nothing else): release the WAL it held."""
    with psycopg.connect(admin_dsn, autocommit=True, connect_timeout=15,
                         options=ADMIN_SESSION_OPTIONS) as conn:
        conn.execute("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots "
                     "WHERE slot_name = %s AND NOT active", (slot,))


@dataclass(frozen=True, kw_only=True)
class ReplicaState:
    application_name: str
    state: str
    """pg_stat_replication.state: `streaming` once caught up with the base backup."""
    replay_lag_bytes: int
    """WAL the primary has written that the replica has not replayed yet."""
    replay_lag_seconds: float
    """pg_stat_replication.replay_lag (0 when idle: nothing to replay)."""
    slot_active: bool


def replicas(admin_conn: psycopg.Connection) -> dict[str, ReplicaState]:
    """Every replica streaming from the primary `admin_conn` is connected to, by its
    application_name (the replica's container name)."""
    rows = admin_conn.execute(
        "SELECT r.application_name, r.state, "
        "coalesce(pg_wal_lsn_diff(pg_current_wal_lsn(), r.replay_lsn), 0)::bigint, "
        "coalesce(extract(epoch FROM r.replay_lag), 0)::float8, "
        "coalesce(bool_or(s.active), false) FROM pg_stat_replication r "
        "LEFT JOIN pg_replication_slots s ON s.active_pid = r.pid "
        "GROUP BY 1, 2, 3, 4").fetchall()
    return {name: ReplicaState(application_name=name, state=state, replay_lag_bytes=int(lag),
                               replay_lag_seconds=float(secs), slot_active=bool(active))
            for name, state, lag, secs, active in rows}
