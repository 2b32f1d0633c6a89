"""What the e2e tests share: the ci stack's name, the scripts, whether Docker answers."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

from pgplatform import paths
from pgplatform_ops import stack

STACK = "ci"


def docker_available() -> bool:
    try:
        import docker

        docker.from_env().ping()
        return True
    except Exception:  # noqa: BLE001 - any failure means "no engine to test against"
        return False


def script(name: str, *args: str, timeout: int = 900) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(paths.PROJECT_ROOT / "scripts" / name), *args],
                          cwd=paths.PROJECT_ROOT, capture_output=True, text=True,
                          timeout=timeout, check=False)


@dataclass(frozen=True)
class CiDeployment:
    deployed: stack.DeployedStack
    outputs_file: Path
    second_up: subprocess.CompletedProcess[str]
