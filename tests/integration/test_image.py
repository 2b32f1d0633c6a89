"""The PostgreSQL 17 + pgvector image built from docker/ (Debian trixie packages)."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest

from pgserver import PgServer

pytestmark = pytest.mark.integration


def _one(server: PgServer, sql: str, dbname: str = "postgres") -> Any:
    with psycopg.connect(server.dsn(dbname), autocommit=True) as conn:
        row = conn.execute(sql).fetchone()
    assert row is not None
    return row[0]


def test_image__server_version_is_17(pg_server: PgServer) -> None:
    assert int(_one(pg_server, "show server_version_num")) // 10000 == 17


def test_image__pgvector_works_in_fresh_database(pg_server: PgServer) -> None:
    with psycopg.connect(pg_server.admin_dsn, autocommit=True) as conn:
        conn.execute("drop database if exists it_vector")
        conn.execute("create database it_vector")
    try:
        with psycopg.connect(pg_server.dsn("it_vector"), autocommit=True) as conn:
            conn.execute("create extension vector")
            row = conn.execute("select '[1,2,3]'::vector <=> '[1,2,4]'::vector").fetchone()
        assert row is not None
        assert isinstance(row[0], float)
        assert 0.0 < row[0] < 0.1
    finally:
        with psycopg.connect(pg_server.admin_dsn, autocommit=True) as conn:
            conn.execute("drop database if exists it_vector")


def test_image__password_encryption_is_scram(pg_server: PgServer) -> None:
    assert _one(pg_server, "show password_encryption") == "scram-sha-256"


def test_image__hba_allows_only_scram_and_peer(pg_server: PgServer) -> None:
    with psycopg.connect(pg_server.admin_dsn) as conn:
        rows = conn.execute(
            "select line_number, type, database, user_name, address, auth_method, error"
            " from pg_hba_file_rules order by line_number"
        ).fetchall()
    assert rows, "pg_hba_file_rules is empty"
    for line, typ, _db, _users, _addr, method, error in rows:
        assert error is None, f"pg_hba.conf line {line}: {error}"
        assert method in ("scram-sha-256", "peer"), f"line {line}: {method}"
        assert method not in ("trust", "md5", "password")
        assert (typ == "local") == (method == "peer"), f"line {line}: {typ} uses {method}"


def test_image__postmaster_runs_as_os_user_postgres(
    pg_container: tuple[PgServer, Any],
) -> None:
    server, container = pg_container
    data_dir = _one(server, "select current_setting('data_directory')")
    # PID 1 is the postmaster itself (the entrypoint exec'd it after dropping root).
    res = container.exec_run(["sh", "-c", "stat -c %U /proc/1; cat /proc/1/comm"])
    assert res.exit_code == 0, res.output
    owner, comm = res.output.decode().split()
    assert (owner, comm) == ("postgres", "postgres")
    res = container.exec_run(["stat", "-c", "%U %a", data_dir])
    assert res.exit_code == 0, res.output
    assert res.output.decode().split() == ["postgres", "700"]
    res = container.exec_run(["ps", "-o", "user=", "-C", "postgres"])
    assert res.exit_code == 0, res.output
    assert set(res.output.decode().split()) == {"postgres"}


def test_image__wrong_password_refused_over_tcp(pg_server: PgServer) -> None:
    with pytest.raises(psycopg.OperationalError) as info:
        psycopg.connect(pg_server.dsn("postgres", password="definitely-not-it")).close()
    assert "password authentication failed" in str(info.value)


def test_image__healthcheck_helper_reports_healthy(pg_container: tuple[PgServer, Any]) -> None:
    _, container = pg_container
    res = container.exec_run(["/usr/local/bin/pg-healthcheck"])
    assert res.exit_code == 0, res.output


def test_image__initdb_args_and_command_args_pass_through(start_pg: Any) -> None:
    server, _ = start_pg(
        command=["postgres", "-c", "work_mem=7MB"],
        environment={"POSTGRES_INITDB_ARGS": "--data-checksums"},
        user="pgadmin",
    )
    with psycopg.connect(server.admin_dsn) as conn:
        checksums = conn.execute("show data_checksums").fetchone()
        work_mem = conn.execute("show work_mem").fetchone()
        who = conn.execute("select current_user").fetchone()
    assert checksums == ("on",)
    assert work_mem == ("7MB",)
    assert who == ("pgadmin",)
