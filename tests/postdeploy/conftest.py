"""The post-deploy verification suite. Run it through `scripts/verify` or as plain pytest:

    pytest tests/postdeploy --outputs outputs.json [--stack NAME | --stack-file PATH]
    pytest tests/postdeploy --stack dev          # reads `pulumi stack output --show-secrets`

Every test is parametrized over the model; every failure lists findings as
`<kind>: <object> role=<role>: expected <x>, found <y>`.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import psycopg
import pytest

from pgplatform.verify import catalog, deployment
from pgplatform.verify.findings import Finding, report

FINDINGS_KEY = pytest.StashKey[list[Finding]]()
# Probes and planner checks are mostly waiting on the server: run a few at a time.
PARALLEL = 4


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("pgplatform verification")
    group.addoption("--outputs", type=Path, help="stack outputs JSON (e.g. from the harness)")
    group.addoption("--stack", help="stack name (model from Pulumi.<stack>.yaml)")
    group.addoption("--stack-file", type=Path, help="a stack YAML outside the project root")
    group.addoption("--markdown", type=Path, help="write a Markdown summary here")


def pytest_configure(config: pytest.Config) -> None:
    outputs, stack = config.getoption("--outputs"), config.getoption("--stack")
    if outputs is None and stack is None:
        raise pytest.UsageError("verify: pass --outputs FILE and/or --stack NAME")
    config.stash[DEPLOYMENT] = deployment.load(outputs_file=outputs, stack=stack,
                                               stack_file=config.getoption("--stack-file"))
    config.stash[STARTED] = time.monotonic()


DEPLOYMENT = pytest.StashKey[deployment.Deployment]()
STARTED = pytest.StashKey[float]()


def the_deployment(config: pytest.Config) -> deployment.Deployment:
    return config.stash[DEPLOYMENT]


@pytest.fixture(scope="session")
def deployed(pytestconfig: pytest.Config) -> deployment.Deployment:
    return the_deployment(pytestconfig)


@pytest.fixture(scope="session")
def server(deployed: deployment.Deployment) -> catalog.ServerSnapshot:
    """The whole catalog: three queries on the server, seven per managed database."""
    m = deployed.matrix
    with psycopg.connect(deployed.admin_dsn, autocommit=True) as conn:
        roles, members, dbs = catalog.read_server(conn)
    per_db = {}
    for db in deployed.cfg.databases:
        with psycopg.connect(deployed.admin_dsn_for(db.name), autocommit=True) as conn:
            per_db[db.name] = catalog.read_database(conn, db.name, m.managed_schemas(db.name),
                                                    m.service_schemas(db.name))
    return catalog.ServerSnapshot(roles=roles, memberships=members, databases=dbs,
                                  per_database=per_db)


@pytest.fixture(scope="session")
def probe_findings(deployed: deployment.Deployment, server: catalog.ServerSnapshot
                   ) -> dict[str, list[Finding]]:
    """Every service's probes, run concurrently (one connection per login role each)."""
    from pgplatform.verify import probes

    def run(svc: Any) -> list[Finding]:
        return probes.probe_service(deployed.cfg, svc, deployed.service_dsn(svc.name),
                                    server.per_database[svc.database])

    with ThreadPoolExecutor(max_workers=PARALLEL) as pool:
        results = pool.map(run, deployed.cfg.services)
        return {svc.name: found for svc, found in zip(deployed.cfg.services, results,
                                                      strict=True)}


@pytest.fixture(scope="session", autouse=True)
def planner_runs(deployed: deployment.Deployment) -> Iterator[dict[str, Future[list[Finding]]]]:
    """The planner check of each module (on its first service), started with the session: the
    fixtures load on the server while the catalog checks and probes run on the client."""
    from pgplatform import modules
    from pgplatform.verify import indexes

    def run(svc: Any) -> list[Finding]:
        return indexes.planner(svc, modules.load(deployed.cfg.sql_root, svc.module),
                               deployed.admin_dsn_for(svc.database))

    with ThreadPoolExecutor(max_workers=PARALLEL) as pool:
        yield {svc.module: pool.submit(run, svc)
               for svc in first_service_per_module(deployed.cfg)}


