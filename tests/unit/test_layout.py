"""The tree says who code is for, and imports run downward only: the product imports nothing
of the project, operator tools import the product and the shared stack handle but never each
other, the test rig is imported by nobody but tests."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from pgplatform import paths, stack_config

pytestmark = pytest.mark.unit
INFRA = paths.PROGRAM_DIR
TOOLS = ("verify", "migrate", "bench", "backup", "status", "toolchain")


def _imports(folder: Path) -> dict[str, set[str]]:
    """File (relative to the project) -> every module it imports."""
    found: dict[str, set[str]] = {}
    for path in sorted(folder.rglob("*.py")):
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                names |= {a.name for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names |= {node.module} | {f"{node.module}.{a.name}" for a in node.names}
        found[str(path.relative_to(paths.PROJECT_ROOT))] = names
    return found


def _offending(folder: Path, forbidden: tuple[str, ...]) -> dict[str, list[str]]:
    return {f: sorted(n for n in names if n.split(".")[0] in forbidden or n in forbidden)
            for f, names in _imports(folder).items()
            if any(n.split(".")[0] in forbidden or n in forbidden for n in names)}


def test_layout__the_product_imports_nothing_of_the_project_but_itself() -> None:
    bad = _offending(INFRA / "pgplatform", ("pgplatform_ops", "harness", "pgplatform_policy"))
    assert not bad, f"infra/pgplatform must not import tools, the rig or the pack: {bad}"


def test_layout__operator_tools_never_import_the_rig_or_the_tests() -> None:
    bad = _offending(INFRA / "pgplatform_ops", ("harness", "graph", "pgserver", "scaffold",
                                                "e2e_support", "conftest"))
    assert not bad, f"infra/pgplatform_ops must not import test infrastructure: {bad}"


@pytest.mark.parametrize("tool", TOOLS)
def test_layout__an_operator_tool_never_imports_another(tool: str) -> None:
    others = tuple(f"pgplatform_ops.{t}" for t in TOOLS if t != tool)
    found = {f: sorted(n for n in names if n.startswith(others))
             for f, names in _imports(INFRA / "pgplatform_ops" / tool).items()}
    bad = {f: n for f, n in found.items() if n}
    assert not bad, f"pgplatform_ops.{tool} imports another tool's internals: {bad}"


def test_layout__the_verification_suite_ships_with_verify() -> None:
    from pgplatform_ops.verify import cli, plugin

    suite = plugin.SUITE
    assert suite.is_relative_to(INFRA / "pgplatform_ops" / "verify"), suite
    assert sorted(p.name for p in suite.glob("test_*.py")), f"{suite}: no tests"
    assert cli.INI.is_file() and cli.INI.is_relative_to(INFRA), cli.INI
    bad = _offending(suite, ("graph", "pgserver", "scaffold", "e2e_support", "conftest"))
    assert not bad, f"the suite must not need the tests tree: {bad}"


def test_stacks__every_shipped_stack_publishes_ports_no_other_one_uses() -> None:
    """dev, staging, prod and ci run side by side on one host: server, replicas, pooler,
    pooler metrics and exporter ports all distinct across the stack files."""
    owner: dict[int, str] = {}
    for path in sorted(paths.PROJECT_ROOT.glob("Pulumi.*.yaml")):
        name = path.name.removeprefix("Pulumi.").removesuffix(".yaml")
        s = stack_config.for_stack(name).server
        if s.is_external:
            continue
        for port, what in s.published_ports.items():
            assert port not in owner, f"port {port}: {owner[port]} and {name}'s {what}"
            owner[port] = f"{name}'s {what}"
