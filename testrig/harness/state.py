"""What the harness applied for a stack, in apply order: its stand-in for Pulumi's state.

Kept in `.harness/<stack>.json` (mode 0600: it holds generated passwords), so a second `up`
changes nothing and `down` knows what to remove and what to keep. Written once per run (and on
failure): rewriting it per resource made a 100-service `up` quadratic.
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
    outputs: dict[str, Any]
    provider: str = ""
    """The explicit provider it was applied through (`<urn>::<id>`), for its delete."""
    retain: bool = False
    order: int = 0


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
            previous = self.resources.get(applied.urn)
            if previous is not None:
                applied.order = previous.order
            else:
                self._counter += 1
                applied.order = self._counter
            self.resources[applied.urn] = applied

    def forget(self, urn: str) -> None:
        with self._lock:
            self.resources.pop(urn, None)

    def save(self) -> None:
        with self._lock:
            self._save()

    def in_reverse_order(self) -> list[Applied]:
        return sorted(self.resources.values(), key=lambda a: a.order, reverse=True)

    def _save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            json.dump({"resources": [asdict(a) for a in sorted(
                self.resources.values(), key=lambda a: a.order)]}, f, indent=1, default=str)
        tmp.replace(self.path)
