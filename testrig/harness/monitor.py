"""Running the real program under Pulumi mocks, recording what the engine would have seen.

`MockMonitor` hands `Mocks.new_resource` only the type, name and inputs; the registration
request also carries dependencies, parent, protect and retainOnDelete, which the harness (for
`down`) and the unit tests (for the resource graph) need. Used by tests and the harness alike.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import pulumi
from pulumi.runtime import mocks as pulumi_mocks
from pulumi.runtime.rpc import _special_secret_sig, _special_sig_key
from pulumi.runtime.sync_await import _ensure_event_loop

from pgplatform import outputs, program
from pgplatform.model import PlatformConfig

PROJECT = "pgplatform"


@dataclass(frozen=True, kw_only=True)
class Registration:
    urn: str
    type: str
    name: str
    parent: str
    custom: bool
    dependencies: tuple[str, ...]
    provider: str
    protect: bool
    retain_on_delete: bool


class RecordingMonitor(pulumi_mocks.MockMonitor):
    def __init__(self, mocks: pulumi_mocks.Mocks) -> None:
        super().__init__(mocks)
        self.registrations: dict[str, Registration] = {}
        self._by_name: dict[tuple[str, str], Registration] = {}
        self._lock = threading.Lock()

    def RegisterResource(self, request: Any) -> Any:
        reg = Registration(
            urn=self.make_urn(request.parent, request.type, request.name),
            type=request.type, name=request.name, parent=request.parent, custom=request.custom,
            dependencies=tuple(request.dependencies), provider=request.provider,
            protect=bool(request.protect),
            retain_on_delete=bool(request.retainOnDelete),
        )
        with self._lock:
            self.registrations[reg.urn] = reg
            # The first of a type and name, as a scan in registration order would find it.
            self._by_name.setdefault((reg.type, reg.name), reg)
        base: Any = super()  # the SDK's mock monitor is untyped
        return base.RegisterResource(request)

    def registration(self, typ: str, name: str) -> Registration | None:
        with self._lock:
            return self._by_name.get((typ, name))


def is_secret(value: Any) -> bool:
    return isinstance(value, Mapping) and value.get(_special_sig_key) == _special_secret_sig


def reveal(value: Any) -> Any:
    """Inputs with secret wrappers removed, recursively."""
    if is_secret(value):
        return reveal(value["value"])
    if isinstance(value, Mapping):
        return {k: reveal(v) for k, v in value.items()}
    if isinstance(value, list):
        return [reveal(v) for v in value]
    return value


Build = Callable[[PlatformConfig], outputs.StackOutputs[pulumi.Output[str]]]


def run_program(cfg: PlatformConfig, monitor: RecordingMonitor,
                build: Build = program.build, *, parallel: int | None = None
                ) -> dict[str, Any]:
    """Run the program for the model `cfg` under the monitor's mocks; return the resolved
    stack outputs by key (secrets revealed). The monitor keeps every registration.

    `parallel` is the engine's `--parallel`: the language host then gives the program's event
    loop 4 × that many threads for its RegisterResource calls (pulumi/pulumi@1b59498
    sdk/python/cmd/pulumi-language-python-exec `_set_default_executor`); unset, asyncio's
    default pool is used, as under `pulumi.runtime.test`."""
    pulumi.runtime.set_mocks(monitor.mocks, project=PROJECT, stack=cfg.stack, preview=False,
                             monitor=monitor)
    if parallel is not None:
        # The loop `pulumi.runtime.test` runs the program on.
        ensure_loop: Any = _ensure_event_loop  # untyped
        ensure_loop().set_default_executor(
            ThreadPoolExecutor(max_workers=max(parallel, 1) * 4))
    result: dict[str, Any] = {}

    def _run() -> pulumi.Output[Any]:
        exports = build(cfg).exports()
        return pulumi.Output.from_input(exports).apply(result.update)

    in_mocks: Any = pulumi.runtime.test  # untyped: runs `_run` and waits for its outputs
    in_mocks(_run)()
    return result
