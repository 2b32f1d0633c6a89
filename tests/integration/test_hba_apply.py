"""pg_hba rewritten in place on a real server (`pgplatform.hba.apply`): the rules the server
loads are the ones written, and a file the server cannot parse is put back before any reload."""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest

from pgplatform import hba

from pgserver import PgServer

pytestmark = pytest.mark.integration
# The shared test server keeps taking plaintext password logins while this test runs.
OPEN = ["local all all peer", "host all all all scram-sha-256"]


def _file_rules(server: PgServer) -> list[tuple[str, list[str], list[str], str | None, str]]:
    with psycopg.connect(server.admin_dsn, autocommit=True) as c:
        return [tuple(r) for r in c.execute(
            "SELECT type, database, user_name, address, auth_method FROM pg_hba_file_rules "
            "WHERE error IS NULL ORDER BY rule_number")]


def _file(server: PgServer) -> str:
    with psycopg.connect(server.admin_dsn, autocommit=True) as c:
        row = c.execute("SELECT pg_read_file(current_setting('hba_file'))").fetchone()
    assert row is not None
    return str(row[0])


@pytest.fixture
def restored(pg_server: PgServer) -> Iterator[PgServer]:
    original = [line for line in _file(pg_server).splitlines()
                if line.strip() and not line.lstrip().startswith("#")]
    try:
        yield pg_server
    finally:
        hba.apply(pg_server.admin_dsn, [" ".join(line.split()) for line in original])


def test_hba_apply__the_server_loads_what_was_written(restored: PgServer) -> None:
    # hostssl would be refused: this server has no TLS. The view shows a quoted name bare.
    rule = hba.HbaRule(type="host", databases=("all",), users=("x", "all"),
                       address="10.1.2.3/32", method=hba.SCRAM, from_host=True)
    hba.apply(restored.admin_dsn, [*OPEN, rule.line()])
    assert _file_rules(restored) == [
        ("local", ["all"], ["all"], None, "peer"),
        ("host", ["all"], ["all"], "all", "scram-sha-256"),
        ("host", ["all"], ["x", "all"], "10.1.2.3", "scram-sha-256")]
    assert _file(restored).splitlines()[0] == hba.HEADER[0]


def test_hba_apply__an_unreadable_rule_puts_the_old_file_back(restored: PgServer) -> None:
    hba.apply(restored.admin_dsn, OPEN)
    before = _file(restored)
    with pytest.raises(hba.HbaError, match="refused the generated rules"):
        hba.apply(restored.admin_dsn, [*OPEN, "hostssl all all 10.1.2.3/32 no-such-method"])
    assert _file(restored) == before
    with psycopg.connect(restored.admin_dsn) as c:
        assert c.execute("SELECT 1").fetchone() == (1,)
