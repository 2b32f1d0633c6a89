"""The Prometheus alert rules (monitoring/): valid, and each alert fires on the series that
should page and stays quiet on its healthy neighbour, by `promtool` from Debian's prometheus
package."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from pgplatform import paths

pytestmark = pytest.mark.unit
MONITORING = paths.PROJECT_ROOT / "monitoring"
RULES = MONITORING / "pgplatform-rules.yml"
TESTS = MONITORING / "tests" / "pgplatform-rules.test.yml"
QUERIES = paths.DOCKER_CONTEXT / "exporter"


def _promtool(*args: str) -> subprocess.CompletedProcess[str]:
    promtool = shutil.which("promtool")
    assert promtool, "promtool not found. Fix: apt-get install prometheus (Debian's package)"
    return subprocess.run([promtool, *args], capture_output=True, text=True, check=False,
                          cwd=MONITORING)


def _load(path: Path) -> Any:
    return yaml.safe_load(path.read_text())


def alerts() -> list[str]:
    return [r["alert"] for g in _load(RULES)["groups"] for r in g["rules"]]


def test_rules__valid() -> None:
    checked = _promtool("check", "rules", str(RULES))
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_rules__each_fires_and_stays_quiet_as_its_test_says() -> None:
    tested = _promtool("test", "rules", str(TESTS))
    assert tested.returncode == 0, tested.stdout + tested.stderr


def test_rules__every_alert_has_a_test_with_a_quiet_neighbour() -> None:
    tests = _load(TESTS)["tests"]
    covered = {t["alertname"] for case in tests for t in case["alert_rule_test"]}
    assert covered == set(alerts())
    for case in tests:
        series = {s["series"].split("{")[0] for s in case["input_series"]}
        firing = [t for t in case["alert_rule_test"] if t["exp_alerts"]]
        assert firing, case
        # More series of the metric than alerts expected: some stay quiet.
        labelled = [s["series"] for s in case["input_series"]]
        assert len(labelled) > sum(len(t["exp_alerts"]) for t in firing), (series, case)


def test_rules__use_only_metrics_the_exporter_or_its_queries_define() -> None:
    """Custom metrics are named <query>_<column> by postgres_exporter: each the rules use is
    one of the bundle's queries' (the stock ones are checked against a live exporter in
    tests/e2e/test_exporter.py)."""
    defined = set()
    for queries in QUERIES.glob("queries*.yaml"):
        for name, query in _load(queries).items():
            defined |= {f"{name}_{column}" for m in query["metrics"] for column, spec in
                        m.items() if spec["usage"] != "LABEL"}
    exprs = " ".join(r["expr"] for g in _load(RULES)["groups"] for r in g["rules"])
    used = set(re.findall(r"\bpgplatform_[a-z_]+", exprs))
    assert used <= defined, sorted(used - defined)
