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

from pgplatform.access import READ_ONLY_SETTING, ROW_SECURITY_SETTING
from pgplatform.dsn import ADMIN_SESSION_OPTIONS
from pgplatform.progress import Log, quiet


def _set(admin_dsn: str, roles: Iterable[str], setting: str, value: str | None,
         log: Log) -> None:
    """`ALTER ROLE … SET setting = value` (RESET when None) for each of `roles` that exists:
    a role removed with its service goes before this resource."""
    with psycopg.connect(admin_dsn, autocommit=True, connect_timeout=15,
                         options=ADMIN_SESSION_OPTIONS) as conn, \
            conn.transaction():
        for role in roles:
            if conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone():
                change = (sql.SQL("RESET {}").format(sql.Identifier(setting)) if value is None
                          else sql.SQL("SET {} = {}").format(sql.Identifier(setting),
                                                             sql.Literal(value)))
                conn.execute(sql.SQL("ALTER ROLE {} ").format(sql.Identifier(role)) + change)
                log(f"role {role}: {setting} {value if value is not None else 'reset'}")


def set_read_only(admin_dsn: str, roles: Iterable[str], on: bool, log: Log = quiet) -> None:
    """Make sessions of `roles` start read-only (or stop doing so)."""
    _set(admin_dsn, roles, READ_ONLY_SETTING, "on" if on else None, log)


def set_row_security_off(admin_dsn: str, roles: Iterable[str], off: bool,
                         log: Log = quiet) -> None:
    """Make sessions of `roles` start with `row_security = off` (or stop doing so): a
    row-security policy on a table they read is then an error for them, never code that runs
    as them."""
    _set(admin_dsn, roles, ROW_SECURITY_SETTING, "off" if off else None, log)
