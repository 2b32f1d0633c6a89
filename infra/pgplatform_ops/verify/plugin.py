"""The verification suite's pytest plugin: options, the deployed stack, the shared catalog
snapshot, probes and planner checks run concurrently, findings kept for the JUnit XML and the
Markdown summary. `scripts/verify` loads it (`-p pgplatform_ops.verify.plugin`) over the tests
in `suite/`; it needs nothing from the project's tests tree:

    python -m pytest -p pgplatform_ops.verify.plugin <verify>/suite --outputs outputs.json
    python -m pytest -p pgplatform_ops.verify.plugin <verify>/suite --stack dev

Every test is parametrized over the model; every failure lists findings as
`<kind>: <object> role=<role>: expected <x>, found <y>`.
"""

from __future__ import annotations

import datetime
import time
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import psycopg
import pytest

from pgplatform import access, modules
from pgplatform.dsn import ADMIN_SESSION_OPTIONS
from pgplatform.model import ConsumerConfig, PlatformConfig, ServiceConfig
from pgplatform_ops import stack
from pgplatform_ops.verify import catalog, indexes, ledger, probes, report
from pgplatform_ops.verify.expected import ExpectedMatrix, derive
from pgplatform_ops.verify.findings import Finding
from pgplatform_ops.verify.findings import report as findings_text

SUITE = Path(__file__).resolve().parent / "suite"
# Probes and planner checks are mostly waiting on the server: run a few at a time. A login's
# probes run one after another, and its refusals by the maintenance databases beside them: at
# most two of its connections at once (a migrator's limit is 4), and one replication attempt
# in the whole run (probes._WALSENDER). Probes spend most of their time in connection setup,
# so more of them overlap.
PARALLEL = 4
PROBE_PARALLEL = 8

FINDINGS = pytest.StashKey[list[Finding]]()
DEPLOYED = pytest.StashKey[stack.DeployedStack]()
MATRIX = pytest.StashKey[ExpectedMatrix]()
STARTED = pytest.StashKey[float]()
RESULTS = pytest.StashKey[list[report.CheckResult]]()
PROBES_TRIED = pytest.StashKey[int]()
NOTES = pytest.StashKey[list[str]]()
"""Facts a passing check reports (a replica's lag), for the summary."""
LIVE_PLANS = pytest.StashKey[list[str]]()
"""Each declared index's live plan now: information, not a check."""


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("pgplatform verification")
    group.addoption("--outputs", type=Path, help="stack outputs JSON (e.g. from the harness)")
    group.addoption("--stack", help="stack name (outputs from `pulumi stack output`)")
    group.addoption("--stack-file", type=Path, help="the stack's YAML, when it is not "
                                                     "Pulumi.<stack>.yaml of the project")
    group.addoption("--markdown", type=Path, help="write a Markdown summary here")
    group.addoption("--run", default="", help="the run's name in the summary (scripts/verify "
                                              "gives its start time)")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "postdeploy: verification of a deployed stack")
    outputs_file, name = config.getoption("--outputs"), config.getoption("--stack")
    if outputs_file is None and name is None:
        raise pytest.UsageError("verify: pass --outputs FILE and/or --stack NAME")
    try:
        deployed = stack.load(outputs_file=outputs_file, stack=name,
                              stack_file=config.getoption("--stack-file"))
    except stack.StackError as exc:
        raise pytest.UsageError(str(exc)) from exc
    config.stash[DEPLOYED] = deployed
    if not config.getoption("--run"):
        config.option.run = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    if not deployed.cfg.server.is_external:
        # The window and exact count of the denials this run causes (scripts/status takes
        # them out of its audit); a managed server's log is the provider's.
        server = deployed.cfg.server
        ledger.LEDGER.start({server.host_port,
                             *([server.pooler.host_port] if server.pooler else [])})
        ledger.open_run(deployed.admin_dsn(), config.getoption("--run"))
    config.stash[MATRIX] = derive(deployed.cfg)
    config.stash[STARTED] = time.monotonic()
    config.stash[RESULTS] = []
    config.stash[NOTES] = []
    config.stash[LIVE_PLANS] = []


@pytest.fixture(scope="session")
def deployed(pytestconfig: pytest.Config) -> stack.DeployedStack:
    return pytestconfig.stash[DEPLOYED]


@pytest.fixture(scope="session")
def matrix(pytestconfig: pytest.Config) -> ExpectedMatrix:
    return pytestconfig.stash[MATRIX]


