"""Denied access read from server log lines written with the bundle's log_line_prefix, and
seed 000's alerts from a status."""

from __future__ import annotations

import pytest

from pgplatform_ops import denied
from pgplatform_ops.denied import Denied
from pgplatform_ops.status import report

pytestmark = pytest.mark.unit
P = "2026-11-29 20:00:00.123 UTC [77] user={u} db={d} host=172.20.0.1 "
LOG = [
    P.format(u="rag_app", d="flipsync") + 'FATAL:  pg_hba.conf rejects connection for host '
    '"172.20.0.1", user "rag_app", database "flipsync", SSL encryption',
    P.format(u="rag_app", d="flipsync") + 'FATAL:  pg_hba.conf rejects connection for host '
    '"172.20.0.1", user "rag_app", database "flipsync", no encryption',
    P.format(u="vector_store_app", d="paddle") + "ERROR:  permission denied for schema rag",
    P.format(u="vector_store_app", d="paddle") + "STATEMENT:  SELECT count(*) FROM rag.t",
    P.format(u="rag_readonly", d="paddle") + "ERROR:  permission denied for table rag_sessions",
    P.format(u="x", d="paddle") + 'FATAL:  password authentication failed for user "x"',
    P.format(u="rag_app", d="cyrex") + 'FATAL:  permission denied for database "cyrex"',
    P.format(u="rag_app", d="paddle") + "ERROR:  relation \"nope\" does not exist",
    P.format(u="rag_app", d="paddle") + "LOG:  checkpoint starting: time",
    "not a server line",
]


def test_denied__counted_by_role_database_and_kind() -> None:
    assert denied.count(LOG) == {
        Denied("rag_app", "flipsync", "connect"): 2,
        Denied("vector_store_app", "paddle", "schema"): 1,
        Denied("rag_readonly", "paddle", "table"): 1,
        Denied("x", "paddle", "authentication"): 1,
        Denied("rag_app", "cyrex", "connect"): 1,
    }


def test_alerts__cross_database_unknown_roles_and_misplaced_tables() -> None:
    status = {"denied": [
        {"role": "rag_app", "database": "flipsync", "kind": "connect", "count": 2,
         "home": "paddle"},
        {"role": "rag_app", "database": "paddle", "kind": "connect", "count": 1,
         "home": "paddle"},
        {"role": "intruder", "database": "paddle", "kind": "connect", "count": 1,
         "home": None},
        {"role": "vector_store_app", "database": "paddle", "kind": "schema", "count": 3,
         "home": "paddle"}],
        "misplaced": [{"database": "flipsync", "schema": "public", "table": "memories",
                       "owner": "postgres", "expected": "no table here"}]}
    found = report.alerts(status)
    assert len(found) == 3, found
    assert "cross-database" in found[0] and "rag_app (of paddle) tried flipsync" in found[0]
    assert "'intruder'" in found[1] and "flipsync.public.memories" in found[2]


def test_growth__against_the_previous_snapshot() -> None:
    now = {"databases": {"paddle": {"bytes": 300}},
           "services": {"rag": {"bytes": 100, "rows": 10}, "new": {"bytes": 5, "rows": 0}}}
    before = {"databases": {"paddle": {"bytes": 200}},
              "services": {"rag": {"bytes": 40, "rows": 12}}}
    out = report.with_growth(now, before)
    assert out["databases"]["paddle"]["bytes_growth"] == 100
    assert out["services"]["rag"] == {"bytes": 100, "rows": 10, "bytes_growth": 60,
                                      "rows_growth": -2}
    assert out["services"]["new"]["bytes_growth"] is None


def test_growth__of_a_service_that_ran_no_statement_before_is_all_its_load() -> None:
    now = {"load": {"rag": {"calls": 7, "exec_ms": 2.5}, "memory": {"calls": 3, "exec_ms": 1.0}}}
    out = report.with_growth(now, {"load": {"memory": {"calls": 1, "exec_ms": 0.5}}})
    assert out["load"]["rag"]["calls_growth"] == 7 and out["load"]["rag"]["exec_ms_growth"] == 2.5
    assert out["load"]["memory"]["calls_growth"] == 2
    first = report.with_growth({"load": {"rag": {"calls": 7, "exec_ms": 2.5}}}, None)
    assert first["load"]["rag"]["calls_growth"] is None
    assert "+388,494 |" in report.markdown({
        "stack": "dev", "taken_at": "t", "databases": {"paddle": {
            "bytes": 1, "bytes_growth": 388493.895}}, "services": {}, "connections": [],
        "denied": [], "misplaced": [], "alerts": []})


def test_alerts__a_platform_role_refused_is_named_as_the_platforms() -> None:
    status = {"denied": [{"role": "pgplatform_monitor", "database": "template1",
                          "kind": "connect", "count": 1, "home": "platform"}], "misplaced": []}
    assert report.alerts(status) == [
        "1 connection attempt(s) to template1 by the platform's role 'pgplatform_monitor' "
        "refused"]


def test_ledger__counts_a_refusal_as_the_server_log_line_would() -> None:
    """Verification's own refusals, classified like status classifies the log: a pg_hba
    reject, a privilege error; a replica's refusal (another port) and PgBouncer's own are not
    in the primary's log and are not counted."""
    import psycopg

    from pgplatform_ops.verify.ledger import Ledger

    ledger = Ledger()
    ledger.start({15432, 16432})
    primary = "host=127.0.0.1 port=15432 user=rag_app dbname=flipsync"
    hba = psycopg.OperationalError(
        'connection failed: connection to server at "127.0.0.1", port 15432 failed: FATAL:  '
        'pg_hba.conf rejects connection for host "172.18.0.1", user "rag_app", database '
        '"flipsync", SSL encryption')
    ledger.record(primary, hba)
    ledger.record("host=127.0.0.1 port=15433 user=rag_app dbname=flipsync", hba)
    ledger.record("host=127.0.0.1 port=16432 user=rag_app dbname=postgres",
                  psycopg.OperationalError("connection failed: FATAL:  no such database: "
                                           "postgres"))
    assert ledger.counts == {Denied("rag_app", "flipsync", "connect"): 1}


def test_status__a_missing_container_is_named_with_the_fix(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    import types

    import docker
    from pgplatform_ops import stack
    from pgplatform_ops.status import cli, collect

    fake = types.SimpleNamespace(name="dev", cfg=types.SimpleNamespace(
        server=types.SimpleNamespace(container_name="pgplatform-dev")))
    monkeypatch.setattr(stack, "from_arguments", lambda _args: fake)
    monkeypatch.setattr(collect, "previous", lambda _d: (None, None))

    def gone(*_a: object, **_k: object) -> None:
        raise docker.errors.NotFound("No such container: pgplatform-dev")

    monkeypatch.setattr(collect, "snapshot", gone)
    recorded: list[object] = []
    monkeypatch.setattr(collect, "record", lambda *a: recorded.append(a))
    assert cli.main(["dev"]) == 2
    err = capsys.readouterr().err
    assert "the server's container pgplatform-dev is not there" in err, err
    assert "scripts/up dev" in err and "Traceback" not in err and not recorded
