"""The denied attempts verification causes itself, counted exactly as `scripts/status` counts
the server log's (`pgplatform_ops.denied`), per role, database and kind, and kept with the run's
window in the `postgres` database's admin-only bookkeeping (`pgplatform.verify_runs`). Status
subtracts exactly those counts from the log of that window: a service can neither write there
(it cannot reach `postgres`) nor hide an attempt of its own behind verification's, since only
the attempts verification saw itself are taken away.

Only refusals by the primary count (its log is the one status reads): a probe through a
replica's port is refused in the replica's log. PgBouncer's own refusals never reach a server
log; a server's refusal it passes on is counted like a direct one.
"""

from __future__ import annotations

import re
import threading
from collections import Counter

import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict
from psycopg.types.json import Jsonb

from pgplatform.dsn import ADMIN_SESSION_OPTIONS
from pgplatform.model import BOOKKEEPING_SCHEMA
from pgplatform_ops import admin_bookkeeping, denied

_SERVER_MESSAGE = re.compile(r"\b(?P<level>FATAL|ERROR):  (?P<msg>[^\n]*)")


class Ledger:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._ports: frozenset[str] = frozenset()
        self.counts: Counter[denied.Denied] = Counter()

    def start(self, ports: set[int]) -> None:
        """Count refusals by the servers listening on `ports` (the primary, its pooler)."""
        with self._lock:
            self._ports = frozenset(str(p) for p in ports)
            self.counts.clear()

    def record(self, conninfo: str, exc: psycopg.Error) -> None:
        """A probe through `conninfo` (its login, database and port) was refused with `exc`."""
        params = conninfo_to_dict(conninfo)
        # Several hosts: libpq tried some of them, some twice; no count would be exact, so
        # such a refusal is left to show in status (probes go to one server each).
        if str(params.get("port", "5432")) not in self._ports:
            return
        role = str(params.get("user", ""))
        database = str(params.get("dbname", role))
        diag = getattr(exc, "diag", None)
        if diag is not None and diag.severity and diag.message_primary:
            level, msg = diag.severity, diag.message_primary
        else:  # a refused connection: libpq's text carries the server's FATAL line
            line = _SERVER_MESSAGE.search(str(exc))
            if line is None:
                return
            level, msg = line["level"], line["msg"]
        counted = denied.classify_message(level, role, database, msg)
        if counted is not None:
            with self._lock:
                self.counts[counted] += 1


LEDGER = Ledger()
"""One per verification process: the probes' threads record into it."""


def open_run(admin_dsn: str, run: str) -> None:
    with psycopg.connect(admin_dsn, autocommit=True, options=ADMIN_SESSION_OPTIONS) as conn:
        table = admin_bookkeeping.table(conn, denied.VERIFY_RUNS, denied.VERIFY_RUNS_COLUMNS)
        conn.execute(sql.SQL("INSERT INTO {} (run, started_at) VALUES (%s, clock_timestamp()) "
                             "ON CONFLICT (run) DO NOTHING").format(table), (run,))


def close_run(admin_dsn: str, run: str, counts: Counter[denied.Denied]) -> None:
    rows = [{"role": d.role, "database": d.database, "kind": d.kind, "count": n}
            for d, n in sorted(counts.items())]
    with psycopg.connect(admin_dsn, autocommit=True, options=ADMIN_SESSION_OPTIONS) as conn:
        conn.execute(sql.SQL("UPDATE {} SET finished_at = clock_timestamp(), denied = %s "
                             "WHERE run = %s").format(
                                 sql.Identifier(BOOKKEEPING_SCHEMA, denied.VERIFY_RUNS)),
                     (Jsonb(rows), run))
