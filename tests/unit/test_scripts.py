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


def test_up__without_pulumi_go_or_download_says_what_to_install(tmp_path: Path) -> None:
    """No pulumi on PATH, no download (every HTTPS request goes to a closed port), no Go: the
    toolchain says so, and what to install, in one sentence after its progress lines."""
    if (PROJECT_ROOT / ".tools" / "pulumi" / "bin" / "pulumi").exists():
        pytest.skip("a pulumi CLI is installed in .tools/pulumi: scripts/up would use it")
    proc = run_up(f"{tmp_path}:/usr/bin:/bin", https_proxy="http://127.0.0.1:9",
                  HTTPS_PROXY="http://127.0.0.1:9",
                  PGPLATFORM_TOOLCHAIN_CACHE=str(tmp_path / "cache"))
    assert proc.returncode != 0
    lines = proc.stderr.strip().splitlines()
    assert lines[0].startswith("[toolchain] no pulumi CLI: trying the official installer"), (
        proc.stderr)
    last = lines[-1]
    assert last.startswith("toolchain: the pulumi CLI is not installed"), proc.stderr
    assert "could not download version" in last and "no Go toolchain" in last, last
    assert "Fix: install Pulumi" in last, last


def test_up__without_docker_says_how_to_install_it(tmp_path: Path) -> None:
    fake = tmp_path / "pulumi"
    fake.write_text("#!/bin/sh\nexit 0\n")
    fake.chmod(0o755)
    proc = run_up(f"{tmp_path}:/usr/bin:/bin", DOCKER_HOST="unix:///nonexistent.sock")
    assert proc.returncode != 0
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "no Docker engine answers" in lines[0], proc.stderr


SCRIPTS = sorted(p.name for p in (PROJECT_ROOT / "scripts").iterdir()
                 if not p.name.startswith("_") and p.name != "test")
NEEDS_AN_ARGUMENT = ("up", "preview", "outputs", "verify", "backup", "restore", "migrate",
                     "harness", "settings-catalog")


def _state() -> tuple[bool, float]:
    state = PROJECT_ROOT / ".pulumi-state"
    return state.exists(), state.stat().st_mtime if state.exists() else 0.0


@pytest.mark.parametrize("name", SCRIPTS)
def test_scripts__answer_help_with_their_usage_touching_nothing(name: str) -> None:
    before = _state()
    proc = subprocess.run([str(PROJECT_ROOT / "scripts" / name), "--help"], cwd=PROJECT_ROOT,
                          capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "usage:" in proc.stdout.lower(), proc.stdout[:2000]
    assert _state() == before, f"scripts/{name} --help touched .pulumi-state"


@pytest.mark.parametrize("name", NEEDS_AN_ARGUMENT)
def test_scripts__without_their_argument_print_usage_and_exit_2(name: str) -> None:
    before = _state()
    proc = subprocess.run([str(PROJECT_ROOT / "scripts" / name)], cwd=PROJECT_ROOT,
                          capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 2, (proc.returncode, proc.stdout[-1000:], proc.stderr[-2000:])
    assert "usage:" in proc.stderr.lower() and "Traceback" not in proc.stderr, proc.stderr
    assert _state() == before, f"scripts/{name} without arguments touched .pulumi-state"
