"""What the e2e tests share: the ci stack's name, the scripts, whether Docker answers, and
the sweep of a killed run's leftovers."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness.engine import state_path
from pgplatform import paths, stack_config
from pgplatform.model import ServerConfig
from pgplatform_ops import stack

STACK = "ci"


def docker_available() -> bool:
    try:
        import docker

        docker.from_env().ping()
        return True
    except Exception:  # noqa: BLE001 - any failure means "no engine to test against"
        return False


def script(name: str, *args: str, timeout: int = 900, cwd: Path = paths.PROJECT_ROOT
           ) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(paths.PROJECT_ROOT / "scripts" / name), *args],
                          cwd=cwd, capture_output=True, text=True,
                          timeout=timeout, check=False)


def sweep_leftovers(stack: str, server: ServerConfig) -> None:
    """Remove what a killed run of test-owned `stack` left behind: its container, volume and
    network and its harness state. The Docker engine outlives a run, so without this the next
    run's create collides with the old name (409), exactly as a real `pulumi up` with lost state
    would."""
    import docker

    state_path(paths.PROJECT_ROOT, stack).unlink(missing_ok=True)
    if server.is_external:
        return  # nothing of the server is the stack's to sweep
    client = docker.from_env()
    # The sidecars first: the network is removable only once nothing is attached.
    replicas = range(server.replicas)
    for name in (server.exporter_name, server.pooler_metrics_name, server.pooler_name,
                 server.watchdog_name,
                 *(server.replica_name(i) for i in replicas), server.container_name):
        for c in client.containers.list(all=True, filters={"name": f"^/{name}$"}):
            print(f"sweeping leftover container {c.name} of test stack {stack}")
            c.remove(force=True)
    volumes = {server.volume_name, server.pitr_volume,
               *(server.replica_volume(i) for i in replicas)}
    for v in client.volumes.list(filters={"name": server.volume_name}):
        # What `scripts/restore --server` kept of the data it replaced, too.
        if v.name in volumes or v.name.startswith(server.replaced_data_prefix):
            print(f"sweeping leftover volume {v.name} of test stack {stack}")
            v.remove(force=True)
    for n in client.networks.list(names=[server.network_name]):
        if n.name == server.network_name:
            print(f"sweeping leftover network {n.name} of test stack {stack}")
            n.remove()
    state_path(paths.PROJECT_ROOT, stack).unlink(missing_ok=True)


@dataclass(frozen=True)
class CiDeployment:
    deployed: stack.DeployedStack
    outputs_file: Path
    second_up: subprocess.CompletedProcess[str]


@contextmanager
def harness_stack(stack: str, values: dict[str, Any], work: Path
                  ) -> Iterator[tuple[Path, Path]]:
    """A test-owned stack deployed by the harness from `values`: (its stack file, its outputs),
    destroyed and swept afterwards."""
    stack_file, outs = work / f"Pulumi.{stack}.yaml", work / f"{stack}-outputs.json"
    stack_config.write_stack_file(stack_file, values)
    server = stack_config.from_stack_file(stack_file, stack).server
    sweep_leftovers(stack, server)
    up = script("harness", "up", stack, str(outs), "--stack-file", str(stack_file))
    try:
        assert up.returncode == 0, up.stdout[-3000:] + up.stderr[-3000:]
        yield stack_file, outs
    finally:
        script("harness", "down", stack)
        sweep_leftovers(stack, server)
