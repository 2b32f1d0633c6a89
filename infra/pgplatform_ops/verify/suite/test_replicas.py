"""Streaming replicas, when the stack runs any: each is a standby that refuses writes (even
the admin's), streams from the primary through its own active slot, and its replay lag is
reported."""

from __future__ import annotations

import psycopg
import pytest
from psycopg.conninfo import make_conninfo

from pgplatform import replication
from pgplatform_ops.stack import DeployedStack
from pgplatform_ops.verify.findings import WORKS, Finding
from pgplatform_ops.verify.plugin import NOTES, check
from pgplatform_ops.verify.probes import READ_ONLY

pytestmark = pytest.mark.postdeploy


def test_replicas__standby_streaming_read_only_with_its_lag(request: pytest.FixtureRequest,
                                                           deployed: DeployedStack) -> None:
    s = deployed.cfg.server
    if not s.replicas:
        pytest.skip("the stack runs no replica (server.replicas)")
    with psycopg.connect(deployed.admin_dsn(), autocommit=True) as conn:
        streaming = replication.replicas(conn)
    found: list[Finding] = []
    for i in range(s.replicas):
        name = s.replica_name(i)
        state = streaming.get(name)
        if state is None or state.state != "streaming" or not state.slot_active:
            found.append(Finding(kind="replica", object=name, role="",
                                 expected="streaming through its active slot",
                                 actual=str(state) if state else "not connected to the primary"))
        else:
            request.config.stash[NOTES].append(
                f"replica {name}: streaming, replay lag {state.replay_lag_bytes} bytes, "
                f"{state.replay_lag_seconds:.3f} s")
            request.node.user_properties.append((f"{name} replay lag bytes",
                                                 state.replay_lag_bytes))
        with psycopg.connect(make_conninfo(deployed.admin_dsn(), port=str(s.replica_port(i))),
                             autocommit=True) as conn:
            row = conn.execute("SELECT pg_is_in_recovery()").fetchone()
            try:
                conn.execute("CREATE TEMP TABLE pgplatform_probe (i int)")
                write = WORKS
            except psycopg.errors.ReadOnlySqlTransaction:
                write = READ_ONLY
        if row != (True,) or write != READ_ONLY:
            found.append(Finding(kind="replica", object=name, role=s.admin_user,
                                 expected="in recovery, the admin's write refused",
                                 actual=f"in recovery {row}, write {write}"))
    check(request, found)
