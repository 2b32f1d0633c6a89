"""The whole dev layout (Pulumi.dev.yaml: every database and service module on one server)
through the apply harness: from scratch, then again changing nothing, then the post-deploy
verification suite passes against it."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from deployers import Changes, harness_changes

from pgplatform import stack_config

from e2e_support import docker_available, script

pytestmark = pytest.mark.e2e
STACK = "dev"
CFG = stack_config.for_stack(STACK)

def _container_exists(name: str) -> bool:
    import docker

    try:
        docker.from_env().containers.get(name)
    except docker.errors.NotFound:
        return False
    return True


def _output(proc: subprocess.CompletedProcess[str]) -> str:
    return f"exit {proc.returncode}\n--- stdout (tail)\n{proc.stdout[-4000:]}\n" \
           f"--- stderr (tail)\n{proc.stderr[-4000:]}"


def _summary(proc: subprocess.CompletedProcess[str]) -> Changes:
    found = harness_changes(proc.stdout)
    assert found, f"harness up {STACK}: expected a summary line, found none:\n{_output(proc)}"
    return found


def _timed(name: str, *args: str) -> tuple[subprocess.CompletedProcess[str], float]:
    started = time.monotonic()
    proc = script(name, *args, timeout=1800)
    return proc, time.monotonic() - started


@pytest.fixture
def clean_dev() -> Iterator[None]:
    """No dev deployment before the test; `harness down dev` after it, whatever happened."""
    if not docker_available():
        pytest.skip("no Docker engine answers: the harness needs one to apply the stack")
    assert CFG.server.allow_volume_deletion, (
        f"Pulumi.{STACK}.yaml: expected allowVolumeDeletion true (down must remove everything)")
    if _container_exists(CFG.server.container_name):
        leftover = script("harness", "down", STACK)
        assert leftover.returncode == 0, (
            f"harness down {STACK} (leftover of a previous run): expected exit 0\n"
            f"{_output(leftover)}")
        assert not _container_exists(CFG.server.container_name), (
            f"container {CFG.server.container_name}: expected gone after harness down {STACK}, "
            "it is still there (not in .harness state?): remove it by hand")
    try:
        yield
    finally:
        down = script("harness", "down", STACK)
        assert down.returncode == 0, f"harness down {STACK}: expected exit 0\n{_output(down)}"


def test_dev_layout__deploys_from_scratch_reapplies_unchanged_and_verifies(
    clean_dev: None, tmp_path: Path, record_property: Callable[[str, object], None],
) -> None:
    out = tmp_path / "outputs.json"
    assert (len(CFG.databases), len(CFG.services)) == (6, 18), (
        f"Pulumi.{STACK}.yaml: expected 6 databases and 18 services, got "
        f"{len(CFG.databases)} and {len(CFG.services)}")

    first, first_s = _timed("harness", "up", STACK, str(out))
    assert first.returncode == 0, f"first harness up {STACK}: expected exit 0\n{_output(first)}"
    created = _summary(first).created
    record_property("dev_first_up_s", round(first_s, 1))
    assert created > 0, f"first harness up {STACK}: expected resources created, got {created}"

    second, second_s = _timed("harness", "up", STACK, str(out))
    assert second.returncode == 0, f"second harness up {STACK}: expected exit 0\n{_output(second)}"
    again = _summary(second)
    record_property("dev_second_up_s", round(second_s, 1))
    assert again.only() and again.unchanged == created, (
        f"second harness up {STACK}: expected all {created} resources unchanged, got {again}"
        f"\n{_output(second)}")

    verify, verify_s = _timed("verify", "--outputs", str(out),
                              "--junit", str(tmp_path / "verify.xml"),
                              "--markdown", str(tmp_path / "verify.md"))
    record_property("dev_verify_s", round(verify_s, 1))
    print(f"\n[dev layout] {len(CFG.databases)} databases, {len(CFG.services)} services, "
          f"{created} resources: first up {first_s:.1f} s, second up {second_s:.1f} s "
          f"(0 changed), verify {verify_s:.1f} s")
    assert verify.returncode == 0, f"scripts/verify --outputs: expected exit 0\n{_output(verify)}"
