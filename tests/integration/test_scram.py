"""The SCRAM verifiers the program gives pulumi-postgresql instead of passwords: PostgreSQL
stores them as they are and accepts the password they were made from."""

from __future__ import annotations

import secrets

import psycopg
import pytest
from psycopg import sql

from pgplatform import scram

from pgserver import PgServer

pytestmark = pytest.mark.integration


def test_scram__the_server_stores_the_verifier_and_accepts_its_password(
        pg_server: PgServer) -> None:
    role, password = "scram_probe", secrets.token_urlsafe(24).replace("-", "a").replace("_", "b")
    verifier = scram.verifier(role, password)
    with psycopg.connect(pg_server.admin_dsn, autocommit=True) as admin:
        admin.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(role)))
        # As upstream sends it: the value in the PASSWORD clause.
        admin.execute(sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(
            sql.Identifier(role), sql.Literal(verifier)))
        stored = admin.execute("SELECT rolpassword FROM pg_authid WHERE rolname = %s",
                               (role,)).fetchone()
    assert stored == (verifier,), "PostgreSQL re-hashed the verifier"
    with psycopg.connect(pg_server.dsn("postgres", role, password)) as c:
        assert c.execute("SELECT current_user").fetchone() == (role,)
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        psycopg.connect(pg_server.dsn("postgres", role, verifier)).close()
    assert scram.verifier(role, password) == verifier, "stable: no diff on the next up"
    assert scram.verifier("other", password) != verifier, "the salt differs per role"
