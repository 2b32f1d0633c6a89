"""The verification suite against a real harness deploy: it passes on the correct deploy; with
every kind of violation injected through the admin connection (and the container, for
pg_hba.conf) it fails naming each one; once they are reverted it passes again.

All kinds are injected together and verified in one run: each verify run costs ~15 s, and a
finding must appear for every kind, so one kind cannot hide behind another."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest

import docker
from pgplatform import modules

from e2e_support import CiDeployment, script

pytestmark = pytest.mark.e2e


@dataclass(frozen=True)
class Violation:
    database: str
    inject: tuple[str, ...]
    revert: tuple[str, ...]
    expect: str
    """A regular expression the verify output must match (the finding's text)."""
    container: tuple[tuple[str, ...], tuple[str, ...]] | None = None
    """(inject, revert) shell commands run inside the container as root."""


def _index_def(ci: CiDeployment, schema: str, name: str) -> str:
    with psycopg.connect(ci.deployed.admin_dsn("paddle")) as c:
        row = c.execute("SELECT pg_get_indexdef(%s::regclass)", (f"{schema}.{name}",)).fetchone()
    assert row is not None
    return str(row[0])


def violations(ci: CiDeployment) -> dict[str, Violation]:
    declared = modules.load(ci.deployed.cfg.sql_root, "vector_store").indexes
    vector_index, other_index = declared[0].name, declared[-1].name
    assert vector_index != other_index, "the vector_store module declares several indexes"
    recreate = _index_def(ci, "vector_store", vector_index)
    hba = "/var/lib/postgresql/data/pg_hba.conf"
    reload_conf = "su postgres -s /bin/sh -c 'pg_ctl reload -D /var/lib/postgresql/data'"
    return {
        "reader-writes": Violation(
            "paddle", ("GRANT INSERT ON ALL TABLES IN SCHEMA vector_store TO rag_app",),
            ("REVOKE INSERT ON ALL TABLES IN SCHEMA vector_store FROM rag_app",),
            r"object privileges: table paddle\.vector_store\.\w+ role=rag_app: "
            r"expected \{SELECT\}, found \{INSERT, SELECT\}"),
        "cross-database-connect": Violation(
            "postgres", ("GRANT CONNECT ON DATABASE flipsync TO agent_persistence_app",),
            ("REVOKE CONNECT ON DATABASE flipsync FROM agent_persistence_app",),
            r"database privileges: database flipsync role=agent_persistence_app: "
            r"expected nothing, found \{CONNECT\}"),
        "cross-schema-usage": Violation(
            "paddle", ("GRANT USAGE ON SCHEMA rag TO vector_store_app",),
            ("REVOKE USAGE ON SCHEMA rag FROM vector_store_app",),
            r"schema privileges: schema paddle\.rag role=vector_store_app"),
        "public-create": Violation(
            "flipsync", ("GRANT CREATE ON SCHEMA public TO PUBLIC",),
            ("REVOKE CREATE ON SCHEMA public FROM PUBLIC",),
            r"schema privileges: schema flipsync\.public role=public: expected nothing, "
            r"found \{CREATE\}"),
        "sequence-grant": Violation(
            "flipsync", ("CREATE SEQUENCE flipsync.rogue_seq",
                         "GRANT USAGE ON SEQUENCE flipsync.rogue_seq TO PUBLIC"),
            ("DROP SEQUENCE flipsync.rogue_seq",),
            r"object owner: sequence flipsync\.flipsync\.rogue_seq"),
        "default-privileges": Violation(
            "paddle", ("ALTER DEFAULT PRIVILEGES FOR ROLE vector_store_owner IN SCHEMA "
                       "vector_store GRANT UPDATE ON TABLES TO rag_app",),
            ("ALTER DEFAULT PRIVILEGES FOR ROLE vector_store_owner IN SCHEMA "
             "vector_store REVOKE UPDATE ON TABLES FROM rag_app",),
            r"default privileges: paddle: objects of type r created by vector_store_owner "
            r"in schema vector_store role=rag_app: expected \{SELECT\}, found "
            r"\{SELECT, UPDATE\}"),
        "role-attribute": Violation(
            "postgres", ("ALTER ROLE rag_app CREATEDB CREATEROLE",),
            ("ALTER ROLE rag_app NOCREATEDB NOCREATEROLE",),
            r"role attribute: role rag_app role=rag_app: expected NOCREATEDB, found CREATEDB"),
        "hand-made-role-and-membership": Violation(
            "postgres", ("CREATE ROLE intruder LOGIN", "GRANT flipsync_app_app TO intruder"),
            ("DROP ROLE intruder",),
            r"unmanaged role: role intruder.*\n(.*\n)*.*role membership: role "
            r"flipsync_app_app role=intruder"),
        "dropped-index": Violation(
            "paddle", (f"DROP INDEX vector_store.{vector_index}",),
            ("SET ROLE vector_store_owner", recreate, "RESET ROLE"),
            rf"missing index: index paddle\.vector_store\.{vector_index}"),
        "invalid-index": Violation(
            "paddle", ("UPDATE pg_index SET indisvalid = false WHERE indexrelid = "
                       f"'vector_store.{other_index}'::regclass",),
            ("UPDATE pg_index SET indisvalid = true WHERE indexrelid = "
             f"'vector_store.{other_index}'::regclass",),
            rf"index state: index paddle\.vector_store\.{other_index}"),
        "md5-passwords": Violation(
            "postgres", ("ALTER SYSTEM SET password_encryption = 'md5'",
                         "SELECT pg_reload_conf()"),
            ("ALTER SYSTEM RESET password_encryption", "SELECT pg_reload_conf()"),
            r"password_encryption: server: expected scram-sha-256, found md5"),
        "trust-in-pg-hba": Violation(
            "postgres", (), (), r"pg_hba rule: pg_hba rule 1: expected no such rule, found "
            r"host all all 10\.99\.0\.0/16 trust",
            container=((f"cp {hba} /tmp/hba.bak",
                        f"sed -i '1i host all all 10.99.0.0/16 trust' {hba}", reload_conf),
                       (f"cp /tmp/hba.bak {hba}", reload_conf))),
        "setting-drift": Violation(
            # Command-line settings outrank ALTER SYSTEM; a role setting outranks both.
            "postgres", ("ALTER ROLE CURRENT_USER SET work_mem = '1MB'",),
            ("ALTER ROLE CURRENT_USER RESET work_mem",),
            r"server setting: setting work_mem: expected \d+MB, found 1MB"),
    }


def _verify(ci: CiDeployment, tmp: Path) -> tuple[int, str]:
    proc = script("verify", "--outputs", str(ci.outputs_file), "--junit",
                  str(tmp / "verify.xml"), "--markdown", str(tmp / "verify.md"), timeout=600)
    return proc.returncode, proc.stdout + proc.stderr


def _sql(ci: CiDeployment, database: str, statements: tuple[str, ...]) -> None:
    with psycopg.connect(ci.deployed.admin_dsn(database), autocommit=True) as c:
        for s in statements:
            c.execute(s.encode())


def _shell(ci: CiDeployment, commands: tuple[str, ...]) -> None:
    container = docker.from_env().containers.get(ci.deployed.cfg.server.container_name)
    for cmd in commands:
        code, out = container.exec_run(["sh", "-c", cmd], user="root")
        assert code == 0, f"{cmd}: {out!r}"


def test_verify__passes_on_a_correct_deploy(ci_deployment: CiDeployment,
                                            tmp_path: Path) -> None:
    code, out = _verify(ci_deployment, tmp_path)
    assert code == 0, out[-5000:]
    assert "all checks hold" in (tmp_path / "verify.md").read_text()
    assert "<testsuite" in (tmp_path / "verify.xml").read_text()


def test_verify__fails_naming_every_injected_violation_then_passes_once_reverted(
    ci_deployment: CiDeployment, tmp_path: Path,
) -> None:
    injected = violations(ci_deployment)
    done: list[Violation] = []
    try:
        for v in injected.values():
            done.append(v)
            _sql(ci_deployment, v.database, v.inject)
            if v.container:
                _shell(ci_deployment, v.container[0])
        code, out = _verify(ci_deployment, tmp_path)
        summary = (tmp_path / "verify.md").read_text()
    finally:
        for v in reversed(done):
            if v.container:
                _shell(ci_deployment, v.container[1])
            _sql(ci_deployment, v.database, v.revert)
    assert code != 0, f"verify passed despite {len(injected)} violations\n{out[-3000:]}"
    missed = sorted(kind for kind, v in injected.items() if not re.search(v.expect, out))
    assert not missed, f"no finding for {missed} in:\n{out}"
    assert "checks failed" in summary, summary
    code, out = _verify(ci_deployment, tmp_path)
    assert code == 0, f"verify still fails after reverting:\n{out[-5000:]}"
