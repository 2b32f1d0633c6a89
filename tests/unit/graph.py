"""The program's resource graph for a stack, under Pulumi mocks (no engine, no server)."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import pulumi
from pulumi.runtime import mocks as pulumi_mocks

from harness.monitor import RecordingMonitor, Registration, run_program
from pgplatform import model, outputs, program, resource_types, stack_config

GATEWAY = "172.30.0.1"
"""The gateway the mocked Docker gives the server's network."""


class GraphMocks(pulumi_mocks.Mocks):
    """Echo inputs as outputs, plus the few outputs dependents read."""

    def __init__(self) -> None:
        self.inputs: dict[tuple[str, str], dict[str, Any]] = {}
        self._lock = threading.Lock()

    def new_resource(self, args: pulumi_mocks.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        with self._lock:
            self.inputs[(args.typ, args.name)] = dict(args.inputs)
        state = dict(args.inputs)
        if args.typ == resource_types.RANDOM_PASSWORD:
            state["result"] = f"pw-{args.name}"
        if args.typ == resource_types.DOCKER_REMOTE_IMAGE:
            state["imageId"] = "sha256:feedface"
        if args.typ == resource_types.DOCKER_NETWORK:
            state["ipamConfigs"] = [{"subnet": "172.30.0.0/16", "gateway": GATEWAY}]
        if args.typ == resource_types.TLS_PRIVATE_KEY:
            state["privateKeyPem"] = f"-----BEGIN EC PRIVATE KEY-----\n{args.name}\n"
        if args.typ == resource_types.TLS_CERT_REQUEST:
            state["certRequestPem"] = f"-----BEGIN CERTIFICATE REQUEST-----\n{args.name}\n"
        if args.typ in (resource_types.TLS_SELF_SIGNED_CERT,
                        resource_types.TLS_LOCALLY_SIGNED_CERT):
            state["certPem"] = f"-----BEGIN CERTIFICATE-----\n{args.name}\n"
        return f"{args.name}-id", state

    def call(self, args: pulumi_mocks.MockCallArgs) -> tuple[dict[str, Any], None]:
        return {}, None


@dataclass
class Graph:
    cfg: model.PlatformConfig
    outputs: dict[str, Any]
    secret_outputs: dict[str, bool]
    """Dotted output path -> whether Pulumi treats the value as a secret."""
    monitor: RecordingMonitor
    mocks: GraphMocks
    _by_urn: dict[str, Registration] = field(default_factory=dict)

    def resources(self, typ: str) -> list[tuple[Registration, dict[str, Any]]]:
        return [(r, self.mocks.inputs[(r.type, r.name)])
                for r in self.monitor.registrations.values() if r.type == typ]

    def one(self, typ: str, name: str) -> tuple[Registration, dict[str, Any]]:
        found = [(r, i) for r, i in self.resources(typ) if r.name == name]
        assert len(found) == 1, f"expected one {typ} named {name}, found {len(found)}"
        return found[0]

    def depends_on(self, urn: str, target: str) -> bool:
        """Whether `urn` (transitively) waits for `target`."""
        regs = self.monitor.registrations
        seen, todo = set(), [urn]
        while todo:
            cur = todo.pop()
            if cur == target:
                return True
            if cur in seen or cur not in regs:
                continue
            seen.add(cur)
            todo.extend(regs[cur].dependencies)
        return False


def build_graph(stack: str, values: dict[str, Any] | None = None,
                cfg: model.PlatformConfig | None = None) -> Graph:
    if cfg is None:
        cfg = (stack_config.for_stack(stack) if values is None
               else model.from_mapping(values, stack=stack))
    mocks = GraphMocks()
    monitor = RecordingMonitor(mocks)
    secret: dict[str, bool] = {}

    def build(cfg: model.PlatformConfig) -> outputs.StackOutputs[pulumi.Output[str]]:
        outs = program.build(cfg)

        def leaves(value: Any, path: str) -> None:
            if isinstance(value, dict):
                for k, v in value.items():
                    leaves(v, f"{path}.{k}" if path else k)
            else:
                out: pulumi.Output[Any] = pulumi.Output.from_input(value)
                is_secret: pulumi.Output[bool] = pulumi.Output.from_input(out.is_secret())

                def record(flag: bool, p: str = path) -> None:
                    secret[p] = flag

                is_secret.apply(record)

        leaves(outs.exports(), "")
        return outs

    exported = run_program(cfg, monitor, build=build)
    return Graph(cfg=cfg, outputs=exported, secret_outputs=secret, monitor=monitor, mocks=mocks)


COMMITTED_STACKS = ("dev", "staging", "prod", "ci")


@cache
def committed_graph(stack: str) -> Graph:
    """The graph of a committed stack, built once per test session."""
    return build_graph(stack)
