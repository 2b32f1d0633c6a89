"""What the harness applied for a stack: its stand-in for Pulumi's state.

Kept in `.harness/<stack>.json` (mode 0600: it holds generated passwords). For each custom
resource: its inputs (for the next diff), outputs (what dependents see and the provider
stored), provider, dependencies and the options that govern its delete (protect,
retainOnDelete). Written once per run (and on failure): rewriting it per resource made a
100-service `up` quadratic.
"""

from __future__ import annotations

import json
import os
import threading
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any


@dataclass(kw_only=True)
class Applied:
    urn: str
    type: str
    name: str
    id: str
    inputs: dict[str, Any]
    outputs: dict[str, Any]
    provider: str = ""
    """The explicit provider it was applied through (`<urn>::<id>`), for its delete."""
    dependencies: list[str] = field(default_factory=list)
    protect: bool = False
    retain: bool = False
    order: int = 0
    component: bool = False
    """A component resource or the stack: nothing to apply, but the engine counts it (created,
    same, deleted) in the summary it prints."""


@dataclass(kw_only=True)
class HarnessState:
    path: Path
    resources: dict[str, Applied] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _counter: int = 0

    @classmethod
    def load(cls, path: Path) -> HarnessState:
        state = cls(path=path)
        if path.is_file():
            for raw in json.loads(path.read_text())["resources"]:
                state.resources[raw["urn"]] = Applied(**raw)
            state._counter = max((a.order for a in state.resources.values()), default=0)
        return state

    def get(self, urn: str) -> Applied | None:
        with self._lock:
            return self.resources.get(urn)

    def put(self, applied: Applied) -> None:
        with self._lock:
            self._counter += 1
            applied.order = self._counter
            self.resources[applied.urn] = applied

    def forget(self, urn: str) -> None:
        with self._lock:
            self.resources.pop(urn, None)

    def save(self) -> None:
        with self._lock:
            if not self.resources:
                self.path.unlink(missing_ok=True)
                return
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_suffix(".tmp")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as f:
                json.dump({"resources": [asdict(a) for a in sorted(
                    self.resources.values(), key=lambda a: a.order)]}, f, indent=1, default=str)
            tmp.replace(self.path)


def delete_order(doomed: list[Applied]) -> list[Applied]:
    """Dependents before what they depend on (a resource depends on its dependencies and its
    provider), as the engine's delete steps run (pkg/resource/deploy/step_generator.go)."""
    by_urn = {a.urn: a for a in doomed}

    def needs(a: Applied) -> set[str]:
        deps = set(a.dependencies)
        if a.provider:
            deps.add(a.provider.rsplit("::", 1)[0])
        return deps & set(by_urn)

    # Kahn's algorithm on the reversed graph: delete what nothing left depends on.
    dependents: dict[str, set[str]] = {u: set() for u in by_urn}
    for a in doomed:
        for d in needs(a):
            dependents[d].add(a.urn)
    ordered: list[Applied] = []
    ready = sorted((u for u, ds in dependents.items() if not ds),
                   key=lambda u: -by_urn[u].order)
    remaining = {u: set(ds) for u, ds in dependents.items()}
    while ready:
        urn = ready.pop(0)
        ordered.append(by_urn[urn])
        for d in needs(by_urn[urn]):
            remaining[d].discard(urn)
            if not remaining[d]:
                ready.append(d)
                ready.sort(key=lambda u: -by_urn[u].order)
        remaining.pop(urn, None)
    if len(ordered) != len(doomed):
        raise RuntimeError("harness: the dependencies of the resources to delete form a cycle")
    return ordered
