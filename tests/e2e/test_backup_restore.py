"""Per-service backup and restore on the ci deploy, proven by checksums of rows: two services
backed up and damaged, one restored (its rows, tables and bookkeeping back, the other's damage
left as it was, verification green), a tampered file and another stack's backup refused."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from row_checksums import FILLED, damage, sums

from pgplatform_ops import stack
from pgplatform_ops.stack import DeployedStack

from e2e_support import CiDeployment, harness_stack, script

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def deployed(ci_deployment: CiDeployment) -> DeployedStack:
    return ci_deployment.deployed


def _run(name: str, ci: CiDeployment, *args: str) -> tuple[int, str]:
    proc = script(name, "--outputs", str(ci.outputs_file), *args, timeout=600)
    return proc.returncode, proc.stdout + proc.stderr


def _dangling_volumes() -> set[str]:
    import docker

    return {v.name for v in docker.from_env().volumes.list(filters={"dangling": True})}


def test_backup__restore_one_service_back_the_other_left_alone(
        ci_deployment: CiDeployment, deployed: DeployedStack, tmp_path: Path) -> None:
    rag, vs = deployed.cfg.service("rag"), deployed.cfg.service("vector_store")
    for name, statement in FILLED.items():
        with psycopg.connect(deployed.service_dsn(name)) as c:
            c.execute(statement)
    before = {s.name: sums(deployed, s) for s in (rag, vs)}
    volumes = _dangling_volumes()
    code, out = _run("backup", ci_deployment, "--service", "rag", "--service", "vector_store",
                     "--to", str(tmp_path / "set"))
    assert code == 0, out
    assert _dangling_volumes() == volumes, "the tool containers left anonymous volumes"
    taken = json.loads((tmp_path / "set" / "manifest.json").read_text())
    assert taken["stack"] == deployed.name and set(taken["services"]) == {"rag", "vector_store"}
    assert taken["services"]["rag"]["rows"]["rag.rag_sessions"] >= 300
    assert "backup: rag:" in out, "progress per service"

    for svc in (rag, vs):
        damage(deployed, svc)
    damaged = {s.name: sums(deployed, s) for s in (rag, vs)}
    assert damaged["rag"] != before["rag"] and damaged["vector_store"] != before["vector_store"]

    code, out = _run("restore", ci_deployment, "--service", "rag", "--from",
                     str(tmp_path / "set"))
    assert code == 0, out
    assert sums(deployed, rag) == before["rag"], "rows, tables and bookkeeping as backed up"
    assert sums(deployed, vs) == damaged["vector_store"], "the other service was touched"

    code, out = _run("restore", ci_deployment, "--service", "vector_store", "--from",
                     str(tmp_path / "set"))
    assert code == 0, out
    assert sums(deployed, vs) == before["vector_store"]
    code, out = _run("verify", ci_deployment, "--junit", str(tmp_path / "v.xml"),
                     "--markdown", str(tmp_path / "v.md"))
    assert code == 0, f"verification after the restores:\n{out[-4000:]}"


def test_restore__refuses_a_tampered_file_and_another_stacks_backup(
        ci_deployment: CiDeployment, deployed: DeployedStack, tmp_path: Path) -> None:
    rag = deployed.cfg.service("rag")
    code, out = _run("backup", ci_deployment, "--service", "rag", "--to", str(tmp_path / "a"))
    assert code == 0, out
    before = sums(deployed, rag)
    tampered = tmp_path / "tampered"
    shutil.copytree(tmp_path / "a", tampered)
    dump = tampered / "rag.dump"
    data = bytearray(dump.read_bytes())
    data[len(data) // 2] ^= 0xFF
    dump.write_bytes(bytes(data))
    code, out = _run("restore", ci_deployment, "--service", "rag", "--from", str(tampered))
    assert code == 2 and "does not match the manifest" in out, out

    other = tmp_path / "other"
    shutil.copytree(tmp_path / "a", other)
    manifest = json.loads((other / "manifest.json").read_text())
    manifest["stack"] = "prod"
    (other / "manifest.json").write_text(json.dumps(manifest))
    code, out = _run("restore", ci_deployment, "--service", "rag", "--from", str(other))
    assert code == 2 and "--from-stack prod" in out, out
    assert sums(deployed, rag) == before, "a refused restore changes nothing"


STAGING = "bkstaging"


def _staging_values() -> dict[str, Any]:
    return {
        "server": {"image": "build", "hostPort": 15486, "memoryMb": 1024, "shmSizeMb": 256,
                   "allowVolumeDeletion": True,
                   "settings": {"shared_buffers": "128MB", "maintenance_work_mem": "128MB"}},
        "databases": [{"name": "paddle", "extensions": ["vector"]}],
        "services": [{"name": "vector_store", "database": "paddle"},
                     {"name": "rag", "database": "paddle"}],
    }


@pytest.fixture
def staging(tmp_path: Path) -> Iterator[tuple[Path, Path]]:
    """A second stack on its own server, as staging is beside prod."""
    with harness_stack(STAGING, _staging_values(), tmp_path) as deployed_files:
        yield deployed_files


def test_restore__another_stacks_backup_into_this_one(
        ci_deployment: CiDeployment, deployed: DeployedStack, staging: tuple[Path, Path],
        tmp_path: Path) -> None:
    """ci's rag into the staging stack's server: its rows, its bookkeeping, the staging
    stack's grants (verification passes there)."""
    with psycopg.connect(deployed.service_dsn("rag")) as c:
        c.execute("INSERT INTO rag.rag_sessions (id, session_id) SELECT 700000 + i, 'st' || i "
                  "FROM generate_series(1, 50) i ON CONFLICT DO NOTHING")
    code, out = _run("backup", ci_deployment, "--service", "rag", "--to", str(tmp_path / "set"))
    assert code == 0, out
    stack_file, outs = staging
    target = stack.load(outputs_file=outs, stack_file=stack_file)
    proc = script("restore", "--outputs", str(outs), "--stack-file", str(stack_file),
                  "--service", "rag", "--from", str(tmp_path / "set"), timeout=600)
    assert proc.returncode == 2 and "--from-stack ci" in proc.stdout + proc.stderr
    proc = script("restore", "--outputs", str(outs), "--stack-file", str(stack_file),
                  "--service", "rag", "--from", str(tmp_path / "set"), "--from-stack", "ci",
                  timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert sums(target, target.cfg.service("rag")) == sums(deployed, deployed.cfg.service("rag"))
    proc = script("verify", "--outputs", str(outs), "--stack-file", str(stack_file),
                  "--junit", str(tmp_path / "v.xml"), "--markdown", str(tmp_path / "v.md"),
                  timeout=600)
    assert proc.returncode == 0, proc.stdout[-4000:]
