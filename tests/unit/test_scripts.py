"""`scripts/up` refuses clearly when the Pulumi CLI or Docker is missing."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from pgplatform import paths

pytestmark = pytest.mark.unit
PROJECT_ROOT = paths.PROJECT_ROOT


def run_up(path: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(PROJECT_ROOT / "scripts" / "up"), "dev"], cwd=PROJECT_ROOT,
                          env={**os.environ, "PATH": path, **env}, capture_output=True,
                          text=True, timeout=60, check=False)


def test_up__without_pulumi_says_how_to_install_it(tmp_path: Path) -> None:
    proc = run_up(f"{tmp_path}:/usr/bin:/bin")
    assert proc.returncode != 0
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "pulumi CLI is not installed" in lines[0], proc.stderr
    assert "install it" in lines[0]


def test_up__without_docker_says_how_to_install_it(tmp_path: Path) -> None:
    fake = tmp_path / "pulumi"
    fake.write_text("#!/bin/sh\nexit 0\n")
    fake.chmod(0o755)
    proc = run_up(f"{tmp_path}:/usr/bin:/bin", DOCKER_HOST="unix:///nonexistent.sock")
    assert proc.returncode != 0
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "no Docker engine answers" in lines[0], proc.stderr
