"""`scripts/status` on the ci deploy: sizes per database and service, denied attempts of each
kind counted exactly since the previous status, seed 000's alerts (exit 1) for a
cross-database attempt and a table in the wrong place."""

from __future__ import annotations

import json
import re
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
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


def _verify(ci: CiDeployment, tmp: Path) -> int:
    return script("verify", "--outputs", str(ci.outputs_file), "--junit", str(tmp / "v.xml"),
                  "--markdown", str(tmp / "v.md"), timeout=600).returncode


def test_status__takes_out_verifications_own_probes_exactly_and_nothing_else(
        ci_deployment: CiDeployment, tmp_path: Path) -> None:
    """A verify run's refusal probes are real denied attempts by real roles. Status takes out
    exactly the counts the run recorded (admin-only bookkeeping), so an attempt a service
    makes during the run, with the very role, database and kind verify probes, still alerts."""
    d: DeployedStack = ci_deployment.deployed
    _status(ci_deployment, tmp_path)  # the baseline
    assert _verify(ci_deployment, tmp_path) == 0
    code, status, out = _status(ci_deployment, tmp_path)
    assert code == 0 and status["denied"] == [] and status["alerts"] == [], out[-3000:]
    assert len(status["verification_runs"]) == 1 and status["denied_by_verification"] > 100
    assert status["verification_unseen"] == 0, status

    with ThreadPoolExecutor(max_workers=1) as pool:
        run = pool.submit(_verify, ci_deployment, tmp_path)
        time.sleep(4)  # inside the run's window
        _refused(make_conninfo(d.service_dsn("vector_store"), dbname="flipsync"), 2)
        assert run.result() == 0
    code, status, out = _status(ci_deployment, tmp_path)
    got = {(x["role"], x["database"], x["kind"]): x["count"] for x in status["denied"]}
    assert got == {("vector_store_app", "flipsync", "connect"): 2}, out[-3000:]
    assert code == 1 and len(status["alerts"]) == 1, status["alerts"]


def test_status__a_run_that_cannot_write_its_report_leaves_the_window_to_the_next(
        ci_deployment: CiDeployment, tmp_path: Path) -> None:
    d: DeployedStack = ci_deployment.deployed
    _status(ci_deployment, tmp_path)  # the baseline
    _refused(make_conninfo(d.service_dsn("vector_store"), dbname="flipsync"), 1)
    proc = script("status", "--outputs", str(ci_deployment.outputs_file), "--json",
                  str(tmp_path / "missing" / "s.json"))
    assert proc.returncode == 2 and "missing does not exist" in proc.stderr, proc.stderr
    code, status, _ = _status(ci_deployment, tmp_path)
    got = {(x["role"], x["database"], x["kind"]): x["count"] for x in status["denied"]}
    assert code == 1 and got == {("vector_store_app", "flipsync", "connect"): 1}, got


def test_status_and_verify__relative_paths_are_the_callers(
        ci_deployment: CiDeployment, tmp_path: Path) -> None:
    """Run from another directory, `--outputs out.json` and `--json s.json` name files there,
    not in the project root the scripts change to."""
    (tmp_path / "out.json").write_text(ci_deployment.outputs_file.read_text())
    proc = script("status", "--outputs", "out.json", "--json", "s.json", cwd=tmp_path)
    assert proc.returncode in (0, 1), proc.stderr[-3000:]
    assert json.loads((tmp_path / "s.json").read_text())["stack"] == "ci"
    proc = script("verify", "--outputs", "out.json", "--markdown", "v.md", "--junit", "v.xml",
                  "--", "-k", "test_acl__database_privileges", cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "all checks hold" in (tmp_path / "v.md").read_text()


def _other_ca() -> str:
    """A CA certificate the stack's server certificate does not chain to."""
    import datetime as dt

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "not the stack's CA")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now).not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    return cert.public_bytes(serialization.Encoding.PEM).decode()