@pytest.fixture(scope="session")
def server(deployed: stack.DeployedStack, matrix: ExpectedMatrix) -> catalog.ServerSnapshot:
    """The whole catalog: three queries on the server, seven per managed database, the
    databases read side by side (one admin connection each)."""
    with psycopg.connect(deployed.admin_dsn(), autocommit=True,
                         options=ADMIN_SESSION_OPTIONS) as conn:
        roles, members, dbs = catalog.read_server(conn)

    def read(name: str) -> catalog.DatabaseSnapshot:
        with psycopg.connect(deployed.admin_dsn(name), autocommit=True,
                             options=ADMIN_SESSION_OPTIONS) as conn:
            return catalog.read_database(conn, name, matrix.managed_schemas(name),
                                         matrix.service_schemas(name))

    names = [db.name for db in deployed.cfg.databases]
    with ThreadPoolExecutor(max_workers=PARALLEL) as pool:
        per_db = dict(zip(names, pool.map(read, names), strict=True))
    return catalog.ServerSnapshot(roles=roles, memberships=members, databases=dbs,
                                  per_database=per_db)


@pytest.fixture(scope="session", autouse=True)
def probe_futures(deployed: stack.DeployedStack, server: catalog.ServerSnapshot
                  ) -> Iterator[dict[str, Future[probes.ProbeRun]]]:
    """Every service's and consumer's probes (one connection per login each), the monitor's
    and the maintenance databases' refusals, started with the session: they run while the
    planner checks load their fixtures, by `service:<name>` / `consumer:<name>`."""

    def run(who: ServiceConfig | ConsumerConfig) -> probes.ProbeRun:
        snap = server.per_database[who.database]
        if isinstance(who, ConsumerConfig):
            return probes.probe_consumer(deployed, who, snap)
        return probes.probe_service(deployed, who, snap)

    everyone: list[ServiceConfig | ConsumerConfig] = [*deployed.cfg.services,
                                                      *deployed.cfg.consumers]
    with ThreadPoolExecutor(max_workers=PROBE_PARALLEL) as pool:
        futures = {_probe_key(w): pool.submit(run, w) for w in everyone}
        if deployed.cfg.server.exporter_port:
            futures[MONITOR_KEY] = pool.submit(probes.probe_monitor, deployed,
                                               server.per_database)
        if not deployed.cfg.server.is_external:
            futures[MAINTENANCE_KEY] = pool.submit(probes.maintenance_refusals, deployed)
        if deployed.cfg.server.has_watchdog:
            # Its probes name no table: `postgres` needs no catalog snapshot.
            futures[WATCHDOG_KEY] = pool.submit(probes.probe_watchdog, deployed,
                                                catalog.DatabaseSnapshot(name="postgres"))
        yield futures


@pytest.fixture(scope="session")
def probe_runs(pytestconfig: pytest.Config,
               probe_futures: dict[str, Future[probes.ProbeRun]]) -> dict[str, probes.ProbeRun]:
    """Each login's probes, or the error that stopped them as that login's one finding: a
    probe run that breaks fails its own service's check, never the others'."""
    results = {key: _probe_result(key, run) for key, run in probe_futures.items()}
    pytestconfig.stash[PROBES_TRIED] = (pytestconfig.stash.get(PROBES_TRIED, 0)
                                        + sum(r.tried for r in results.values()))
    return results


def _probe_result(key: str, run: Future[probes.ProbeRun]) -> probes.ProbeRun:
    try:
        return run.result()
    except Exception as exc:  # noqa: BLE001 - reported as this login's finding
        return probes.ProbeRun(tried=1, findings=[_broke("probe run", key, "every probe runs",
                                                         exc)])


def _broke(kind: str, obj: str, expected: str, exc: Exception) -> Finding:
    """A check's run that raised, as the one finding of what it was checking."""
    return Finding(kind=kind, object=obj, role="", expected=expected,
                   actual=f"{type(exc).__name__}: {(str(exc).strip() or '?').splitlines()[0]}")


MONITOR_KEY = "monitor"
WATCHDOG_KEY = "session watchdog"
MAINTENANCE_KEY = "maintenance databases"


def _probe_key(who: ServiceConfig | ConsumerConfig) -> str:
    return f"{'consumer' if isinstance(who, ConsumerConfig) else 'service'}:{who.name}"


def probe_findings(runs: dict[str, probes.ProbeRun], who: ServiceConfig | ConsumerConfig
                   ) -> list[Finding]:
    return runs[_probe_key(who)].findings


@pytest.fixture(scope="session", autouse=True)
def planner_runs(deployed: stack.DeployedStack) -> Iterator[dict[str, Future[indexes.PlannerRun]]]:
    """The planner check of each module (on its first service), started with the session: the
    fixtures load into temporary copies on the server while the catalog checks and probes run
    on the client."""

    def run(svc: ServiceConfig) -> indexes.PlannerRun:
        return indexes.planner(svc, modules.load(deployed.cfg.sql_root, svc.module),
                               deployed.migrator_dsn(svc.name))

    with ThreadPoolExecutor(max_workers=PARALLEL) as pool:
        yield {svc.module: pool.submit(run, svc)
               for svc in first_service_per_module(deployed.cfg)}