@pytest.fixture(scope="session")
def planner_findings(planner_runs: dict[str, Future[list[Finding]]]
                     ) -> dict[str, list[Finding]]:
    """Each module's planner findings: every one loads its fixture in its own rolled-back
    transaction."""
    return {module: run.result() for module, run in planner_runs.items()}


def check(request: pytest.FixtureRequest, findings: Iterable[Finding]) -> None:
    """Fail with every finding, and keep them for the Markdown summary and JUnit XML."""
    found = sorted(findings)
    request.node.stash[FINDINGS_KEY] = found
    for f in found:
        request.node.user_properties.append(("finding", str(f)))
    assert not found, "\n" + report(found)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[Any]) -> Any:
    outcome = yield
    rep = outcome.get_result()
    if rep.when == "call":
        rep.findings = item.stash.get(FINDINGS_KEY, [])  # type: ignore[attr-defined]


_RESULTS: list[tuple[str, str, list[Finding], str]] = []


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.when == "call" or (report.when == "setup" and not report.passed):
        text = "" if report.passed else str(report.longrepr).splitlines()[-1][:300]
        _RESULTS.append((report.nodeid, report.outcome, getattr(report, "findings", []), text))


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    path = session.config.getoption("--markdown")
    if not path or DEPLOYMENT not in session.config.stash:
        return
    d = session.config.stash[DEPLOYMENT]
    elapsed = time.monotonic() - session.config.stash[STARTED]
    passed = sum(1 for _, o, _, _ in _RESULTS if o == "passed")
    failed = [r for r in _RESULTS if r[1] != "passed"]
    lines = [
        f"## pgplatform verification — stack `{d.cfg.stack}`",
        "",
        f"{'✅ all checks hold' if not failed else '❌ ' + str(len(failed)) + ' checks failed'}"
        f" — {passed} passed, {len(failed)} failed, {len(d.cfg.services)} services, "
        f"{len(d.cfg.databases)} databases, {elapsed:.1f} s",
        "",
    ]
    if failed:
        lines += ["| check | kind | object | role | expected | found |",
                  "| --- | --- | --- | --- | --- | --- |"]
        for nodeid, _, found, text in failed:
            check_id = nodeid.split("::", 1)[-1]
            if not found:
                lines.append(f"| `{check_id}` | error | {text} | | | |")
            for f in found:
                lines.append(f"| `{check_id}` | {f.kind} | {f.object} | {f.role} | "
                             f"{f.expected} | {f.actual} |".replace("\n", " "))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    d = metafunc.config.stash[DEPLOYMENT]
    m, cfg = d.matrix, d.cfg
    params: dict[str, tuple[list[Any], list[str]]] = {
        "managed_schema": (sorted({(db, s) for (db, s, _) in m.schemas}),
                           [f"{db}.{s}" for (db, s) in sorted({(db, s) for (db, s, _) in
                                                               m.schemas})]),
        "service_schema": (sorted(m.schema_owner),
                           [f"{db}.{s}" for (db, s) in sorted(m.schema_owner)]),
        "database": ([db.name for db in cfg.databases], [db.name for db in cfg.databases]),
        "service": (list(cfg.services), [s.name for s in cfg.services]),
        "module_service": (first_service_per_module(cfg),
                           [f"{s.module}@{s.name}" for s in first_service_per_module(cfg)]),
    }
    for name, (values, ids) in params.items():
        if name in metafunc.fixturenames:
            metafunc.parametrize(name, values, ids=ids)


def first_service_per_module(cfg: Any) -> list[Any]:
    seen: dict[str, Any] = {}
    for svc in sorted(cfg.services, key=lambda s: s.name):
        seen.setdefault(svc.module, svc)
    return sorted(seen.values(), key=lambda s: s.module)
