"""Denied access read from server log lines written with the bundle's log_line_prefix, and
seed 000's alerts from a status."""

from __future__ import annotations

import pytest

from pgplatform_ops.status import denied, report
from pgplatform_ops.status.denied import Denied

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
