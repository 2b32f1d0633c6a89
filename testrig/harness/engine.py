"""The apply harness's engine: the real program under Pulumi mocks, each resource applied for
real with the engine's semantics (pulumi/pulumi pkg/resource/deploy/step_generator.go):

- a registered resource not in state is created; one in state is diffed (its new inputs
  against the prior state, per `properties.TABLE`; a dynamic resource's provider is asked
  through Check and Diff): no change means nothing runs, a change updates it in place or
  replaces it, create-before-delete unless the resource is delete-before-replace;
- when the program has finished, what it no longer registers is deleted, dependents first,
  in the engine's rounds of parallel deletes (`delete_rounds`), and so are the replaced
  resources;
- a protected resource is never deleted or replaced; a retained one is forgotten, not deleted.

`Mocks.new_resource` receives each resource once its inputs are resolved, in dependency order
(registrations come from several threads); what it returns is all dependents see. As many
steps run at once as the engine's `--parallel` allows (`default_parallel`).
"""

from __future__ import annotations

import os
import threading
from collections import Counter
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pulumi.runtime import mocks as pulumi_mocks

from harness.appliers import Appliers, UnknownResourceType
from harness.dynamic import DynamicProvider
from harness.kinds import Request, is_dynamic, kind_of
from harness.monitor import RecordingMonitor, Registration, reveal
from harness.properties import TABLE
from harness.state import Applied, HarnessState, delete_rounds, needs
from pgplatform import paths
from pgplatform.progress import Log

PROJECT = "pgplatform"
PROVIDER_KEY = "__provider"
OPERATIONS = ("created", "updated", "replaced", "deleted", "unchanged")


class ProtectedError(RuntimeError):
    pass


def default_parallel(environ: Mapping[str, str] = os.environ) -> int:
    """`pulumi up`'s `--parallel` when not given (pulumi/pulumi@1b59498
    pkg/cmd/pulumi/operations/up.go `defaultParallel`): `PULUMI_PARALLEL` if positive, else
    4 × GOMAXPROCS, which is the number of CPUs the process may run on. The step executor
    runs that many steps at once (pkg/resource/deploy/step_executor.go
    `newStepExecutor`: one worker per degree of parallelism)."""
    try:
        given = int(environ.get("PULUMI_PARALLEL", "") or 0)
    except ValueError:
        given = 0
    return given if given > 0 else 4 * len(os.sched_getaffinity(0))


def protected_message(a: Applied) -> str:
    # pkg/resource/deploy/step.go deleteProtectedError
    return (f"resource {a.urn!r} cannot be deleted because it is protected. To unprotect the "
            "resource, either remove the `protect` flag from the resource in your Pulumi "
            "program and run `pulumi up`, or use the command: "
            f"`pulumi state unprotect {a.urn}`")


@dataclass(kw_only=True)
class Plan:
    operation: str
    """create | same | update | replace"""
    changed: list[str]
    delete_before_replace: bool = False


