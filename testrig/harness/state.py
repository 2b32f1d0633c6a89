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


def needs(a: Applied) -> set[str]:
    """What must outlive `a`: its dependencies and its provider."""
    return set(a.dependencies) | ({a.provider.rsplit("::", 1)[0]} if a.provider else set())


def delete_rounds(doomed: list[Applied]) -> list[list[Applied]]:
    """The engine's schedule of deletes (pkg/resource/deploy/step_generator.go
    `ScheduleDeletes`): rounds whose deletes run in parallel, each round only once the one
    before it is done, and every resource in a round after each one that depends on it (a
    resource depends on its dependencies and its provider). Built as upstream builds it: take
    every doomed resource that needs no other doomed one, again and again, then reverse."""
    by_urn = {a.urn: a for a in doomed}
    needed = {a.urn: needs(a) & by_urn.keys() for a in doomed}
    rounds: list[list[Applied]] = []
    condemned = dict(by_urn)
    while condemned:
        free = [a for a in condemned.values()
                if not any(u in condemned for u in needed[a.urn])]
        if not free:
            raise RuntimeError("harness: the dependencies of the resources to delete form a "
                               "cycle")
        for a in free:
            del condemned[a.urn]
        # Within a round the order is free; the newest first keeps logs close to `up`'s.
        rounds.append(sorted(free, key=lambda a: -a.order))
    rounds.reverse()
    return rounds
