"""Style and types are part of the build: ruff over everything, mypy strict over the product
package and checked over the tools, the test rig, the policy pack and the tests."""

import subprocess
import sys

import pytest

from pgplatform import paths

pytestmark = pytest.mark.unit
LINTED = ("infra", "testrig", "tests", "policy")


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], cwd=paths.PROJECT_ROOT,
                          capture_output=True, text=True, check=False)


def test_lint__ruff_is_clean() -> None:
    proc = _run("ruff", "check", "--output-format", "concise", *LINTED)
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.parametrize("files", [(), ("tests/e2e", "policy/__main__.py")],
                         ids=["configured", "second-run"])
def test_types__mypy_is_clean(files: tuple[str, ...]) -> None:
    """`[tool.mypy]` in pyproject.toml (strict for `pgplatform`) names what the first run
    checks; modules named like one of those (conftest, __main__) need a run of their own."""
    proc = _run("mypy", *files)
    assert proc.returncode == 0, proc.stdout + proc.stderr
