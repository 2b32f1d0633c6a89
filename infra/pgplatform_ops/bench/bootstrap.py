"""Bootstrap and verification at scale: a generated topology of N services (every SQL module in
turn, spread over databases, some declared readers) from an empty server to a passing
post-deploy verification, timed as the operator runs them: `scripts/harness up` then
`scripts/verify`, each as a separate command; then the same topology deployed by the real
engine (`engine_bootstrap`), which is what an operator waits for."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

from pgplatform import stack_config
from pgplatform_ops.bench import engine_bootstrap, topology, verify_run
from pgplatform_ops.bench.stack import down, free_port, log, run_script, stack_file_path


@dataclass
class BootstrapResult:
    stack: str
    services: int
    databases: int
    up_seconds: float
    verify_seconds: float
    checks: str
    """the verification's summary (checks, probes)"""

    def figures(self) -> dict[str, float]:
        return {
            "bootstrap.services": self.services,
            "bootstrap.seconds": round(self.up_seconds, 2),
            "verify.seconds": round(self.verify_seconds, 2),
        }


def run(*, services: int, stack: str, container_name: str | None = None) -> BootstrapResult:
    with tempfile.TemporaryDirectory(prefix="pgplatform-bench-") as tmp:
        work = Path(tmp)
        values = topology.generate(services, host_port=free_port(),
                                   container_name=container_name)
        stack_file = stack_file_path(work, stack)
        stack_config.write_stack_file(stack_file, values)
        out = work / "outputs.json"
        down(stack)  # from an empty server: nothing of an earlier run (the volume goes too)
        try:
            log(f"bootstrap: scripts/harness up {stack} ({services} services, "
                f"{len(values['databases'])} databases) from an empty server")
            up_seconds = run_script("harness", "up", stack, str(out), "--stack-file",
                                    str(stack_file))
            log(f"bootstrap: up in {up_seconds:.1f} s; scripts/verify")
            verified = verify_run.timed(stack, out, work, stack_file)
            log(f"bootstrap: verify passed in {verified.seconds:.1f} s: {verified.summary}")
        finally:
            down(stack)
    return BootstrapResult(stack=stack, services=services, databases=len(values["databases"]),
                           up_seconds=up_seconds, verify_seconds=verified.seconds,
                           checks=verified.summary)


def run_engine(*, services: int, stack: str) -> engine_bootstrap.EngineBootstrapResult:
    """The same topology (its own stack, container, volume and network) through the engine."""
    values = topology.generate(services, host_port=free_port(),
                               container_name=f"pgplatform-{stack}")
    return engine_bootstrap.run(values, stack=stack, services=services)