class Engine:
    """What one `up` or `down` talks to: the appliers, the dynamic provider process (started
    on first use, as the engine loads a plugin), and what happened."""

    def __init__(self, state: HarnessState, stack: str, log: Log,
                 project_root: Path = paths.PROJECT_ROOT, parallel: int | None = None) -> None:
        self.state, self.stack, self.log = state, stack, log
        self.project_root = project_root
        self.parallel = parallel or default_parallel()
        # The step executor's workers: a step holds one while its provider works.
        self.steps = threading.BoundedSemaphore(self.parallel)
        self.appliers = Appliers(log)
        self.counts: Counter[str] = Counter()
        self._dynamic: DynamicProvider | None = None
        self._lock = threading.Lock()

    @property
    def dynamic(self) -> DynamicProvider:
        with self._lock:
            if self._dynamic is None:
                self._dynamic = DynamicProvider(self.project_root, PROJECT, self.stack)
            return self._dynamic

    def close(self) -> None:
        if self._dynamic is not None:
            self._dynamic.close()

    def count(self, operation: str, urn: str) -> None:
        with self._lock:
            self.counts[operation] += 1
        if operation != "unchanged":
            self.log(f"harness: {operation} {urn}")

    def summary(self) -> str:
        return ", ".join(f"{self.counts[o]} {o}" for o in OPERATIONS)

    # -- one registered resource -----------------------------------------------------------
    def plan(self, old: Applied, reg: Registration, inputs: dict[str, Any]) -> Plan:
        if is_dynamic(reg.type):
            return self._dynamic_plan(old, reg, inputs)
        rules = TABLE[reg.type]
        prepared = kind_of(reg.type, reg.name).prepare(inputs)
        changed, replacing = rules.changed(reg.type, old.outputs, prepared)
        if not changed:
            return Plan(operation="same", changed=[])
        replace = bool(replacing) or kind_of(reg.type, reg.name).update is None
        return Plan(operation="replace" if replace else "update", changed=changed,
                    delete_before_replace=rules.delete_before_replace)

    def _dynamic_plan(self, old: Applied, reg: Registration, inputs: dict[str, Any]) -> Plan:
        d = self.dynamic
        urn = d.urn(reg.type, reg.name)
        answer = d.diff(urn, old.id, old.outputs, inputs, old.inputs)
        if answer.changes is None:
            # DIFF_UNKNOWN: the engine compares the old and new inputs itself.
            changed = sorted(k for k in set(inputs) | set(old.inputs)
                             if inputs.get(k) != old.inputs.get(k))
        else:
            changed = ["(provider)"] if answer.changes else []
        if not changed:
            return Plan(operation="same", changed=[])
        return Plan(operation="replace" if answer.replaces else "update", changed=changed,
                    delete_before_replace=answer.delete_before_replace)

    def checked(self, reg: Registration, old: Applied | None,
                inputs: dict[str, Any]) -> dict[str, Any]:
        """A dynamic resource's inputs after its provider's Check (failures refuse it)."""
        if not is_dynamic(reg.type):
            return inputs
        d = self.dynamic
        checked, failures = d.check(d.urn(reg.type, reg.name), old.inputs if old else {},
                                    inputs)
        if failures:
            raise RuntimeError("; ".join(reason for _, reason in failures))
        return checked

    def create(self, reg: Registration, inputs: dict[str, Any], provider: str
               ) -> tuple[str, dict[str, Any]]:
        if is_dynamic(reg.type):
            return self.dynamic.create(self.dynamic.urn(reg.type, reg.name), inputs)
        kind = kind_of(reg.type, reg.name)
        outputs = kind.create(self.appliers, Request(name=reg.name,
                                                     inputs=kind.prepare(inputs),
                                                     provider=provider))
        return kind.identity(reg.name, outputs), outputs

    def update(self, old: Applied, reg: Registration, inputs: dict[str, Any], provider: str
               ) -> dict[str, Any]:
        if is_dynamic(reg.type):
            return self.dynamic.update(self.dynamic.urn(reg.type, reg.name), old.id,
                                       old.outputs, inputs, old.inputs)
        kind = kind_of(reg.type, reg.name)
        assert kind.update is not None
        return kind.update(self.appliers, old.outputs, Request(
            name=reg.name, inputs=kind.prepare(inputs), provider=provider))

    def delete(self, a: Applied, *, replacing: bool = False) -> None:
        """One delete step: refused when protected, a forget when retained. Deleting the old
        half of a replacement is not counted as a delete."""
        if a.protect:
            raise ProtectedError(protected_message(a))
        if a.component:
            pass
        elif not a.retain:
            if is_dynamic(a.type):
                self.dynamic.delete(self.dynamic.urn(a.type, a.name), a.id, a.outputs,
                                    a.inputs)
            else:
                kind_of(a.type, a.name).delete(self.appliers, a.outputs, a.provider)
        if not replacing:
            self.count("deleted", a.urn)

    def load_providers(self) -> None:
        """Configure every provider in state: a delete needs its provider (`pulumi destroy`
        runs no program)."""
        for a in self.state.resources.values():
            if not is_dynamic(a.type) and not a.component:
                kind_of(a.type, a.name).load(self.appliers, a.id, a.outputs)

    def delete_all(self, doomed: list[Applied]) -> list[str]:
        """Delete in the engine's rounds (`delete_rounds`), each round's deletes in parallel
        on the step executor's workers; like the engine (deployment_executor.go), go on past a
        failed step but skip what the failed resource depends on. Returns the errors."""
        errors: list[str] = []
        blocked: set[str] = set()
        with ThreadPoolExecutor(max_workers=self.parallel,
                                thread_name_prefix="harness-delete") as workers:
            for round_ in delete_rounds(doomed):
                runnable = []
                for a in round_:
                    if a.urn in blocked:
                        errors.append(f"{a.urn}: not deleted: a resource that depends on it "
                                      "failed")
                        blocked.update(needs(a))
                    else:
                        runnable.append(a)
                failures = workers.map(self._delete_step, runnable)
                for a, failure in zip(runnable, failures, strict=True):
                    if failure is not None:
                        errors.append(f"{a.urn}: {failure}")
                        blocked.update(needs(a))
        return errors

    def _delete_step(self, a: Applied) -> Exception | None:
        try:
            self.delete(a)
        except Exception as exc:  # noqa: BLE001 - the caller reports it with the others
            return exc
        if self.state.get(a.urn) is a:
            self.state.forget(a.urn)
        return None


