"""One harness deployment of the `ci` stack, shared by every e2e test of the session."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from pgplatform import config

PROJECT_ROOT = Path(__file__).resolve().parents[2]
STACK = "ci"


def docker_available() -> bool:
    try:
        import docker

        docker.from_env().ping()
        return True
    except Exception:  # noqa: BLE001 - any failure means "no engine to test against"
        return False


def script(name: str, *args: str, timeout: int = 900) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(PROJECT_ROOT / "scripts" / name), *args], cwd=PROJECT_ROOT,
                          capture_output=True, text=True, timeout=timeout, check=False)


@dataclass(frozen=True)
class CiDeployment:
    cfg: config.PlatformConfig
    outputs_file: Path
    outputs: dict[str, Any]
    second_up: subprocess.CompletedProcess[str]


@pytest.fixture(scope="session")
def ci_deployment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CiDeployment]:
    if not docker_available():
        pytest.skip("no Docker engine answers: the harness needs one to apply the stack")
    out = tmp_path_factory.mktemp("harness") / "outputs.json"
    first = script("harness", "up", STACK, str(out))
    assert first.returncode == 0, f"harness up failed:\n{first.stdout}\n{first.stderr}"
    second = script("harness", "up", STACK, str(out))
    try:
        yield CiDeployment(cfg=config.from_stack_file(PROJECT_ROOT, STACK), outputs_file=out,
                           outputs=json.loads(out.read_text()), second_up=second)
    finally:
        down = script("harness", "down", STACK)
        assert down.returncode == 0, f"harness down failed:\n{down.stdout}\n{down.stderr}"
