"""The Prometheus endpoint of the ci deploy: Debian's exporter answers on the published
address with every managed database's size and each service schema's size, logged in as the
monitor; it reaches the server over its network only."""

from __future__ import annotations

import re
import time
import urllib.request

import pytest
import yaml

import docker
from pgplatform import paths
from pgplatform.model import MONITOR_CONNECTION_LIMIT, MONITOR_ROLE
from pgplatform_ops.stack import DeployedStack

from e2e_support import CiDeployment

pytestmark = pytest.mark.e2e


def _scrape(url: str) -> str:
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(url, timeout=10) as response:
                text = bytes(response.read()).decode()
            if "pgplatform_schema_bytes" in text:
                return text
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise AssertionError(f"{url}: no per-schema metrics within 60 s")
        time.sleep(1)


def _value(text: str, metric: str, **labels: str) -> float:
    for line in text.splitlines():
        if not line.startswith((metric + "{", metric + " ")):
            continue
        found = dict(re.findall(r'(\w+)="([^"]*)"', line.split("}")[0]))
        if all(found.get(k) == v for k, v in labels.items()):
            return float(line.rsplit(" ", 1)[1])
    raise AssertionError(f"no {metric} with {labels}")


def test_exporter__sizes_per_database_and_per_service_schema(ci_deployment: CiDeployment
                                                             ) -> None:
    d: DeployedStack = ci_deployment.deployed
    assert d.outputs.metrics_url.startswith(f"http://{d.cfg.server.bind_address}:")
    text = _scrape(d.outputs.metrics_url)
    assert _value(text, "pg_up") == 1
    for db in d.cfg.databases:
        assert _value(text, "pg_database_size_bytes", datname=db.name) > 0
    for svc in d.cfg.services:
        for schema in svc.schemas:
            assert _value(text, "pgplatform_schema_bytes", database=svc.database,
                          schema=schema, owner=svc.owner_role) > 0, (svc.name, schema)


def test_exporter__published_on_the_bind_address_and_on_the_servers_network_only(
        ci_deployment: CiDeployment) -> None:
    s = ci_deployment.deployed.cfg.server
    attrs = docker.from_env().containers.get(s.exporter_name).attrs
    assert list(attrs["NetworkSettings"]["Networks"]) == [s.network_name]
    bindings = attrs["HostConfig"]["PortBindings"]["9187/tcp"]
    assert bindings == [{"HostIp": s.bind_address, "HostPort": str(s.exporter_port)}]
    # Its entrypoint starts as root (to read the uploaded secrets) and drops to `prometheus`.
    container = docker.from_env().containers.get(s.exporter_name)
    output = container.exec_run(["id", "-u", "prometheus"]).output
    assert isinstance(output, bytes)
    uid = output.decode().strip()
    top = container.top(ps_args="-o pid,uid,comm")
    uids = {p[1] for p in top["Processes"] if p[2].startswith("prometheus")}
    assert uids == {uid} and uid != "0", top


def test_exporter__every_metric_the_alert_rules_use_is_exposed(ci_deployment: CiDeployment
                                                               ) -> None:
    """monitoring/pgplatform-rules.yml pages on these series: a rule over a name the exporter
    does not expose would never fire. (The base backups' age needs server.pitr: its series
    are checked by tests/e2e/test_pitr.py; the denied-access series appear with the first
    denial a status run counts: tests/e2e/test_prometheus.py.)"""
    d = ci_deployment.deployed
    text = _scrape(d.outputs.metrics_url)
    rules = yaml.safe_load((paths.PROJECT_ROOT / "monitoring" / "pgplatform-rules.yml")
                           .read_text())
    exprs = " ".join(r["expr"] for g in rules["groups"] for r in g["rules"])
    used = set(re.findall(r"\b(pg_[a-z_]+|pgplatform_[a-z_]+)", exprs)) - {
        "pgplatform_pitr_backup_age_seconds", "pgplatform_denied_access_last_seen_seconds"}
    exposed = {line.split("{")[0].split(" ")[0] for line in text.splitlines()
               if line and not line.startswith("#")}
    assert used <= exposed, sorted(used - exposed)
    # Each login against its limit: the exporter's own sessions are counted.
    assert _value(text, "pgplatform_role_connections", role=MONITOR_ROLE) >= 1
    assert _value(text, "pgplatform_role_connection_limit", role=MONITOR_ROLE) == (
        MONITOR_CONNECTION_LIMIT)
    for db in d.cfg.databases:
        assert _value(text, "pgplatform_database_xid_age", datname=db.name) > 0
    assert _value(text, "pgplatform_server_start_time_seconds") > 1.7e9