class HarnessMocks(pulumi_mocks.Mocks):
    """`up`: each registered custom resource is planned and applied as it arrives."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.monitor: RecordingMonitor | None = None
        self.registered: set[str] = set()
        self.replaced: list[Applied] = []
        self.errors: list[str] = []
        self._lock = threading.Lock()

    def call(self, args: pulumi_mocks.MockCallArgs) -> tuple[dict[str, Any], None]:
        raise UnknownResourceType(f"harness: function {args.token} is not supported")

    def new_resource(self, args: pulumi_mocks.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        assert self.monitor is not None
        reg = self.monitor.registration(args.typ, args.name)
        assert reg is not None, f"{args.typ} {args.name}: registered without the monitor"
        if not args.custom:
            self.component(reg, reveal(args.inputs))
            return f"{args.name}-component", dict(args.inputs)
        try:
            with self.engine.steps:
                return self._apply(reg, reveal(args.inputs), args.provider or "")
        except Exception as exc:
            with self._lock:
                self.errors.append(f"{reg.urn}: {exc}")
            self.engine.log(f"harness: FAILED {reg.urn}: {exc}")
            raise

    def component(self, reg: Registration, inputs: dict[str, Any]) -> None:
        """A component (or the stack): nothing to apply, but the engine's summary counts it as
        created, same or updated (its registered inputs changed), and deleted once the
        program no longer declares it."""
        e = self.engine
        with self._lock:
            self.registered.add(reg.urn)
        old = e.state.get(reg.urn)
        inputs = _jsonable(inputs)
        if old is None:
            e.count("created", reg.urn)
        else:
            e.count("unchanged" if old.inputs == inputs else "updated", reg.urn)
        e.state.put(Applied(urn=reg.urn, type=reg.type, name=reg.name, id="", inputs=inputs,
                            outputs={}, component=True))

    def _apply(self, reg: Registration, inputs: dict[str, Any], provider: str
               ) -> tuple[str, dict[str, Any]]:
        e = self.engine
        with self._lock:
            self.registered.add(reg.urn)
        old = e.state.get(reg.urn)
        inputs = e.checked(reg, old, inputs)
        if old is None:
            resource_id, outputs = e.create(reg, inputs, provider)
            e.count("created", reg.urn)
        else:
            plan = e.plan(old, reg, inputs)
            if plan.operation == "same":
                resource_id, outputs = old.id, old.outputs
                if not is_dynamic(reg.type):
                    kind_of(reg.type, reg.name).load(e.appliers, old.id, old.outputs)
                e.count("unchanged", reg.urn)
            elif plan.operation == "update":
                resource_id, outputs = old.id, e.update(old, reg, inputs, provider)
                e.count("updated", reg.urn)
            else:
                if old.protect or reg.protect:
                    raise ProtectedError(f"unable to replace resource {reg.urn!r} as it is "
                                         f"currently marked for protection ({plan.changed})")
                if plan.delete_before_replace:
                    e.delete(old, replacing=True)
                else:
                    with self._lock:
                        self.replaced.append(old)
                resource_id, outputs = e.create(reg, inputs, provider)
                e.count("replaced", reg.urn)
        e.state.put(Applied(urn=reg.urn, type=reg.type, name=reg.name, id=resource_id,
                            inputs=_jsonable(inputs), outputs=_jsonable(outputs),
                            provider=provider, dependencies=list(reg.dependencies),
                            protect=reg.protect, retain=reg.retain_on_delete))
        return resource_id, outputs

    def finish(self) -> list[str]:
        """After the program: delete what it no longer declares, and the replaced resources
        (create-before-delete), dependents first."""
        e = self.engine
        gone = [a for urn, a in list(e.state.resources.items()) if urn not in self.registered]
        errors = e.delete_all(gone)
        for old in self.replaced:
            try:
                e.delete(old, replacing=True)
            except Exception as exc:  # noqa: BLE001 - reported with the others
                errors.append(f"{old.urn} (replaced): {exc}")
        return errors


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
