"""Where the project's files are: the one place that knows the checkout's layout."""

from __future__ import annotations

from pathlib import Path

# infra/pgplatform/paths.py -> the directory holding Pulumi.yaml
PROJECT_ROOT = Path(__file__).resolve().parents[2]
SQL_ROOT = PROJECT_ROOT / "sql"
DOCKER_CONTEXT = PROJECT_ROOT / "docker"
PROGRAM_DIR = PROJECT_ROOT / "infra"


def stack_file(stack: str, root: Path = PROJECT_ROOT) -> Path:
    return root / f"Pulumi.{stack}.yaml"
