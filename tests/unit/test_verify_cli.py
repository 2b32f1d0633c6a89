"""`scripts/verify` hands pytest what follows `--` untouched, so an option with a separate value
(`-k probes`) is not taken for the STACK positional."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest

from pgplatform_ops.verify import cli

pytestmark = pytest.mark.unit


def _command(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, argv: list[str]) -> list[str]:
    seen: list[list[str]] = []

    def call(cmd: list[str], **_: Any) -> int:
        seen.append(cmd)
        return 0

    monkeypatch.setattr(subprocess, "call", call)
    assert cli.main([*argv[:2], "--markdown", str(tmp_path / "v.md"),
                     "--junit", str(tmp_path / "v.xml"), *argv[2:]]) == 0
    return seen[0]


def test_verify_cli__arguments_after_double_dash_go_to_pytest(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    cmd = _command(monkeypatch, tmp_path, ["--outputs", "out.json", "--", "-k", "probes"])
    assert cmd[-2:] == ["-k", "probes"], f"expected pytest to get `-k probes` last, got {cmd}"
    assert not any(c.startswith("--stack=") for c in cmd), f"no stack was given: {cmd}"


def test_verify_cli__unknown_options_still_go_to_pytest(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    cmd = _command(monkeypatch, tmp_path, ["--outputs", "out.json", "-kprobes"])
    assert cmd[-1] == "-kprobes" and not any(c.startswith("--stack=") for c in cmd), cmd
