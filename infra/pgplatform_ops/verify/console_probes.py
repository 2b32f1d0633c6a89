"""The pooler's console, where the exporter's monitor login is PgBouncer's one `stats_users`:
it reads the SHOW commands its exporter reads, and every command that acts (PAUSE, KILL, SET,
RELOAD, …) is refused it; the managed databases refuse it through the pooler, and so does the
console without TLS.

A console command acts at once, outside any transaction, so every command tried here is
harmless even if the wall has fallen (a database that does not exist, a setting set to the
value it has): PgBouncer checks the admin right before it reads the command, so these prove
the same gate PAUSE or SHUTDOWN would meet.
"""

from __future__ import annotations

import psycopg
from psycopg.conninfo import make_conninfo

from pgplatform import pooler
from pgplatform.model import MONITOR_ROLE, POOLER_CONSOLE
from pgplatform_ops.stack import DeployedStack
from pgplatform_ops.verify import pooler_slots
from pgplatform_ops.verify.findings import WORKS, Finding
from pgplatform_ops.verify.ledger import LEDGER

NO_SUCH_DATABASE = "pgplatform_no_such_database"
# PgBouncer's console parses one command per query: a second one smuggled behind it, or SQL,
# is an "invalid command".
REFUSALS = (pooler.CONSOLE_REFUSAL, "invalid command")
READS = ("SHOW POOLS", "SHOW STATS", "SHOW DATABASES", "SHOW LISTS", "SHOW CONFIG")
"""What Debian's prometheus-pgbouncer-exporter reads."""


def _acts(current_pool_size: str) -> list[str]:
    return [f"PAUSE {NO_SUCH_DATABASE}", f"KILL {NO_SUCH_DATABASE}",
            f"DISABLE {NO_SUCH_DATABASE}", f"RECONNECT {NO_SUCH_DATABASE}", "KILL_CLIENT 0",
            "RESUME", "RELOAD", "SHOW FDS", f"SET default_pool_size = {current_pool_size}",
            f"SHOW POOLS; PAUSE {NO_SUCH_DATABASE}", f"COMMIT; KILL {NO_SUCH_DATABASE}",
            f"SET ROLE {MONITOR_ROLE}"]


def _refusal(exc: psycopg.Error) -> str:
    text = str(exc).strip()
    return next((r for r in REFUSALS if r in text), f"{type(exc).__name__}: {text}")


def probe_console(stack: DeployedStack) -> tuple[int, list[Finding]]:
    """(probes tried, findings) for the monitor on the pooler's console."""
    dsn = stack.pooler_console_dsn()
    obj = f"monitor on the pooler's console ({POOLER_CONSOLE})"
    found: list[Finding] = []
    try:
        conn = pooler_slots.connect(dsn, connect_timeout=5, autocommit=True)
    except psycopg.Error as exc:
        LEDGER.record(dsn, exc)
        return 1, [Finding(kind="probe", object=f"{obj}: connect", role=MONITOR_ROLE,
                           expected=WORKS, actual=str(exc).strip())]
    with conn:
        pool_size = "1"
        for read in READS:
            try:
                rows = conn.execute(read).fetchall()
                if read == "SHOW CONFIG":
                    pool_size = next(str(r[1]) for r in rows if r[0] == "default_pool_size")
            except psycopg.Error as exc:
                found.append(Finding(kind="probe", object=f"{obj}: {read}", role=MONITOR_ROLE,
                                     expected=WORKS, actual=str(exc).strip()))
        acts = _acts(pool_size)
        for command in acts:
            try:
                conn.execute(command)
                outcome = WORKS
            except psycopg.Error as exc:
                LEDGER.record(dsn, exc)
                outcome = _refusal(exc)
            if outcome not in REFUSALS:
                found.append(Finding(kind="probe", object=f"{obj}: {command}", role=MONITOR_ROLE,
                                     expected=" or ".join(REFUSALS), actual=outcome))
    return 1 + len(READS) + len(acts), found


def console_connection_refusals(stack: DeployedStack) -> list[tuple[str, str]]:
    """(conninfo, what) the pooler must refuse the monitor: every managed database through
    it (its hba admits the monitor to the console alone), and the console without TLS."""
    dsn = stack.pooler_console_dsn()
    return [*((make_conninfo(dsn, dbname=db.name),
               f"monitor: connect to database {db.name} through the pooler")
              for db in stack.cfg.databases),
            (make_conninfo(dsn, sslmode="disable"),
             "monitor: connect to the pooler's console without TLS")]
