"""Per-role settings pulumi-postgresql cannot set.

Its Role resource writes only `search_path`, `statement_timeout`,
`idle_in_transaction_session_timeout` and `role` (assume_role) into a role's settings
(terraform-provider-postgresql resource_postgresql_role.go at ff936b9: no generic parameter, no
`default_transaction_read_only`), and rewrites only those on update, so a setting written here
survives the provider's updates. This runs as the admin: `ALTER ROLE ... SET` on another role
needs CREATEROLE and, for a role the admin did not create, superuser.
"""

from __future__ import annotations

from collections.abc import Iterable

import psycopg
from psycopg import sql

from pgplatform.access import READ_ONLY_SETTING
from pgplatform.dsn import ADMIN_SESSION_OPTIONS
from pgplatform.progress import Log, quiet


def set_read_only(admin_dsn: str, roles: Iterable[str], on: bool, log: Log = quiet) -> None:
    """Make sessions of `roles` start read-only (or stop doing so); roles that no longer
    exist are skipped (a removed consumer's role goes before this resource)."""
    with psycopg.connect(admin_dsn, autocommit=True, connect_timeout=15,
                         options=ADMIN_SESSION_OPTIONS) as conn, \
            conn.transaction():
        for role in roles:
            if conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone():
                statement = (sql.SQL("ALTER ROLE {} SET {} = on") if on
                             else sql.SQL("ALTER ROLE {} RESET {}"))
                conn.execute(statement.format(sql.Identifier(role),
                                              sql.Identifier(READ_ONLY_SETTING)))
                log(f"role {role}: {READ_ONLY_SETTING} {'on' if on else 'reset'}")
