"""The connection pooler, when the stack runs one: its files are the model's, it holds SCRAM
verifiers (never passwords) of the pooled logins (and the console's stats login) only, it runs
unprivileged, and each pooled DSN lands on its own database over TLS to the server; its
exporter, where published, runs unprivileged and reads it. Its isolation probes run with the
services' and the monitor's (`test_probes`)."""

from __future__ import annotations

import difflib
import urllib.request

import psycopg
import pytest
import testinfra

from pgplatform import pooler
from pgplatform.model import ServiceConfig
from pgplatform_ops.stack import DeployedStack
from pgplatform_ops.verify.findings import Finding
from pgplatform_ops.verify.plugin import check

pytestmark = pytest.mark.postdeploy


@pytest.fixture(scope="module")
def pooler_host(deployed: DeployedStack) -> testinfra.host.Host:
    if deployed.cfg.server.pooler is None:
        pytest.skip("the stack runs no pooler (server.pooler)")
    return testinfra.get_host(f"docker://{deployed.cfg.server.pooler_name}")


def _file(host: testinfra.host.Host, name: str) -> str:
    return str(host.file(f"{pooler.PRIVATE_DIR}/{name}").content_string)


def test_pooler__config_and_hba_as_modelled(request: pytest.FixtureRequest,
                                            deployed: DeployedStack,
                                            pooler_host: testinfra.host.Host) -> None:
    found = []
    for name, want in ((pooler.CONFIG_FILE, pooler.config(deployed.cfg)),
                       (pooler.HBA_FILE, pooler.hba(deployed.cfg))):
        have = _file(pooler_host, name).splitlines()
        found += [Finding(kind="pooler config", object=name, role="", expected="as modelled",
                          actual=line)
                  for line in difflib.unified_diff(want.splitlines(), have, "modelled",
                                                   "deployed", lineterm="", n=0)
                  if line[:1] in "+-" and line[:3] not in ("+++", "---")]
    check(request, found)


def test_pooler__userlist_holds_the_servers_verifiers_of_pooled_logins_only(
        request: pytest.FixtureRequest, deployed: DeployedStack,
        pooler_host: testinfra.host.Host) -> None:
    entries: dict[str, str] = {}
    for line in _file(pooler_host, pooler.USERLIST_FILE).splitlines():
        role, _, secret = line.partition(" ")
        entries[role.strip('"')] = secret.strip('"')
    pooled = {svc.login_role for svc in pooler.pooled_services(deployed.cfg)}
    stats = pooler.stats_login(deployed.cfg)
    if stats:
        pooled.add(stats)
    with psycopg.connect(deployed.admin_dsn(), autocommit=True) as conn:
        stored: dict[str, str] = dict(conn.execute("SELECT rolname, rolpassword FROM pg_authid "
                                   "WHERE rolname = ANY(%s)", (sorted(pooled),)).fetchall())
    found = [Finding(kind="pooler userlist", object=role, role=role,
                     expected="the server's SCRAM verifier" if role in pooled else "absent",
                     actual="present" if role not in pooled else "missing"
                     if role not in entries else "another secret")
             for role in sorted(pooled | set(entries))
             if role not in pooled or entries.get(role) != stored.get(role)]
    check(request, found)


def test_pooler__pgbouncer_runs_as_postgres(request: pytest.FixtureRequest,
                                            pooler_host: testinfra.host.Host) -> None:
    status = pooler_host.file("/proc/1/status").content_string.splitlines()
    uid = int(next(line for line in status if line.startswith("Uid:")).split()[1])
    comm = pooler_host.file("/proc/1/comm").content_string.strip()
    want = pooler_host.user("postgres").uid
    check(request, [] if (comm, uid) == ("pgbouncer", want) else [Finding(
        kind="pooler process", object="PID 1", role="", expected=f"pgbouncer as uid {want}",
        actual=f"{comm} as uid {uid}")])


def test_pooler__pooled_dsn_reaches_its_database_over_tls(
        request: pytest.FixtureRequest, deployed: DeployedStack,
        pooler_host: testinfra.host.Host, service: ServiceConfig) -> None:
    """The session the server sees is the app login's, in its database, encrypted."""
    with psycopg.connect(deployed.pooled_dsn(service.name), connect_timeout=5) as conn:
        row = conn.execute("SELECT current_user, current_database(), ssl FROM pg_stat_ssl "
                           "WHERE pid = pg_backend_pid()").fetchone()
    want = (service.login_role, service.database, True)
    check(request, [] if row == want else [Finding(
        kind="pooled session", object=f"service {service.name}", role=service.login_role,
        expected=str(want), actual=str(row))])


def test_pooler__its_exporter_runs_unprivileged_and_reads_the_console(
        request: pytest.FixtureRequest, deployed: DeployedStack) -> None:
    s = deployed.cfg.server
    if not s.pooler_metrics_url:
        pytest.skip("the stack publishes no pooler metrics (server.pooler.metricsPort)")
    host = testinfra.get_host(f"docker://{s.pooler_metrics_name}")
    status = host.file("/proc/1/status").content_string.splitlines()
    uid = int(next(line for line in status if line.startswith("Uid:")).split()[1])
    want = host.user(METRICS_USER).uid
    found = [] if uid == want else [Finding(
        kind="pooler metrics process", object="PID 1", role="", expected=f"uid {want}",
        actual=f"uid {uid}")]
    # pgbouncer_up is 1 only when the exporter's session reads the console.
    with urllib.request.urlopen(s.pooler_metrics_url, timeout=10) as resp:
        up = [line for line in resp.read().decode().splitlines()
              if line.startswith("pgbouncer_up ")]
    if up != ["pgbouncer_up 1"]:
        found.append(Finding(kind="pooler metrics", object=s.pooler_metrics_url, role="",
                             expected="pgbouncer_up 1", actual=str(up)))
    check(request, found)


METRICS_USER = "pooler-metrics"
"""The pooler image's unprivileged user its exporter runs as (docker/pooler)."""
