"""One harness deployment of the `ci` stack, shared by every e2e test of the session."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from pgplatform import stack_config
from pgplatform_ops import stack

from e2e_support import STACK, CiDeployment, docker_available, script, sweep_leftovers


@pytest.fixture(scope="session")
def ci_deployment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CiDeployment]:
    if not docker_available():
        pytest.skip("no Docker engine answers: the harness needs one to apply the stack")
    server = stack_config.for_stack(STACK).server
    sweep_leftovers(STACK, server)
    out = tmp_path_factory.mktemp("harness") / "outputs.json"
    first = script("harness", "up", STACK, str(out))
    assert first.returncode == 0, f"harness up failed:\n{first.stdout}\n{first.stderr}"
    second = script("harness", "up", STACK, str(out))
    try:
        yield CiDeployment(deployed=stack.load(outputs_file=out), outputs_file=out,
                           second_up=second)
    finally:
        down = script("harness", "down", STACK)
        assert down.returncode == 0, f"harness down failed:\n{down.stdout}\n{down.stderr}"
