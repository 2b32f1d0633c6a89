"""The apply harness: the real program under Pulumi mocks, every resource applied for real.

`Mocks.new_resource` receives each resource once its inputs are resolved, in dependency order
(registrations come from several threads). It looks the type up in `kinds.KINDS` and returns
the provider's real outputs, which is all dependents see. Unknown types are errors.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pulumi.runtime import mocks as pulumi_mocks

from harness.appliers import Appliers, UnknownResourceType
from harness.kinds import Request, kind_of
from harness.monitor import RecordingMonitor, reveal
from harness.state import Applied, HarnessState
from pgplatform.progress import Log


def state_key(typ: str, name: str) -> str:
    return f"{typ}::{name}"


class HarnessMocks(pulumi_mocks.Mocks):
    def __init__(self, state: HarnessState, log: Log) -> None:
        self.state = state
        self.log = log
        self.monitor: RecordingMonitor | None = None
        self.appliers = Appliers(log)
        self.changed: list[str] = []
        self.unchanged: list[str] = []
        self.errors: list[str] = []

    def call(self, args: pulumi_mocks.MockCallArgs) -> tuple[dict[str, Any], None]:
        raise UnknownResourceType(f"harness: function {args.token} is not supported")

    def new_resource(self, args: pulumi_mocks.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        if not args.custom:  # component resources have nothing to apply
            return f"{args.name}-component", dict(args.inputs)
        key = state_key(args.typ, args.name)
        try:
            return self._apply(key, args)
        except Exception as exc:
            self.errors.append(f"{key}: {exc}")
            self.log(f"harness: FAILED {key}: {exc}")
            raise

    def _apply(self, key: str, args: pulumi_mocks.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        kind = kind_of(args.typ, args.name)
        request = Request(name=args.name, inputs=reveal(args.inputs),
                          previous=self.state.get(key), provider=args.provider or "")
        outputs, changed = kind.apply(self.appliers, request)
        resource_id = kind.identity(args.name, outputs)
        reg = self.monitor.registration(args.typ, args.name) if self.monitor else None
        self.state.put(Applied(urn=key, type=args.typ, name=args.name, id=resource_id,
                               outputs=_jsonable(outputs), provider=request.provider,
                               retain=bool(reg and (reg.retain_on_delete or reg.protect))))
        (self.changed if changed else self.unchanged).append(key)
        if changed:
            self.log(f"harness: applied {key}")
        return resource_id, outputs


def _jsonable(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


def state_path(project_root: Path, stack: str) -> Path:
    return project_root / ".harness" / f"{stack}.json"
