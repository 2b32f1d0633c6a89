"""Outputs read back from a stack: one that was never deployed (or was destroyed) says so."""

from __future__ import annotations

import pytest

from pgplatform import outputs

pytestmark = pytest.mark.unit


def test_outputs__of_a_stack_not_deployed_say_so_with_the_fix() -> None:
    with pytest.raises(outputs.OutputsError, match=r"stack dev has no outputs: it is not "
                                                     r"deployed .* Fix: deploy it"):
        outputs.parse({}, "stack dev")
