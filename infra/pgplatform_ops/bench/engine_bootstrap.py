"""The same generated topology deployed by the real engine: `scripts/up` (the Pulumi CLI the
toolchain provides, the policy pack, the local file backend an operator gets by default) from
an empty server, then a second `scripts/up` that must change nothing.

The apply harness does not model what the engine does around each step. On the file backend the
engine rewrites the whole state file (and a full `.bak` copy of it) when a step starts and when
it ends (pulumi/pulumi@v3.188.0 pkg/backend/snapshot.go `SnapshotManager`, pkg/backend/diy
`saveStack`), so a first `up` costs about the square of its resource count. This measures it.

The stack runs in a throwaway backend (a temporary directory, its own passphrase) under its own
stack name, container, volume and network; afterwards `pulumi destroy` removes what it made.
The destroy is not measured and skips the per-step checkpoints (`PULUMI_SKIP_CHECKPOINTS`): its
state is thrown away after it."""

from __future__ import annotations

import contextlib
import re
import secrets
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pgplatform import paths, stack_config
from pgplatform_ops.bench.stack import BenchError, log, run_command

# The first up of 100 services runs for about half an hour on 2 cores (see the module's doc).
UP_TIMEOUT_S = 3 * 3600
_SUMMARY = re.compile(r"^\s*(?:[+~-]\s+)?(\d+) (created|updated|replaced|deleted|unchanged)\b",
                      re.MULTILINE)


@dataclass
class EngineBootstrapResult:
    stack: str
    services: int
    resources: int
    first_seconds: float
    second_seconds: float
    second_changes: int
    """resources the second `up` created, updated, replaced or deleted (must be 0)"""

    def figures(self) -> dict[str, float]:
        return {
            "bootstrap.engine_resources": self.resources,
            "bootstrap.engine_seconds": round(self.first_seconds, 2),
            "bootstrap.engine_second_up_seconds": round(self.second_seconds, 2),
            "bootstrap.engine_second_up_changes": self.second_changes,
        }


def summary(stdout: str) -> dict[str, int]:
    """The `Resources:` block `pulumi up` ends with, e.g. `+ 3422 created` -> {"created": 3422}."""
    block = stdout[stdout.rfind("Resources:"):] if "Resources:" in stdout else ""
    return {kind: int(n) for n, kind in _SUMMARY.findall(block)}


def run(values: dict[str, Any], *, stack: str, services: int) -> EngineBootstrapResult:
    stack_file = paths.stack_file(stack)
    if stack_file.exists():
        raise BenchError(f"bootstrap: {stack_file} exists; the engine measurement writes its own "
                         "there. Fix: remove it (or rename the stack you keep in it)")
    with tempfile.TemporaryDirectory(prefix="pgplatform-bench-engine-") as tmp:
        backend = Path(tmp) / "backend"
        backend.mkdir()
        env = {"PULUMI_BACKEND_URL": f"file://{backend}",
               "PULUMI_CONFIG_PASSPHRASE": secrets.token_urlsafe(24)}
        stack_config.write_stack_file(stack_file, values)
        try:
            log(f"bootstrap: scripts/up {stack} ({services} services) with the real engine "
                "from an empty server (its state in a throwaway file backend)")
            first, out = run_command([str(paths.PROJECT_ROOT / "scripts" / "up"), stack],
                                     timeout=UP_TIMEOUT_S, env=env)
            made = summary(out)
            log(f"bootstrap: engine up in {first:.1f} s: {made}; scripts/up again")
            second, out = run_command([str(paths.PROJECT_ROOT / "scripts" / "up"), stack],
                                      timeout=UP_TIMEOUT_S, env=env)
            again = summary(out)
            log(f"bootstrap: second engine up in {second:.1f} s: {again}")
        except BaseException:
            # The up's error is the one to report: a destroy failing after it is logged only.
            with contextlib.suppress(BenchError):
                _destroy(stack, env)
            raise
        else:
            _destroy(stack, env)
        finally:
            stack_file.unlink(missing_ok=True)
    if not made.get("created"):
        raise BenchError(f"bootstrap: scripts/up {stack} printed no `created` count; its "
                         f"summary read {made}. Fix: check its output format")
    return EngineBootstrapResult(
        stack=stack, services=services, resources=made["created"], first_seconds=first,
        second_seconds=second,
        second_changes=sum(n for k, n in again.items() if k != "unchanged"))


def _destroy(stack: str, env: dict[str, str]) -> None:
    log(f"bootstrap: pulumi destroy {stack} (not timed)")
    # The CLI scripts/up used (scripts/toolchain --existing), as an operator's own shell gets it.
    destroy = ('eval "$(scripts/toolchain --shell --existing)" && exec pulumi destroy --yes '
               '--skip-preview --non-interactive --stack "$1"')
    try:
        run_command(["bash", "-c", destroy, "destroy", stack], timeout=UP_TIMEOUT_S,
                    env={**env, "PULUMI_SKIP_CHECKPOINTS": "true"})
    except BenchError as exc:
        log(f"bootstrap: the destroy of {stack} failed; remove its containers and volumes by "
            f"hand (docker ps -a, docker volume ls: pgplatform-{stack}*)\n{exc}")
        raise
