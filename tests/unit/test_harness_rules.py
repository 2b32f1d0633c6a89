"""The harness's rules, checked without a server: every property the program sets has a
replace-or-update rule, durations read back in Go's format, deletes run dependents first in
the engine's rounds (a round's deletes at once), as many steps run at once as `pulumi up`
runs, and the dynamic provider starts the way the launcher starts it."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from contextlib import suppress
from pathlib import Path

import pytest

from harness.docker_apply import duration_ns, go_duration
from harness.dynamic import LauncherError, launch_plan
from harness.engine import Engine, default_parallel
from harness.kinds import KINDS, is_dynamic
from harness.properties import TABLE
from harness.state import Applied, HarnessState, delete_rounds

from graph import build_graph

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("stack", ["dev", "staging", "prod", "ci"])
def test_rules__every_property_the_program_sets_has_a_rule(stack: str) -> None:
    g = build_graph(stack)
    for reg in g.monitor.registrations.values():
        if not reg.custom or is_dynamic(reg.type):
            continue
        assert reg.type in KINDS and reg.type in TABLE, f"{reg.type}: no kind or rule"
        rules = TABLE[reg.type]
        inputs = KINDS[reg.type].prepare(g.mocks.inputs[(reg.type, reg.name)])
        unknown = set(inputs) - rules.replace - rules.update
        assert not unknown, f"{reg.urn}: no rule for {sorted(unknown)}"


@pytest.mark.parametrize("text,ns,formatted", [
    ("2s", 2 * 10**9, "2s"), ("60s", 60 * 10**9, "1m0s"), ("1m0s", 60 * 10**9, "1m0s"),
    ("1.5s", 1_500_000_000, "1.5s"), ("90m", 5400 * 10**9, "1h30m0s"),
    ("500ms", 500_000_000, "500ms"), ("0s", 0, "0s"),
])
def test_rules__durations_as_go_formats_them(text: str, ns: int, formatted: str) -> None:
    assert duration_ns(text) == ns
    assert go_duration(ns) == formatted


def test_rules__force_new_replaces_the_rest_updates_read_back_counts() -> None:
    from pgplatform import resource_types as rt

    rules = TABLE[rt.DOCKER_CONTAINER]
    old = {"name": "c", "memory": 1024, "memorySwap": 2048,
           "healthcheck": {"startPeriod": "1m0s"}}
    assert rules.changed(rt.DOCKER_CONTAINER, old, {"name": "c", "memory": 1024}) == (
        ["memorySwap"], [])
    assert rules.changed(rt.DOCKER_CONTAINER, old, {
        "name": "c", "memory": 1024.0, "memorySwap": 2048,
        "healthcheck": {"startPeriod": "60s"}}) == (["healthcheck"], [])
    assert rules.changed(rt.DOCKER_CONTAINER, old, {"name": "c2"}) == (
        ["name", "memorySwap"], ["name"])
    with pytest.raises(KeyError, match="not in harness.properties.TABLE"):
        rules.changed(rt.DOCKER_CONTAINER, old, {"privileged": True})


def _applied(urn: str, order: int, deps: tuple[str, ...] = (), provider: str = "") -> Applied:
    return Applied(urn=urn, type="t", name=urn, id=urn, inputs={}, outputs={},
                   dependencies=list(deps), provider=provider, order=order)


def test_rules__deletes_run_dependents_first_whatever_the_creation_order() -> None:
    # The database was created first but now depends on a role created later (a service
    # added since): the engine still deletes the database before the role.
    provider = _applied("provider", 1)
    database = _applied("database", 2, ("role",), provider="provider::id")
    role = _applied("role", 9, provider="provider::id")
    grant = _applied("grant", 10, ("database", "role"), provider="provider::id")
    rounds = [[a.urn for a in r] for r in delete_rounds([provider, database, role, grant])]
    assert rounds == [["grant"], ["database"], ["role"], ["provider"]]


def test_rules__deletes_that_need_nothing_of_each_other_share_a_round() -> None:
    # ScheduleDeletes levels from the bottom: the roles share a round (before the provider's)
    # even though only one of them waits for the grant.
    provider = _applied("provider", 1)
    roles = [_applied(f"role-{i}", 2 + i, provider="provider::id") for i in range(3)]
    grant = _applied("grant", 9, ("role-0",), provider="provider::id")
    rounds = [[a.urn for a in r] for r in delete_rounds([provider, *roles, grant])]
    assert rounds == [["grant"], ["role-2", "role-1", "role-0"], ["provider"]]


def test_rules__a_dependency_cycle_among_the_deletes_is_refused() -> None:
    a, b = _applied("a", 1, ("b",)), _applied("b", 2, ("a",))
    with pytest.raises(RuntimeError, match="form a cycle"):
        delete_rounds([a, b])


class _FakeDeletes(Engine):
    """The engine's delete scheduling over deletes that only record themselves: those in
    `failing` raise, and those in `together` wait for each other, which only deletes running
    at the same time can do."""

    def __init__(self, tmp: Path, failing: set[str], together: set[str]) -> None:
        super().__init__(HarnessState(path=tmp / "state.json"), "s", lambda _m: None, tmp,
                         parallel=4)
        self.failing, self.together, self.deleted = failing, together, set[str]()
        self.meet = threading.Barrier(len(together), timeout=10)

    def delete(self, a: Applied, *, replacing: bool = False) -> None:
        if a.urn in self.together:
            with suppress(threading.BrokenBarrierError):
                self.meet.wait()
        if a.urn in self.failing:
            raise RuntimeError("refused")
        with self._lock:
            self.deleted.add(a.urn)


def test_engine__a_round_deletes_in_parallel_and_a_failure_spares_what_it_needs(
        tmp_path: Path) -> None:
    provider = _applied("provider", 1)
    roles = [_applied(f"role-{i}", 2 + i, provider="provider::id") for i in range(3)]
    grant = _applied("grant", 9, ("role-0",), provider="provider::id")
    engine = _FakeDeletes(tmp_path, failing={"grant"}, together={"role-1", "role-2"})
    for a in (provider, *roles, grant):
        engine.state.put(a)
    errors = engine.delete_all([provider, *roles, grant])
    assert not engine.meet.broken, "role-1 and role-2 (one round) were not deleted at once"
    assert engine.deleted == {"role-1", "role-2"}
    assert errors == ["grant: refused",
                      "role-0: not deleted: a resource that depends on it failed",
                      "provider: not deleted: a resource that depends on it failed"]
    assert set(engine.state.resources) == {"provider", "role-0", "grant"}


def _project(tmp: Path, options: str) -> Path:
    (tmp / "infra").mkdir()
    (tmp / "Pulumi.yaml").write_text(
        f"name: p\nruntime:\n  name: python\n  options:\n{options}main: infra/\n")
    return tmp


@pytest.mark.parametrize("environ,expected", [
    ({}, None), ({"PULUMI_PARALLEL": "3"}, 3), ({"PULUMI_PARALLEL": "0"}, None),
    ({"PULUMI_PARALLEL": "many"}, None),
], ids=["default", "set", "zero-is-unset", "not-a-number"])
def test_rules__parallel_steps_as_pulumi_up_defaults_them(environ: dict[str, str],
                                                          expected: int | None) -> None:
    four_per_cpu = 4 * len(os.sched_getaffinity(0))
    assert default_parallel(environ) == (expected or four_per_cpu), \
        f"PULUMI_PARALLEL={environ.get('PULUMI_PARALLEL')!r}: expected {expected or four_per_cpu}"


def test_launcher__uv_toolchain_looks_for_the_venv_in_the_program_directory(
        tmp_path: Path) -> None:
    root = _project(tmp_path, "    toolchain: uv\n")
    (root / ".venv" / "bin").mkdir(parents=True)
    (root / ".venv" / "bin" / "python").write_text("")
    with pytest.raises(LauncherError, match=r"infra/\.venv\" doesn't exist"):
        launch_plan(root, {"PATH": "/usr/bin"})
    (root / "infra" / ".venv").symlink_to("../.venv")
    plan = launch_plan(root, {"PATH": "/usr/bin"})
    assert plan.cwd == root / "infra"
    assert plan.argv == (f"{root}/infra/.venv/bin/python", "-u", "-m", "pulumi.dynamic")
    assert plan.env["PATH"].startswith(f"{root}/infra/.venv/bin:")


def test_launcher__a_virtualenv_option_wins_over_the_environment(tmp_path: Path) -> None:
    root = _project(tmp_path, "    virtualenv: /nowhere/venv\n")
    with pytest.raises(LauncherError, match="/nowhere/venv"):
        launch_plan(root, {"PULUMI_RUNTIME_VIRTUALENV": str(tmp_path)})


def test_launcher__the_project_layout_gives_the_provider_the_project_venv() -> None:
    """Fault 1: with `main: infra/` and toolchain uv, infra/.venv must be the project venv."""
    from pgplatform import paths

    plan = launch_plan(paths.PROJECT_ROOT, {"PATH": "/usr/bin"})
    assert plan.cwd == paths.PROGRAM_DIR
    venv = paths.PROGRAM_DIR / ".venv"
    assert venv.is_symlink() and venv.resolve() == (paths.PROJECT_ROOT / ".venv").resolve()




_LOG_FROM_THREADS = """
from concurrent.futures import ThreadPoolExecutor
from harness.cli import _log
with ThreadPoolExecutor(max_workers=8) as pool:
    list(pool.map(_log, [f"harness: created urn:{i:04d}" for i in range(2000)]))
"""


def test_log__lines_from_many_step_threads__each_on_its_own_line(tmp_path: Path) -> None:
    """The process's own stdout into a file, as `scripts/harness up` logs into a CI log: print
    writes a line and its newline apart, and lines from the step threads ran into each other
    unless the log serialises them."""
    out = tmp_path / "log.txt"
    with out.open("w") as f:
        subprocess.run([sys.executable, "-c", _LOG_FROM_THREADS], stdout=f, check=True,
                       env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})
    got = out.read_text().splitlines()
    expected = [f"harness: created urn:{i:04d}" for i in range(2000)]
    broken = [g for g in got if g not in expected]
    assert sorted(got) == expected, f"expected 2000 whole lines, got {len(got)}, e.g. {broken[:2]}"
