"""PgBouncer in front of the ci deploy: many clients of one service share its small pool, a
pooled session is the app login's own, the drivers' prepared statements survive
transaction pooling, and the console's one stats user cannot act on it."""

from __future__ import annotations

import time

import psycopg
import pytest
from psycopg.conninfo import make_conninfo

import docker
from pgplatform import pooler
from pgplatform.model import MONITOR_ROLE
from pgplatform_ops.bench import pooled
from pgplatform_ops.verify import console_probes

from e2e_support import CiDeployment

pytestmark = pytest.mark.e2e

SERVICE = "rag"  # poolSize 5 in Pulumi.ci.yaml


def test_pooler__300_clients_answered_while_the_server_sees_at_most_the_pool(
        ci_deployment: CiDeployment) -> None:
    d = ci_deployment.deployed
    assert d.cfg.service(SERVICE).pool_size == 5
    result = pooled.run(d, SERVICE, clients=300)
    assert result.errors == [] and result.answered == 300, result
    assert 1 <= result.server_sessions_max <= result.pool_size, result


def test_pooler__prepared_statements_survive_transaction_pooling(
        ci_deployment: CiDeployment) -> None:
    """psycopg prepares a statement after its 5th run (prepare_threshold); PgBouncer's
    max_prepared_statements maps it onto whichever server connection runs the next one."""
    dsn = ci_deployment.deployed.pooled_dsn(SERVICE)
    with psycopg.connect(dsn, prepare_threshold=0) as first, \
            psycopg.connect(dsn, prepare_threshold=0) as second:
        for i in range(20):
            for conn in (first, second):
                row = conn.execute("SELECT %s::int + 1", (i,)).fetchone()
                assert row == (i + 1,)
                conn.commit()


def test_pooler__refuses_what_it_cannot_pool_safely(ci_deployment: CiDeployment) -> None:
    d = ci_deployment.deployed
    assert d.cfg.server.pooler is not None
    # `-c` options would be dropped by a pooled session: refused, never silently ignored.
    with pytest.raises(psycopg.OperationalError, match="unsupported startup parameter"):
        psycopg.connect(d.pooled_dsn(SERVICE), options="-c statement_timeout=1").close()
    # The migrator (DDL under a session lock) has no pool: it keeps the direct DSN.
    migrator = make_conninfo(d.migrator_dsn(SERVICE), port=d.cfg.server.pooler.host_port)
    with pytest.raises(psycopg.OperationalError, match="login rejected"):
        psycopg.connect(migrator, connect_timeout=5).close()
    # A replication connection or another database is refused by the pooler itself, so the
    # login's pool never caches a failed server login (server_login_retry) ...
    for wrong in ({"replication": "true"}, {"dbname": "flipsync"}):
        with pytest.raises(psycopg.OperationalError, match="login rejected"):
            psycopg.connect(make_conninfo(d.pooled_dsn(SERVICE), **wrong),
                            connect_timeout=5).close()
    # ... and its clients are served right after.
    with psycopg.connect(d.pooled_dsn(SERVICE), connect_timeout=5) as conn:
        assert conn.execute("SELECT current_user").fetchone() == (f"{SERVICE}_app",)


def test_pooler__console_probes_catch_a_monitor_made_admin(ci_deployment: CiDeployment) -> None:
    """The wall verification proves (`console_probes`) holds on the deploy, and its probes
    name the fallen wall when the deployed config makes the monitor an admin_users (edited in
    the container and reloaded by SIGHUP, as a tampered pooler would be), then hold again."""
    d = ci_deployment.deployed
    assert d.pooler_console_dsn(), "the ci stack publishes pooler metrics"
    tried, found = console_probes.probe_console(d)
    assert tried > len(console_probes.READS) and found == [], found
    pooler_box = docker.from_env().containers.get(d.cfg.server.pooler_name)
    ini = f"{pooler.PRIVATE_DIR}/{pooler.CONFIG_FILE}"

    def set_admins(value: str) -> None:
        edit = pooler_box.exec_run(["sed", "-i", f"s/^admin_users = .*/admin_users = {value}/",
                                    ini])
        assert edit.exit_code == 0, edit.output
        assert pooler_box.exec_run(["kill", "-HUP", "1"]).exit_code == 0
        time.sleep(1)

    set_admins(MONITOR_ROLE)
    try:
        _, fallen = console_probes.probe_console(d)
    finally:
        set_admins("")
    named = {f.object.rsplit(": ", 1)[1] for f in fallen}
    assert {"SHOW FDS", "RELOAD"} <= named, fallen
    assert all(f.role == MONITOR_ROLE for f in fallen), fallen
    _, again = console_probes.probe_console(d)
    assert again == [], again
