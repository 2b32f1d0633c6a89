"""`scripts/verify` hands pytest what follows `--` untouched, so an option with a separate value
(`-k probes`) is not taken for the STACK positional; it checks the stack and its outputs before
running anything; and it prints a summary only when this run finished and wrote it, never a
previous run's."""

from __future__ import annotations

import argparse
import subprocess
from pathlib import Path
from typing import Any

import pytest

from pgplatform_ops.verify import cli

pytestmark = pytest.mark.unit

STALE = "## pgplatform verification — stack `dev`\n\n✅ all checks hold — 265 passed\n"


def _fake_pytest(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, *, code: int,
                 writes: bool) -> list[list[str]]:
    """pytest replaced: exits with `code`, writing the summary of its run if `writes`."""
    seen: list[list[str]] = []

    def call(cmd: list[str], **_: Any) -> int:
        seen.append(cmd)
        run = next(c.removeprefix("--run=") for c in cmd if c.startswith("--run="))
        if writes:
            (tmp_path / "v.md").write_text(f"## pgplatform verification — stack `ci`, run {run}"
                                           "\n\n❌ 1 checks failed\n")
        return code

    def outputs(_args: argparse.Namespace, _scratch: Path) -> Path:
        return tmp_path / "out.json"

    monkeypatch.setattr(subprocess, "call", call)
    monkeypatch.setattr(cli, "_outputs", outputs)
    return seen


def _main(tmp_path: Path, argv: list[str]) -> int:
    return cli.main([*argv[:2], "--markdown", str(tmp_path / "v.md"),
                     "--junit", str(tmp_path / "v.xml"), *argv[2:]])


def test_verify_cli__arguments_after_double_dash_go_to_pytest(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    seen = _fake_pytest(monkeypatch, tmp_path, code=0, writes=True)
    assert _main(tmp_path, ["--outputs", "out.json", "--", "-k", "probes"]) == 0
    cmd = seen[0]
    assert cmd[-2:] == ["-k", "probes"], f"expected pytest to get `-k probes` last, got {cmd}"
    assert not any(c.startswith("--stack=") for c in cmd), f"no stack was given: {cmd}"


def test_verify_cli__unknown_options_still_go_to_pytest(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    seen = _fake_pytest(monkeypatch, tmp_path, code=0, writes=True)
    assert _main(tmp_path, ["--outputs", "out.json", "-kprobes"]) == 0
    assert seen[0][-1] == "-kprobes" and not any(c.startswith("--stack=") for c in seen[0])


@pytest.mark.parametrize("code", [2, 3, 4])
def test_verify_cli__a_run_that_did_not_finish_shows_no_result_not_even_an_old_one(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        code: int) -> None:
    (tmp_path / "v.md").write_text(STALE)
    _fake_pytest(monkeypatch, tmp_path, code=code, writes=False)
    assert _main(tmp_path, ["--outputs", "out.json", "--ouputs", "x.json"]) == code
    out, err = capsys.readouterr()
    assert "all checks hold" not in out + err, out
    assert f"the run did not finish (pytest exit status {code}): no result" in err, err
    assert not (tmp_path / "v.md").exists(), "the previous run's summary was left to be read"


def test_verify_cli__the_summary_names_its_run(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "v.md").write_text(STALE)
    _fake_pytest(monkeypatch, tmp_path, code=1, writes=True)
    assert _main(tmp_path, ["--outputs", "out.json"]) == 1
    out = capsys.readouterr().out
    assert "❌ 1 checks failed" in out and ", run 20" in out and "all checks hold" not in out


def test_verify_cli__unreadable_outputs_stop_before_anything_runs(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    called: list[Any] = []

    def call(*a: Any, **_: Any) -> int:
        called.append(a)
        return 0

    monkeypatch.setattr(subprocess, "call", call)
    assert _main(tmp_path, ["--outputs", str(tmp_path / "missing.json")]) == 2
    err = capsys.readouterr().err
    assert f"outputs file {tmp_path / 'missing.json'} not found" in err, err
    assert not called


def test_verify_cli__a_stack_name_without_the_pulumi_cli_says_how_to_get_outputs(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    called: list[Any] = []

    def call(*a: Any, **_: Any) -> int:
        called.append(a)
        return 0

    monkeypatch.setattr(subprocess, "call", call)
    assert _main(tmp_path, ["staging"]) == 2
    err = capsys.readouterr().err
    assert "no `pulumi` CLI here to read its outputs" in err and "--outputs FILE" in err, err
    assert not called
