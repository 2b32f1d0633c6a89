"""The harness against the engine: the same stack values deployed once by the apply harness and
once by `pulumi up` (two stacks, their own names and ports), then everything each left on the
server and in Docker compared. The engine is the judge: a difference is either fixed (in the
harness, citing upstream, or in the product) or listed in EXPECTED with why it is right."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from deployers import Changes, Deployer, HarnessDeployer, PulumiDeployer
from server_snapshot import Snapshot, differences, snapshot

from pgplatform import model

from e2e_support import docker_available, sweep_leftovers

pytestmark = pytest.mark.e2e

# Path prefix of a difference -> why it is expected.
EXPECTED: dict[str, str] = {}


def stack_values(name: str, port: int) -> dict[str, Any]:
    """Both sides of a hard line, a reader, a consumer, the pooler and its exporter, the
    exporter and a replica: every kind of resource the program declares."""
    return {
        "server": {"image": "build", "hostPort": port, "memoryMb": 1024, "shmSizeMb": 256,
                   "allowVolumeDeletion": True, "containerName": f"pgplatform-{name}",
                   "volumeName": f"pgplatform-{name}-data",
                   "networkName": f"pgplatform-{name}-net",
                   "pooler": {"enabled": True, "hostPort": port + 1, "metricsPort": port + 4},
                   "exporter": {"enabled": True, "hostPort": port + 2},
                   "replicas": 1, "replicaHostPort": port + 3,
                   "settings": {"shared_buffers": "128MB", "maintenance_work_mem": "128MB",
                                "work_mem": "8MB", "max_connections": 200}},
        "databases": [{"name": "flipsync", "extensions": []},
                      {"name": "paddle", "extensions": ["vector"]}],
        "services": [{"name": "flipsync_app", "database": "flipsync", "schema": "flipsync"},
                     {"name": "vector_store", "database": "paddle", "readers": ["rag"]},
                     {"name": "rag", "database": "paddle"}],
        "consumers": [{"name": "paddle_mcp", "database": "paddle",
                       "reads": ["vector_store", "rag"]}],
    }


class Deployment:
    def __init__(self, deployer: Deployer, values: dict[str, Any]) -> None:
        self.deployer, self.values = deployer, values
        self.first: Changes | None = None
        self.second: Changes | None = None
        self.snapshot: Snapshot = {}


def _deploy(deployer: Deployer, values: dict[str, Any]) -> Deployment:
    d = Deployment(deployer, values)
    d.first = deployer.up(values)
    d.second = deployer.up(values)
    d.snapshot = snapshot(deployer.deployed())
    return d


@pytest.fixture(scope="module")
def deployments(tmp_path_factory: pytest.TempPathFactory
                ) -> Iterator[dict[str, Deployment]]:
    if not docker_available():
        pytest.skip("no Docker engine answers")
    out: dict[str, Deployment] = {}
    plan = {"harness": ("diffh", 15560), "pulumi": ("diffp", 15570)}
    made: list[tuple[Deployer, str, dict[str, Any]]] = []
    try:
        for kind, (stack, port) in plan.items():
            values = stack_values(stack, port)
            sweep_leftovers(stack, model.from_mapping(values, stack=stack).server)
            work: Path = tmp_path_factory.mktemp(stack)
            deployer: Deployer = (HarnessDeployer(stack, work) if kind == "harness"
                                  else PulumiDeployer(stack, work))
            made.append((deployer, stack, values))
            out[kind] = _deploy(deployer, values)
        yield out
    finally:
        for deployer, stack, values in made:
            ok, log = deployer.down()
            if not ok:
                print(f"differential: down of {stack} failed:\n{log[-3000:]}")
            deployer.forget()
            sweep_leftovers(stack, model.from_mapping(values, stack=stack).server)


def test_differential__both_deployers_leave_the_same_server_and_containers(
        deployments: dict[str, Deployment]) -> None:
    found = differences(deployments["harness"].snapshot, deployments["pulumi"].snapshot)
    unexplained = [d for d in found if not any(d.startswith(p) for p in EXPECTED)]
    for d in found:
        print(f"[differential] {d}")
    assert not unexplained, "harness and engine differ:\n" + "\n".join(unexplained)


def test_differential__same_change_counts_for_the_first_and_second_up(
        deployments: dict[str, Deployment]) -> None:
    counts = {k: (str(d.first), str(d.second)) for k, d in deployments.items()}
    print(f"[differential] change counts {counts}")
    assert counts["harness"] == counts["pulumi"], counts