@pytest.mark.parametrize("tool", [("verify",), ("status",), ("migrate", "status"),
                                  ("backup", "--to", "set")], ids=lambda t: t[0])
def test_tools__outputs_with_another_ca_are_named_once_with_the_fix(
        ci_deployment: CiDeployment, tmp_path: Path, tool: tuple[str, ...]) -> None:
    """Outputs read before the stack was redeployed: one sentence, exit 2, no traceback and
    no line per connection."""
    outs = json.loads(ci_deployment.outputs_file.read_text())
    outs["ca_cert"] = _other_ca()
    (tmp_path / "old.json").write_text(json.dumps(outs))
    name, *rest = tool
    proc = script(name, "--outputs", "old.json", *rest, cwd=tmp_path)
    err = proc.stderr
    assert proc.returncode == 2, (proc.returncode, proc.stdout[-2000:], err[-2000:])
    assert "the outputs' CA does not match the server's certificate: re-read the outputs " \
           "(the stack was redeployed?)" in err, err[-2000:]
    assert "Traceback" not in err and err.count("certificate verify failed") == 0, err[-2000:]
    assert not (tmp_path / "set").exists()


def test_status__the_service_driven_hard_comes_first_by_time_and_others_cannot_read_it(
        ci_deployment: CiDeployment, tmp_path: Path) -> None:
    """Per-service load (pg_stat_statements through each service's roles): rag's app spends
    two seconds where the others are idle; since the previous status it leads by time, its
    statement among its top ones, and the exporter counts it under `service="rag"`. No login
    of another service reaches the statements: `postgres` refuses it, and its own database
    has no such view for it."""
    d: DeployedStack = ci_deployment.deployed
    _status(ci_deployment, tmp_path)
    with psycopg.connect(d.service_dsn("rag"), autocommit=True) as c:
        for _ in range(100):
            c.execute("SELECT pg_sleep(0.02), count(*) FROM rag.rag_sessions")
    _, status, out = _status(ci_deployment, tmp_path)
    grew = {name: e["exec_ms_growth"] or 0 for name, e in status["load"].items()}
    assert max(grew, key=grew.__getitem__) == "rag", grew
    assert grew["rag"] >= 2000, grew
    assert any("pg_sleep" in t["query"] for t in status["load"]["rag"]["top"]), status["load"]
    assert "Load by service" in out and "| rag |" in out
    with urllib.request.urlopen(d.outputs.metrics_url, timeout=10) as response:
        metrics = bytes(response.read()).decode()
    assert re.search(r'^pgplatform_statements_exec_seconds\{[^}]*role="rag_app"[^}]*'
                     r'service="rag"[^}]*\} ([0-9.e+]+)$', metrics, re.MULTILINE), metrics[-3000:]
    other = "vector_store"
    for dsn in (d.service_dsn(other), d.migrator_dsn(other), d.on_primary(d.readonly_dsn(other))):
        with pytest.raises(psycopg.OperationalError):
            psycopg.connect(make_conninfo(dsn, dbname="postgres"), connect_timeout=5).close()
        with psycopg.connect(dsn, autocommit=True) as c:
            for view in ("pgplatform.pg_stat_statements", "pg_stat_statements"):
                with pytest.raises((psycopg.errors.InsufficientPrivilege,
                                    psycopg.errors.UndefinedTable)):
                    c.execute(f"SELECT query FROM {view}")


