"""The engine bootstrap's figures come from the summary `pulumi up` prints (the first up's
`created`, the second up's changes), and the table judges the second up on changing nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from pgplatform import paths
from pgplatform_ops.bench import engine_bootstrap, report
from pgplatform_ops.bench.engine_bootstrap import EngineBootstrapResult, summary
from pgplatform_ops.bench.stack import BenchError

pytestmark = pytest.mark.unit

FIRST_UP = """Updating (topo100-engine):
     Type                 Name                       Status
 +   pulumi:pulumi:Stack  pgplatform-topo100-engine  created (185s)
 +   ├─ postgresql:index:Role  topo_svc_000-owner-role  created (0.11s)

Outputs:
    postgresDatabases: [ ... 10 created ... ]

Resources:
    + 3422 created

Duration: 3m5s
"""

SECOND_UP = """Updating (topo100-engine):

Resources:
    ~ 1 updated
    - 2 deleted
    3419 unchanged

Duration: 49s
"""


def test_summary__reads_the_resources_block_only() -> None:
    # "10 created" in the outputs above the block is not the count.
    assert summary(FIRST_UP) == {"created": 3422}
    assert summary(SECOND_UP) == {"updated": 1, "deleted": 2, "unchanged": 3419}
    assert summary("no summary at all") == {}


def _result(second_changes: int) -> EngineBootstrapResult:
    return EngineBootstrapResult(stack="topo100-engine", services=100, resources=3422,
                                 first_seconds=1800.0, second_seconds=49.0,
                                 second_changes=second_changes)


def test_report__second_up_must_change_nothing_even_in_quick_mode() -> None:
    clean = report.rows(None, None, None, engine=_result(0))
    assert [(r.figure.split(",")[0], r.met) for r in clean] == [
        ("pulumi up (real engine", False), ("second pulumi up (real engine)", True)]
    changed = report.rows(None, None, None, engine=_result(3))
    second = changed[1]
    assert second.correctness and second.met is False
    assert second.verdict(quick=True) == "MISS"


def test_figures__are_reported_under_documented_keys() -> None:
    figures = _result(0).figures()
    assert set(figures) <= set(report.KEYS)
    assert figures["bootstrap.engine_seconds"] == 1800.0
    assert figures["bootstrap.engine_second_up_changes"] == 0


def _failing(argv: list[str], *, fail_on: set[str]) -> tuple[float, str]:
    what = "destroy" if argv[0] == "bash" else "up"
    if what in fail_on:
        raise BenchError(f"{what} failed")
    return 1.0, "Resources:\n    + 5 created\n"


@pytest.mark.parametrize(("fail_on", "message"), [
    pytest.param({"up", "destroy"}, "up failed", id="up-and-destroy-fail"),
    pytest.param({"destroy"}, "destroy failed", id="only-destroy-fails"),
])
def test_run__a_failing_destroy__never_hides_the_ups_error(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path, fail_on: set[str],
        message: str) -> None:
    stack_file = tmp_path / "Pulumi.topo10-engine.yaml"
    monkeypatch.setattr(paths, "stack_file", lambda _stack: stack_file)
    monkeypatch.setattr(engine_bootstrap, "run_command",
                        lambda argv, **_: _failing(argv, fail_on=fail_on))
    with pytest.raises(BenchError, match=message):
        engine_bootstrap.run({"services": []}, stack="topo10-engine", services=1)
    assert not stack_file.exists(), f"{stack_file}: expected it removed after the run"