@pytest.fixture(scope="session")
def planner_findings(pytestconfig: pytest.Config,
                     planner_runs: dict[str, Future[indexes.PlannerRun]]
                     ) -> dict[str, list[Finding]]:
    """Each module's planner findings (its own rolled-back transaction); an error is that
    module's finding alone. The live plans go to the summary as information."""
    out: dict[str, list[Finding]] = {}
    for module, future in planner_runs.items():
        try:
            run = future.result()
        except Exception as exc:  # noqa: BLE001 - reported as this module's finding
            out[module] = [_broke("planner check", f"module {module}",
                                  "fixture loads into the copies and every query plans", exc)]
            continue
        out[module] = run.findings
        pytestconfig.stash[LIVE_PLANS].extend(run.live_plans)
    return out


def needs_container(deployed: stack.DeployedStack, what: str) -> None:
    """Skip a check of the container itself on an external server, saying why."""
    if deployed.cfg.server.is_external:
        pytest.skip(f"external server (server.mode: external): {what}")


def check(request: pytest.FixtureRequest, findings: Iterable[Finding]) -> None:
    """Fail with every finding, and keep them for the Markdown summary and JUnit XML."""
    found = sorted(findings)
    request.node.stash[FINDINGS] = found
    for f in found:
        request.node.user_properties.append(("finding", str(f)))
    assert not found, "\n" + findings_text(found)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[Any]) -> Any:
    outcome = yield
    rep: pytest.TestReport = outcome.get_result()
    if rep.when == "call" or (rep.when == "setup" and not rep.passed):
        skipped = ""
        if rep.skipped and isinstance(rep.longrepr, tuple):
            skipped = str(rep.longrepr[2]).removeprefix("Skipped: ")
        error = "" if rep.passed or skipped else str(rep.longrepr).splitlines()[-1][:300]
        item.config.stash[RESULTS].append(report.CheckResult(
            check=rep.nodeid.split("::", 1)[-1], passed=rep.passed,
            findings=_findings_of(item), error=error, skipped=skipped))


def _findings_of(item: pytest.Item) -> tuple[Finding, ...]:
    found: list[Finding] = item.stash[FINDINGS] if FINDINGS in item.stash else []
    return tuple(found)


def pytest_sessionfinish(session: pytest.Session) -> None:
    deployed = session.config.stash.get(DEPLOYED, None)
    if deployed is not None and not deployed.cfg.server.is_external:
        try:
            ledger.close_run(deployed.admin_dsn(), session.config.getoption("--run"),
                             ledger.LEDGER.counts)
        except psycopg.Error as exc:
            # Left unfinished, the run is not taken out of status's audit: its probes show.
            print(f"verify: could not record this run's own denials for status: {exc}")
    path = session.config.getoption("--markdown")
    if not path or DEPLOYED not in session.config.stash:
        return
    cfg = session.config.stash[DEPLOYED].cfg
    results: list[report.CheckResult] = session.config.stash[RESULTS]
    notes: list[str] = session.config.stash[NOTES]
    live_plans: list[str] = session.config.stash[LIVE_PLANS]
    text = report.markdown(cfg.stack, results, run=session.config.getoption("--run"),
                           services=len(cfg.services), databases=len(cfg.databases),
                           probes=session.config.stash.get(PROBES_TRIED, 0),
                           notes=notes, live_plans=sorted(live_plans),
                           seconds=time.monotonic() - session.config.stash[STARTED])
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if DEPLOYED not in metafunc.config.stash:
        return
    cfg, m = metafunc.config.stash[DEPLOYED].cfg, metafunc.config.stash[MATRIX]
    managed = sorted({(k.database, k.schema) for k in m.schemas})
    owned = sorted(m.schema_owner)
    per_module = first_service_per_module(cfg)
    params: dict[str, tuple[list[Any], list[str]]] = {
        "managed_schema": (managed, [f"{db}.{s}" for db, s in managed]),
        "service_schema": (owned, [f"{k.database}.{k.schema}" for k in owned]),
        "database": ([db.name for db in cfg.databases], [db.name for db in cfg.databases]),
        "service": (list(cfg.services), [s.name for s in cfg.services]),
        "consumer": (list(cfg.consumers), [c.name for c in cfg.consumers]),
        "role_spec": (list(access.all_roles(cfg)), [r.name for r in access.all_roles(cfg)]),
        "module_service": (per_module, [f"{s.module}@{s.name}" for s in per_module]),
    }
    for name, (values, ids) in params.items():
        if name in metafunc.fixturenames:
            metafunc.parametrize(name, values, ids=ids)


def first_service_per_module(cfg: PlatformConfig) -> list[ServiceConfig]:
    seen: dict[str, ServiceConfig] = {}
    for svc in sorted(cfg.services, key=lambda s: s.name):
        seen.setdefault(svc.module, svc)
    return sorted(seen.values(), key=lambda s: s.module)
