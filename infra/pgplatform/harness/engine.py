"""The apply harness: the real program under Pulumi mocks, every resource applied for real.

`Mocks.new_resource` receives each resource once its inputs are resolved, in dependency order
(registrations come from several threads). It dispatches on the resource type to an applier and
returns the provider's real outputs, which is all dependents see. Unknown types are errors.
"""

from __future__ import annotations

import base64
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import dill
from pulumi.runtime import mocks as pulumi_mocks

from pgplatform.harness.docker_apply import DockerApplier
from pgplatform.harness.monitor import RecordingMonitor, reveal
from pgplatform.harness.postgres_apply import Connection, PostgresApplier
from pgplatform.harness.random_apply import random_password
from pgplatform.harness.state import Applied, HarnessState

Log = Callable[[str], None]
DYNAMIC_PREFIX = "pulumi-python:dynamic"
PROVIDER_KEY = "__provider"


class UnknownResourceType(RuntimeError):
    pass


def state_key(typ: str, name: str) -> str:
    return f"{typ}::{name}"


class HarnessMocks(pulumi_mocks.Mocks):
    def __init__(self, state: HarnessState, log: Log) -> None:
        self.state = state
        self.log = log
        self.monitor: RecordingMonitor | None = None
        self._docker: DockerApplier | None = None
        self._postgres: dict[str, PostgresApplier] = {}
        self._lock = threading.Lock()
        self.changed: list[str] = []
        self.unchanged: list[str] = []
        self.errors: list[str] = []

    @property
    def docker(self) -> DockerApplier:
        with self._lock:
            if self._docker is None:
                self._docker = DockerApplier(self.log)
            return self._docker

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
        inputs = reveal(args.inputs)
        previous = self.state.get(key)
        typ = args.typ
        if typ.startswith("pulumi:providers:"):
            resource_id, outputs, changed = f"{args.name}-provider", inputs, False
            if typ == "pulumi:providers:postgresql":
                self._postgres[resource_id] = PostgresApplier(Connection(
                    host=inputs["host"], port=int(inputs["port"]), user=inputs["username"],
                    password=inputs["password"], sslmode=inputs.get("sslmode") or "require",
                ), self.log)
        elif typ == "random:index/randomPassword:RandomPassword":
            outputs, changed = random_password(inputs, previous.outputs if previous else None)
            resource_id = args.name
        elif typ.startswith(DYNAMIC_PREFIX):
            resource_id, outputs, changed = self._dynamic(inputs, previous)
        elif typ.startswith("docker:"):
            resource_id, outputs, changed = self._docker_resource(typ, args.name, inputs,
                                                                  known=previous is not None)
        elif typ.startswith("postgresql:"):
            resource_id, outputs, changed = self._postgres_resource(
                typ, args.name, inputs, previous, args.provider or "")
        else:
            raise UnknownResourceType(
                f"harness: resource type {typ} ({args.name}) is not supported. Fix: teach "
                "pgplatform.harness.engine to apply it, mirroring its provider's semantics")
        reg = self.monitor.registration(typ, args.name) if self.monitor else None
        self.state.put(Applied(urn=key, type=typ, name=args.name, id=resource_id,
                               outputs=_jsonable(outputs),
                               retain=bool(reg and (reg.retain_on_delete or reg.protect))))
        (self.changed if changed else self.unchanged).append(key)
        if changed:
            self.log(f"harness: applied {key}")
        return resource_id, outputs

    def _docker_resource(self, typ: str, name: str, inputs: dict[str, Any], *, known: bool
                         ) -> tuple[str, dict[str, Any], bool]:
        d = self.docker
        if typ == "docker:index/image:Image":
            out, changed = d.build_image(inputs)
            return out["imageName"], out, changed
        if typ == "docker:index/remoteImage:RemoteImage":
            out, changed = d.remote_image(inputs)
            return f"{out['imageId']}{inputs['name']}", out, changed
        if typ == "docker:index/volume:Volume":
            out, changed = d.volume(name, inputs)
            return out["name"], out, changed
        if typ == "docker:index/container:Container":
            out, changed = d.container(name, inputs, known=known)
            return out["name"], out, changed
        raise UnknownResourceType(f"harness: resource type {typ} ({name}) is not supported")

    def _postgres_resource(self, typ: str, name: str, inputs: dict[str, Any],
                           previous: Applied | None, provider_ref: str
                           ) -> tuple[str, dict[str, Any], bool]:
        provider_id = provider_ref.rsplit("::", 1)[-1]
        pg = self._postgres.get(provider_id)
        if pg is None:
            raise UnknownResourceType(
                f"harness: {typ} {name} uses provider {provider_ref!r}, which is not an "
                "explicit pulumi:providers:postgresql resource of this program")
        kind = typ.split(":")[-1]
        prev = previous.outputs if previous else None
        if kind == "Role":
            out, changed = pg.role(inputs, prev)
            return out["name"], out, changed
        if kind == "Database":
            out, changed = pg.database(inputs)
            return out["name"], out, changed
        if kind == "Schema":
            out, changed = pg.schema(inputs)
            return f"{inputs['database']}.{inputs['name']}", out, changed
        if kind == "Extension":
            out, changed = pg.extension(inputs)
            return f"{inputs.get('database')}.{inputs['name']}", out, changed
        if kind == "Grant":
            out, changed = pg.grant(inputs)
            return name, out, changed
        if kind == "DefaultPrivileges":
            out, changed = pg.default_privileges(inputs)
            return name, out, changed
        raise UnknownResourceType(f"harness: resource type {typ} ({name}) is not supported")

    def _dynamic(self, inputs: dict[str, Any], previous: Applied | None
                 ) -> tuple[str, dict[str, Any], bool]:
        provider = dill.loads(base64.b64decode(inputs[PROVIDER_KEY]))
        props = {k: v for k, v in inputs.items() if k != PROVIDER_KEY}
        if previous is not None:
            olds = {k: v for k, v in previous.outputs.items() if k != PROVIDER_KEY}
            diff = provider.diff(previous.id, olds, props)
            if not diff.changes:
                return previous.id, {**olds, **{k: v for k, v in props.items()
                                                if v is not None}}, False
            result = provider.update(previous.id, olds, props)
            return previous.id, {**props, **(result.outs or {})}, True
        created = provider.create(props)
        return str(created.id), {**props, **(created.outs or {})}, True


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