def test_status__inspect_names_the_service_and_object_of_each_finding(
        ci_deployment: CiDeployment, tmp_path: Path) -> None:
    d: DeployedStack = ci_deployment.deployed
    with psycopg.connect(d.migrator_dsn("rag"), autocommit=True) as c:
        c.execute("CREATE TABLE rag.inspect_probe (id int PRIMARY KEY, v int)")
        c.execute("CREATE INDEX inspect_probe_v_a ON rag.inspect_probe (v)")
        c.execute("CREATE INDEX inspect_probe_v_b ON rag.inspect_probe (v)")
        c.execute("INSERT INTO rag.inspect_probe SELECT i, i FROM generate_series(1, 10) i")
        # Read (a sequential scan), but never through its indexes on v.
        c.execute("SELECT count(*) FROM rag.inspect_probe")
    holder = psycopg.connect(d.service_dsn("rag"))
    waiter = psycopg.connect(d.service_dsn("rag"), autocommit=True)
    try:
        holder.execute("UPDATE rag.inspect_probe SET v = 0 WHERE id = 1")
        with ThreadPoolExecutor(1) as pool:
            blocked = pool.submit(waiter.execute,
                                  "UPDATE rag.inspect_probe SET v = 2 WHERE id = 1")
            time.sleep(1)
            proc = script("status", "--outputs", str(ci_deployment.outputs_file), "--inspect",
                          "--json", str(tmp_path / "inspect.json"))
            holder.rollback()
            blocked.result(timeout=30)
    finally:
        holder.close()
        waiter.close()
        with psycopg.connect(d.migrator_dsn("rag"), autocommit=True) as c:
            c.execute("DROP TABLE rag.inspect_probe")
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    found = {(f["service"], f["check"], f["object"]): f["detail"]
             for f in json.loads((tmp_path / "inspect.json").read_text())}
    table = "paddle.rag.inspect_probe"
    assert found[("rag", "duplicate indexes", table)] == (
        "inspect_probe_v_a, inspect_probe_v_b index the same columns the same way")
    for index in ("inspect_probe_v_a", "inspect_probe_v_b"):
        assert ("rag", "unused index", f"paddle.rag.{index}") in found
    assert ("rag", "unused index", "paddle.rag.inspect_probe_pkey") not in found
    assert ("rag", "never analysed", table) in found
    waits = [detail for (svc, check, _), detail in found.items()
             if (svc, check) == ("rag", "blocked by a lock")]
    assert any("(rag_app, of rag)" in w for w in waits), found
    assert "| rag | duplicate indexes |" in proc.stdout


def test_status__inspect_estimates_the_bloat_a_mass_delete_leaves_in_a_table_and_its_index(
        ci_deployment: CiDeployment, tmp_path: Path) -> None:
    d: DeployedStack = ci_deployment.deployed
    with psycopg.connect(d.migrator_dsn("rag"), autocommit=True) as c:
        c.execute("CREATE TABLE rag.inspect_bloat (id int PRIMARY KEY, pad text NOT NULL)")
        c.execute("INSERT INTO rag.inspect_bloat SELECT i, lpad(i::text, 100, 'x') "
                  "FROM generate_series(1, 20000) i")
        c.execute("CREATE INDEX inspect_bloat_pad ON rag.inspect_bloat (pad)")
        c.execute("VACUUM ANALYZE rag.inspect_bloat")
        proc = script("status", "--outputs", str(ci_deployment.outputs_file), "--inspect",
                      "--json", str(tmp_path / "before.json"))
        assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
        # Every page keeps one row in ten, so vacuum can give no page back.
        c.execute("DELETE FROM rag.inspect_bloat WHERE id % 10 <> 0")
        c.execute("VACUUM ANALYZE rag.inspect_bloat")
        proc = script("status", "--outputs", str(ci_deployment.outputs_file), "--inspect",
                      "--json", str(tmp_path / "after.json"))
        c.execute("DROP TABLE rag.inspect_bloat")
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]

    def bloat(name: str) -> dict[str, str]:
        return {f["object"]: f["detail"] for f in json.loads((tmp_path / name).read_text())
                if f["service"] == "rag" and f["check"].endswith("bloat (estimate)")
                and "inspect_bloat" in f["object"]}

    assert bloat("before.json") == {}
    after = bloat("after.json")
    assert set(after) == {"paddle.rag.inspect_bloat", "paddle.rag.inspect_bloat_pad"}, after
    for detail in after.values():
        assert "live rows need about" in detail and "reclaimable" in detail
        share = int(detail.split(": ")[1].split("%")[0])
        assert share >= 80, detail
