"""Borrowing a role for statements only its owner may run, when the admin is not a superuser.

On a managed server (RDS, Cloud SQL, Azure) the admin has CREATEROLE: it holds ADMIN OPTION on
the roles it created but, by default, neither their privileges nor SET ROLE to them. Changing
an object's owner to a service's owner role (`ALTER … OWNER TO`) needs the latter. The
bundle's own admin steps therefore do what pulumi-postgresql does for its resources
(terraform-provider-postgresql helpers.go withRolesGranted): GRANT the role to the admin inside
the transaction and REVOKE it before the commit, so the membership never outlives the step.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
from psycopg import sql


@contextmanager
def borrowed(conn: psycopg.Connection, *roles: str) -> Iterator[None]:
    """Within the caller's transaction: the session's user may act as each of `roles` until
    the block ends. A superuser borrows nothing, nor does a user already a member with SET."""
    lent = []
    for role in roles:
        row = conn.execute(
            "SELECT r.rolsuper OR EXISTS (SELECT 1 FROM pg_auth_members m WHERE m.roleid = "
            "%s::regrole AND m.member = r.oid AND m.set_option) FROM pg_roles r "
            "WHERE r.rolname = current_user", (role,)).fetchone()
        if row is not None and not row[0]:
            conn.execute(sql.SQL("GRANT {} TO CURRENT_USER").format(sql.Identifier(role)))
            lent.append(role)
    yield
    for role in lent:
        conn.execute(sql.SQL("REVOKE {} FROM CURRENT_USER").format(sql.Identifier(role)))
