"""`scripts/status` on the ci deploy: sizes per database and service, denied attempts of each
kind counted exactly since the previous status, seed 000's alerts (exit 1) for a
cross-database attempt and a table in the wrong place."""

from __future__ import annotations

import json
from pathlib import Path

import psycopg
import pytest
from psycopg.conninfo import make_conninfo

from pgplatform_ops.stack import DeployedStack

from e2e_support import CiDeployment, script

pytestmark = pytest.mark.e2e


def _status(ci: CiDeployment, out: Path) -> tuple[int, dict, str]:  # type: ignore[type-arg]
    proc = script("status", "--outputs", str(ci.outputs_file), "--json", str(out / "s.json"),
                  "--markdown", str(out / "s.md"), timeout=600)
    assert proc.returncode in (0, 1), proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc.returncode, json.loads((out / "s.json").read_text()), proc.stdout


def _refused(dsn: str, times: int) -> None:
    for _ in range(times):
        with pytest.raises(psycopg.OperationalError):
            psycopg.connect(dsn, connect_timeout=5).close()


def _denied(conn_dsn: str, statement: str, times: int, setup: str = "") -> None:
    with psycopg.connect(conn_dsn, autocommit=True) as c:
        if setup:
            c.execute(setup)
        for _ in range(times):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                c.execute(statement)


def test_status__counts_each_denied_attempt_and_alerts(ci_deployment: CiDeployment,
                                                       tmp_path: Path) -> None:
    d: DeployedStack = ci_deployment.deployed
    _status(ci_deployment, tmp_path)  # the baseline: earlier tests' probes are counted there
    # The app of the vector store at the app's database (seed 000's line), twice; over
    # plaintext once more; a schema it may not use, three times; a table the read-only login
    # may not write, once.
    _refused(make_conninfo(d.service_dsn("vector_store"), dbname="flipsync"), 2)
    _refused(make_conninfo(d.service_dsn("vector_store"), sslmode="disable"), 1)
    _denied(d.service_dsn("vector_store"), "SELECT count(*) FROM rag.rag_sessions", 3)
    _denied(d.readonly_dsn("rag"),
            "INSERT INTO rag.rag_sessions (session_id) SELECT 'x' WHERE false", 1,
            setup="SET default_transaction_read_only = off")
    code, status, out = _status(ci_deployment, tmp_path)
    got = {(x["role"], x["database"], x["kind"]): x["count"] for x in status["denied"]}
    assert got == {("vector_store_app", "flipsync", "connect"): 2,
                   ("vector_store_app", "paddle", "connect"): 1,
                   ("vector_store_app", "paddle", "schema"): 3,
                   ("rag_readonly", "paddle", "table"): 1}, got
    assert code == 1 and any("cross-database" in a and "tried flipsync" in a
                             for a in status["alerts"]), status["alerts"]
    assert set(status["services"]) == {s.name for s in d.cfg.services}
    assert all(e["bytes"] > 0 and e["tables"] > 0 for e in status["services"].values())
    assert all(e["bytes_growth"] is not None for e in status["databases"].values())
    assert "| vector_store_app | paddle | schema | 3 |" in (tmp_path / "s.md").read_text()

    code, status, _ = _status(ci_deployment, tmp_path)
    assert code == 0 and status["denied"] == [] and status["alerts"] == [], status
    with psycopg.connect(d.admin_dsn("flipsync"), autocommit=True) as c:
        c.execute("CREATE TABLE public.memories (id int)")
        try:
            code, status, _ = _status(ci_deployment, tmp_path)
        finally:
            c.execute("DROP TABLE public.memories")
    assert code == 1 and [(m["database"], m["schema"], m["table"])
                          for m in status["misplaced"]] == [("flipsync", "public", "memories")]
