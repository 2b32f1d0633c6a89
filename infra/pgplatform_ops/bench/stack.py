"""The stacks the benchmark runs against: deployed with the apply harness (`scripts/harness`,
a separate process, fast to bring up; only the bootstrap area also deploys through the real
engine, `engine_bootstrap`), their outputs read back as a `DeployedStack`, and the scratch
stack of `--quick` generated from the dev layout."""

from __future__ import annotations

import copy
import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pgplatform import paths, stack_config
from pgplatform.model import ServiceConfig
from pgplatform_ops import stack as deployed_stack

DEV_STACK = "dev"
# --quick never touches dev (tests/e2e/test_dev_layout.py brings it up and down): it runs on
# a copy of dev's layout under its own name, container, volume and port, removed afterwards.
QUICK_STACK = "benchquick"
QUICK_PORT = 15480
QUICK_EXPORTER_PORT = 19180
QUICK_POOLER_PORT = 16480


class BenchError(RuntimeError):
    """A step of the benchmark could not run (or a correctness check failed)."""


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def run_script(name: str, *args: str, timeout: int = 1800) -> float:
    """Run scripts/NAME; return its wall time in seconds, or raise with the tail of its output."""
    return run_command([str(paths.PROJECT_ROOT / "scripts" / name), *args], timeout=timeout)[0]


def run_command(argv: list[str], *, timeout: int = 1800, env: dict[str, str] | None = None
                ) -> tuple[float, str]:
    """Run a command in the project root; return its wall time in seconds and its standard
    output, or raise with the tail of its output."""
    started = time.monotonic()
    proc = subprocess.run(argv, cwd=paths.PROJECT_ROOT, capture_output=True, text=True,
                          timeout=timeout, check=False,
                          env=None if env is None else {**os.environ, **env})
    seconds = time.monotonic() - started
    if proc.returncode != 0:
        program = Path(argv[0])
        shown = " ".join([str(program.relative_to(paths.PROJECT_ROOT))
                          if program.is_relative_to(paths.PROJECT_ROOT) else argv[0], *argv[1:]])
        raise BenchError(f"{shown} exited {proc.returncode} after {seconds:.1f} s\n"
                         f"--- stdout (tail)\n{proc.stdout[-3000:]}\n"
                         f"--- stderr (tail)\n{proc.stderr[-3000:]}")
    return seconds, proc.stdout


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def stack_file_path(directory: Path, stack: str) -> Path:
    # A stack file names its stack: Pulumi.<stack>.yaml.
    return paths.stack_file(stack, directory)


def quick_stack_values() -> dict[str, Any]:
    """dev's values under another container, volume and port, deletable by `harness down`."""
    values = copy.deepcopy(stack_config.read_stack_values(paths.stack_file(DEV_STACK)))
    server = dict(values.get("server") or {})
    server.update(hostPort=QUICK_PORT, containerName=f"pgplatform-{QUICK_STACK}",
                  volumeName=f"pgplatform-{QUICK_STACK}-data", allowVolumeDeletion=True)
    # Its sidecars on their own ports too, so dev may run beside it.
    if server.get("exporter"):
        server["exporter"] = {**server["exporter"], "hostPort": QUICK_EXPORTER_PORT}
    if server.get("pooler"):
        server["pooler"] = {**server["pooler"], "hostPort": QUICK_POOLER_PORT}
    if server.get("replicas"):
        server["replicaHostPort"] = QUICK_PORT + 1
    values["server"] = server
    return values


@dataclass(frozen=True, kw_only=True)
class Deployed(deployed_stack.DeployedStack):
    """A stack the benchmark started, and how long `harness up` took."""

    up_seconds: float

    def service_for_module(self, module: str) -> ServiceConfig:
        found = [s for s in self.cfg.services if s.module == module]
        if not found:
            raise BenchError(f"stack {self.name} has no service with module {module!r}: "
                             "the benchmark needs one")
        return found[0]


def deploy(stack: str, outputs_path: Path, stack_file: Path | None = None) -> Deployed:
    """`scripts/harness up STACK OUT [--stack-file FILE]`: starts the stack, or changes nothing
    when it already runs; either way writes its outputs."""
    args = ["up", stack, str(outputs_path)]
    if stack_file is not None:
        args += ["--stack-file", str(stack_file)]
    log(f"scripts/harness {' '.join(args)}")
    seconds = run_script("harness", *args)
    found = deployed_stack.load(outputs_file=outputs_path, stack_file=stack_file)
    return Deployed(cfg=found.cfg, outputs=found.outputs, up_seconds=seconds)


def down(stack: str) -> float:
    log(f"scripts/harness down {stack}")
    return run_script("harness", "down", stack)
