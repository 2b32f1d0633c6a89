"""Denied access in the server log (read by `scripts/status`; `scripts/verify` counts its own
probes' refusals the same way): lines written with the bundle's `log_line_prefix`
(`pgplatform.model.STATUS_LOG_PREFIX`: time, pid, user, database, client host), counted by
role, database and kind. pgaudit cannot log a refused connection; the server's own FATAL can.

Kinds:
- `connect`: a connection refused to a database (pg_hba's reject, or no CONNECT privilege);
- `authentication`: a wrong password;
- `schema`, `table`, `sequence`, `function`, …: a statement refused a privilege on one.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

VERIFY_RUNS = "verify_runs"
"""`pgplatform.verify_runs` of the `postgres` database (admin-only): each verification run's
window and the denials its own probes caused (pgplatform_ops.verify.ledger), which status takes
out of the log's count."""
VERIFY_RUNS_COLUMNS = ("run text PRIMARY KEY, started_at timestamptz NOT NULL, "
                       "finished_at timestamptz, denied jsonb NOT NULL DEFAULT '[]'")

_LINE = re.compile(
    r"^(?P<ts>\S+ \S+ \S+) \[\d+\] user=(?P<user>.*?) db=(?P<db>.*?) host=\S* "
    r"(?P<level>FATAL|ERROR):  (?P<msg>.*)$")
_HBA = re.compile(r'^pg_hba\.conf rejects connection for host "[^"]*", user "(?P<user>[^"]*)", '
                  r'database "(?P<db>[^"]*)"')
_NO_CONNECT = re.compile(r'^permission denied for database "?(?P<db>[^"]*)"?')
_PASSWORD = re.compile(r'^password authentication failed for user "(?P<user>[^"]*)"')
_PRIVILEGE = re.compile(r"^permission denied for (?P<kind>schema|table|sequence|function|"
                        r"procedure|view|materialized view|type|language|large object|"
                        r"foreign table|parameter|tablespace)\b")


@dataclass(frozen=True, order=True)
class Denied:
    role: str
    database: str
    kind: str


def classify(line: str) -> Denied | None:
    m = _LINE.match(line.rstrip("\n"))
    if not m:
        return None
    return classify_message(m["level"], m["user"], m["db"], m["msg"])


def classify_message(level: str, user: str, db: str, msg: str) -> Denied | None:
    """One server message as the log line of session user `user` in database `db` would be
    counted (verification counts its own probes' refusals with it)."""
    if level == "FATAL":
        if hba := _HBA.match(msg):
            return Denied(hba["user"], hba["db"], "connect")
        if no_connect := _NO_CONNECT.match(msg):
            return Denied(user, no_connect["db"], "connect")
        if password := _PASSWORD.match(msg):
            return Denied(password["user"], db, "authentication")
        return None
    if privilege := _PRIVILEGE.match(msg):
        return Denied(user, db, privilege["kind"])
    return None


def count(lines: Iterable[str]) -> Counter[Denied]:
    return Counter(d for d in map(classify, lines) if d is not None)
