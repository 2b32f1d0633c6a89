"""No password reaches the server's log, even from a role statement that fails: the program
gives pulumi-postgresql SCRAM verifiers (pgplatform.scram), and PostgreSQL logs a failing
statement whole (`log_min_error_statement = error`)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest

import docker
from harness.engine import state_path
from pgplatform import outputs, paths

from e2e_support import docker_available, harness_stack, script

pytestmark = pytest.mark.e2e
STACK, PORT = "pwlog", 15487
CONTAINER, VOLUME = f"pgplatform-{STACK}", f"pgplatform-{STACK}-data"
STATE = state_path(paths.PROJECT_ROOT, STACK)


def _values() -> dict[str, object]:
    return {
        "server": {"image": "build", "hostPort": PORT, "memoryMb": 1024, "shmSizeMb": 256,
                   "allowVolumeDeletion": True, "containerName": CONTAINER,
                   "volumeName": VOLUME,
                   "settings": {"shared_buffers": "128MB", "maintenance_work_mem": "128MB"}},
        "databases": [{"name": "paddle", "extensions": ["vector"]}],
        "services": [{"name": "rag", "database": "paddle"}],
    }


@pytest.fixture
def deployed(tmp_path: Path) -> Iterator[tuple[Path, Path]]:
    if not docker_available():
        pytest.skip("no Docker engine answers: the test deploys a stack with the harness")
    with harness_stack(STACK, _values(), tmp_path) as deployed_files:
        yield deployed_files


def test_password_log__a_failing_create_role_logs_a_verifier_not_the_password(
        deployed: tuple[Path, Path]) -> None:
    stack_file, outs = deployed
    exported = outputs.parse(json.loads(outs.read_text()), str(outs))
    svc = exported.services["rag"]
    passwords = {unquote(urlparse(dsn).password or "")
                 for dsn in (svc.dsn, svc.migrator_dsn, svc.readonly_dsn)}
    assert all(passwords) and len(passwords) == 3
    # Lose the login role from the state (as a lost or hand-edited state would): the next up
    # runs upstream's CREATE ROLE against the existing role, which fails and is logged.
    state = json.loads(STATE.read_text())
    state["resources"] = [r for r in state["resources"]
                          if not r["urn"].endswith("postgresql:index/role:Role::rag-login-role")]
    STATE.write_text(json.dumps(state))
    failed = script("harness", "up", STACK, str(outs), "--stack-file", str(stack_file))
    assert failed.returncode != 0 and "already exists" in failed.stderr, failed.stderr[-3000:]
    log = docker.from_env().containers.get(CONTAINER).logs().decode()
    assert 'role "rag_app" already exists' in log, log[-3000:]
    statement = next(line for line in log.splitlines()
                     if "STATEMENT:" in line and "CREATE ROLE" in line)
    assert "SCRAM-SHA-256$4096:" in statement, statement
    leaked = [p[:4] + "…" for p in passwords if p in log]
    assert not leaked, f"passwords in the server log: {leaked}"
