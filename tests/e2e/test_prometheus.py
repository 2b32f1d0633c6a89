"""A real Prometheus (Debian's package) scrapes the ci stack's two exporters (the server's,
the pooler's) with the repository's alert rules loaded (their `for:` durations shortened to
seconds: promtool proves the durations, tests/unit/test_alert_rules.py): a login driven to 80%
of its connection limit fires its alert there, a service's login refused another's database
fires the cross-database alert once `scripts/status` has counted it, and every panel of the
Grafana dashboard returns series."""

from __future__ import annotations

import json
import math
import shutil
import socket
import subprocess
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import psycopg
import pytest
import yaml
from psycopg.conninfo import make_conninfo

from pgplatform import paths

from e2e_support import STACK, CiDeployment, script

pytestmark = pytest.mark.e2e
MONITORING = paths.PROJECT_ROOT / "monitoring"
PITR_ONLY = ("pgplatform_pitr_", "pg_stat_archiver_")
"""Series a stack without server.pitr does not have (the ci stack archives no WAL)."""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.loads(bytes(response.read()).decode())


@pytest.fixture(scope="module")
def prometheus(ci_deployment: CiDeployment, tmp_path_factory: pytest.TempPathFactory
               ) -> Iterator[str]:
    binary = shutil.which("prometheus")
    assert binary, "prometheus not found. Fix: apt-get install prometheus (Debian's package)"
    work = tmp_path_factory.mktemp("prometheus")
    rules = yaml.safe_load((MONITORING / "pgplatform-rules.yml").read_text())
    for group in rules["groups"]:
        for rule in group["rules"]:
            if "for" in rule:
                rule["for"] = "4s"
    (work / "rules.yml").write_text(yaml.safe_dump(rules))
    deployed = ci_deployment.deployed
    # The server's exporter and the pooler's, as the README's scrape config has them.
    targets = {"pgplatform-ci": deployed.outputs.metrics_url,
               "pgplatform-ci-pooler": deployed.cfg.server.pooler_metrics_url}
    assert all(targets.values()), f"{STACK} publishes both exporters: {targets}"
    (work / "prometheus.yml").write_text(yaml.safe_dump({
        "global": {"scrape_interval": "2s", "evaluation_interval": "2s"},
        "rule_files": [str(work / "rules.yml")],
        "scrape_configs": [{"job_name": job, "static_configs": [
            {"targets": [urllib.parse.urlparse(url).netloc]}]}
            for job, url in targets.items()]}))
    url = f"http://127.0.0.1:{_free_port()}"
    with (work / "prometheus.log").open("w") as log:
        proc = subprocess.Popen(
            [binary, f"--config.file={work / 'prometheus.yml'}",
             f"--storage.tsdb.path={work / 'data'}",
             f"--web.listen-address={url.removeprefix('http://')}"],
            stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while _series(url, "pg_up") == [] or _series(url, "pgbouncer_up == 1") == []:
            assert proc.poll() is None, (work / "prometheus.log").read_text()[-3000:]
            assert time.monotonic() < deadline, "no scrape of both exporters within 60 s"
            time.sleep(1)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def _series(url: str, expr: str) -> list[Any]:
    try:
        answer = _get(f"{url}/api/v1/query?{urllib.parse.urlencode({'query': expr})}")
    except OSError:
        return []
    assert answer["status"] == "success", answer
    return list(answer["data"]["result"])


def test_prometheus__a_login_at_80_percent_of_its_limit_fires_its_alert(
        prometheus: str, ci_deployment: CiDeployment) -> None:
    d = ci_deployment.deployed
    svc = d.cfg.service("rag")
    with psycopg.connect(d.admin_dsn()) as admin:
        row = admin.execute("SELECT count(*) FROM pg_stat_activity WHERE usename = %s",
                            (svc.login_role,)).fetchone()
    assert row is not None
    held = [psycopg.connect(d.on_primary(d.service_dsn("rag")), connect_timeout=10)
            for _ in range(math.ceil(0.8 * svc.connection_limit) - int(row[0]))]
    try:
        deadline = time.monotonic() + 90
        firing: list[Any] = []
        while not firing and time.monotonic() < deadline:
            time.sleep(2)
            firing = [a for a in _get(f"{prometheus}/api/v1/alerts")["data"]["alerts"]
                      if a["labels"]["alertname"] == "PgplatformLoginNearConnectionLimit"
                      and a["labels"].get("role") == svc.login_role
                      and a["state"] == "firing"]
        assert firing, _get(f"{prometheus}/api/v1/alerts")
        others = [a["labels"].get("role") for a in _get(f"{prometheus}/api/v1/alerts")["data"][
            "alerts"] if a["labels"]["alertname"] == "PgplatformLoginNearConnectionLimit"]
        assert set(others) == {svc.login_role}, others
    finally:
        for conn in held:
            conn.close()


def _firing(url: str, alert: str, **labels: str) -> list[Any]:
    return [a for a in _get(f"{url}/api/v1/alerts")["data"]["alerts"]
            if a["labels"]["alertname"] == alert and a["state"] == "firing"
            and all(a["labels"].get(k) == v for k, v in labels.items())]


def test_prometheus__a_login_refused_another_database_fires_the_cross_database_alert(
        prometheus: str, ci_deployment: CiDeployment) -> None:
    d = ci_deployment.deployed
    svc = d.cfg.service("rag")
    other = next(db.name for db in d.cfg.databases if db.name != svc.database)
    series = (f'pgplatform_denied_access_total{{role="{svc.login_role}",database="{other}",'
              'kind="connect",service="rag"}')
    # Whatever earlier tests left in the log is counted first, and scraped.
    script("status", "--outputs", str(ci_deployment.outputs_file))
    time.sleep(5)
    before = sum(float(r["value"][1]) for r in _series(prometheus, series))
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(make_conninfo(d.service_dsn("rag"), dbname=other),
                        connect_timeout=10).close()
    counted = script("status", "--outputs", str(ci_deployment.outputs_file))
    assert counted.returncode == 1, counted.stdout[-3000:] + counted.stderr[-2000:]
    deadline = time.monotonic() + 60
    while sum(float(r["value"][1]) for r in _series(prometheus, series)) < before + 1:
        assert time.monotonic() < deadline, (before, _series(prometheus, series))
        time.sleep(2)
    assert sum(float(r["value"][1]) for r in _series(prometheus, series)) == before + 1
    # The rule is evaluated every 2 s, after the scrape that brought the new count.
    while not _firing(prometheus, "PgplatformDeniedCrossDatabase", role=svc.login_role,
                      service="rag", database=other, kind="connect"):
        assert time.monotonic() < deadline, _get(f"{prometheus}/api/v1/alerts")
        time.sleep(2)


def test_prometheus__clients_queued_behind_a_full_pool_show_as_waiting_for_that_login(
        prometheus: str, ci_deployment: CiDeployment) -> None:
    """The pooler panel's figure: a login's pool held busy by as many clients as its poolSize,
    and three more queue; the pooler's exporter reports them waiting, for that login alone."""
    d = ci_deployment.deployed
    svc = d.cfg.service("rag")
    extra, hold_s = 3, 6

    def busy() -> None:
        with psycopg.connect(d.pooled_dsn(svc.name), connect_timeout=10) as conn:
            conn.execute("SELECT pg_sleep(%s)", (hold_s,))

    with ThreadPoolExecutor(max_workers=svc.pool_size + extra) as pool:
        done = [pool.submit(busy) for _ in range(svc.pool_size + extra)]
        deadline = time.monotonic() + hold_s
        waiting: list[Any] = []
        while not waiting and time.monotonic() < deadline:
            time.sleep(1)
            waiting = _series(prometheus, "pgbouncer_pools_client_waiting_connections > 0")
        for f in done:
            f.result()
    assert [w["metric"]["user"] for w in waiting] == [svc.login_role], waiting
    assert 1 <= float(waiting[0]["value"][1]) <= extra, waiting


def test_prometheus__every_dashboard_panel_returns_series(
        prometheus: str, ci_deployment: CiDeployment) -> None:
    # A pool appears in PgBouncer's figures with its first client.
    deployed = ci_deployment.deployed
    with psycopg.connect(deployed.pooled_dsn(deployed.cfg.services[0].name)) as conn:
        conn.execute("SELECT 1")
    time.sleep(5)  # two scrapes at least: rate() and increase() need both
    dashboard = json.loads((MONITORING / "pgplatform-dashboard.json").read_text())
    empty = []
    for panel in dashboard["panels"]:
        for target in panel["targets"]:
            expr = target["expr"]
            if any(p in expr for p in PITR_ONLY):
                continue  # exposed by a stack with server.pitr: tests/e2e/test_pitr.py
            if not _series(prometheus, expr):
                empty.append(f"{panel['title']}: {expr}")
    assert not empty, empty
