"""Session limits no login can lift (no Pulumi here: the `SessionLimits` resource installs the
function as the admin; the watchdog container calls it; verification reads the same facts).

PostgreSQL lets any session `SET statement_timeout = 0`, `SET idle_in_transaction_session_
timeout = 0` or hold a transaction open for as long as it likes: a role's settings are defaults
a careless client keeps, not limits a hostile one cannot lift. `enforce_session_limits()`, a
function of the admin's in the `postgres` database, runs every few seconds
(`WATCHDOG_PERIOD_S`) as the watchdog login, which may call it and do nothing else. For each
client session of a login of the model it cancels a statement running past the login's
statement limit, and ends a session idle in a transaction past its idle limit or in a
transaction older than its transaction limit, logging the role, database and why
(`pgplatform watchdog:` lines in the server log, and rows the watchdog prints).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

import psycopg
from psycopg import sql

from pgplatform import maintenance
from pgplatform.access import RoleSpec
from pgplatform.dsn import ADMIN_SESSION_OPTIONS
from pgplatform.migrate.runner import MIGRATION_STATEMENT_TIMEOUT_MS
from pgplatform.model import BOOKKEEPING_SCHEMA, WATCHDOG_ROLE
from pgplatform.progress import Log, quiet

FUNCTION = "enforce_session_limits"
TRANSACTION_LIMIT_MS = 10 * 60_000
"""The oldest transaction a login may hold (a REPEATABLE READ left open holds back VACUUM of
every other service's tables)."""
MIGRATOR_RUN_LIMIT_MS = 60 * 60_000
"""A migrator's lock session sits in one transaction for its whole run (pgplatform.migrate):
its idle and transaction limits are a run's, not a statement's."""


@dataclass(frozen=True, kw_only=True, order=True)
class Limit:
    role: str
    statement_ms: int
    """0: none (the login has no statement deadline)."""
    idle_in_transaction_ms: int
    transaction_ms: int


def limit_of(spec: RoleSpec) -> Limit | None:
    """What the watchdog holds a login to; None for a role that has no client sessions (an
    owner) or only walsenders (the replicator)."""
    if not spec.login or spec.replication:
        return None
    if spec.kind == "migrator":
        return Limit(role=spec.name, statement_ms=MIGRATION_STATEMENT_TIMEOUT_MS,
                     idle_in_transaction_ms=MIGRATOR_RUN_LIMIT_MS,
                     transaction_ms=MIGRATOR_RUN_LIMIT_MS)
    return Limit(role=spec.name, statement_ms=spec.statement_timeout_ms,
                 idle_in_transaction_ms=spec.idle_in_transaction_timeout_ms,
                 transaction_ms=TRANSACTION_LIMIT_MS)


def limits(specs: Iterable[RoleSpec]) -> list[Limit]:
    return sorted(x for x in map(limit_of, specs) if x is not None)


_FUNCTION_SQL = """
CREATE OR REPLACE FUNCTION {schema}.{function}()
RETURNS TABLE (pid integer, role text, database text, action text, reason text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $watchdog$
DECLARE
  s record;
BEGIN
  FOR s IN
    SELECT a.pid, a.usename::text AS role, coalesce(a.datname::text, '') AS database,
      CASE
        WHEN a.state LIKE 'idle in transaction%' AND l.idle_ms > 0
             AND now() - a.state_change > l.idle_ms * interval '1 ms'
          THEN format('idle in a transaction for %s s, over its %s s',
                      round(extract(epoch FROM now() - a.state_change)), l.idle_ms / 1000)
        WHEN a.xact_start IS NOT NULL AND now() - a.xact_start > l.transaction_ms * interval '1 ms'
          THEN format('in a transaction for %s s, over its %s s',
                      round(extract(epoch FROM now() - a.xact_start)), l.transaction_ms / 1000)
        WHEN a.state = 'active' AND l.statement_ms > 0
             AND now() - a.query_start > l.statement_ms * interval '1 ms'
          THEN format('running one statement for %s s, over its %s s',
                      round(extract(epoch FROM now() - a.query_start)), l.statement_ms / 1000)
      END AS reason,
      a.state = 'active' AND NOT (a.xact_start IS NOT NULL
        AND now() - a.xact_start > l.transaction_ms * interval '1 ms') AS statement_only
    FROM pg_stat_activity a
    JOIN (VALUES {limits}) AS l(role, statement_ms, idle_ms, transaction_ms)
      ON l.role = a.usename
    WHERE a.backend_type = 'client backend' AND a.pid <> pg_backend_pid()
  LOOP
    CONTINUE WHEN s.reason IS NULL;
    pid := s.pid; role := s.role; database := s.database; reason := s.reason;
    IF s.statement_only THEN
      action := 'cancelled its statement';
      PERFORM pg_cancel_backend(s.pid);
    ELSE
      action := 'ended the session';
      PERFORM pg_terminate_backend(s.pid);
    END IF;
    RAISE LOG 'pgplatform watchdog: % pid % (role %, database %): %', action, s.pid, s.role,
      s.database, s.reason;
    RETURN NEXT;
  END LOOP;
END
$watchdog$
"""


DEFINITION = hashlib.sha256(_FUNCTION_SQL.encode()).hexdigest()[:16]
"""Changes with the function's code: a resource carrying it is applied again when it does."""


def _values(rows: Iterable[Limit]) -> sql.Composable:
    return sql.SQL(", ").join(
        sql.SQL("({}, {}::integer, {}::integer, {}::integer)").format(
            sql.Literal(x.role), sql.Literal(x.statement_ms),
            sql.Literal(x.idle_in_transaction_ms), sql.Literal(x.transaction_ms))
        for x in rows)


def apply(admin_dsn: str, rows: Iterable[Limit], log: Log = quiet) -> None:
    """As the admin, in the database of `admin_dsn` (`postgres`): the function with these
    limits, executable by the watchdog login alone."""
    rows = list(rows)
    schema, function = sql.Identifier(BOOKKEEPING_SCHEMA), sql.Identifier(FUNCTION)
    with maintenance.schema_session(admin_dsn, WATCHDOG_ROLE) as conn:
        conn.execute(sql.SQL(_FUNCTION_SQL).format(schema=schema, function=function,
                                          limits=_values(rows)))
        conn.execute(sql.SQL("REVOKE ALL ON FUNCTION {}.{}() FROM PUBLIC").format(
            schema, function))
        conn.execute(sql.SQL("GRANT EXECUTE ON FUNCTION {}.{}() TO {}").format(
            schema, function, sql.Identifier(WATCHDOG_ROLE)))
    log(f"session limits: {len(rows)} logins held to theirs")


def remove(admin_dsn: str) -> None:
    with psycopg.connect(admin_dsn, autocommit=True, connect_timeout=15,
                         options=ADMIN_SESSION_OPTIONS) as conn:
        conn.execute(sql.SQL("DROP FUNCTION IF EXISTS {}.{}()").format(
            sql.Identifier(BOOKKEEPING_SCHEMA), sql.Identifier(FUNCTION)))
