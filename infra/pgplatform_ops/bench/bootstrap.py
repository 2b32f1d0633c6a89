"""Bootstrap and verification at scale: a generated topology of N services (every SQL module in
turn, spread over databases, some declared readers) from an empty server to a passing
post-deploy verification, timed as the operator runs them: `scripts/harness up` then
`scripts/verify`, each as a separate command."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

from pgplatform import stack_config
from pgplatform_ops.bench import topology
from pgplatform_ops.bench.stack import BenchError, down, free_port, log, run_script, stack_file_path


@dataclass
class BootstrapResult:
    stack: str
    services: int
    databases: int
    up_seconds: float
    verify_seconds: float

    @property
    def total_seconds(self) -> float:
        return self.up_seconds + self.verify_seconds

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
            try:
                verify_seconds = run_script(
                    "verify", "--outputs", str(out), "--stack-file", str(stack_file),
                    "--junit", str(work / "verify.xml"), "--markdown", str(work / "verify.md"))
            except BenchError as exc:
                raise BenchError(f"bootstrap: the verification of {stack} failed:\n{exc}") \
                    from None
            log(f"bootstrap: verify passed in {verify_seconds:.1f} s")
        finally:
            down(stack)
    return BootstrapResult(stack=stack, services=services, databases=len(values["databases"]),
                           up_seconds=up_seconds, verify_seconds=verify_seconds)
