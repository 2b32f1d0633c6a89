"""A finding: what is wrong, on which object, for which role, expected vs actual."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

WORKS = "works"
"""A probe's outcome (expected or found) when the server ran the statement."""


@dataclass(frozen=True, kw_only=True, order=True)
class Finding:
    kind: str
    object: str
    role: str
    expected: str
    actual: str

    def __str__(self) -> str:
        who = f" role={self.role}" if self.role else ""
        return (f"{self.kind}: {self.object}{who}: expected {self.expected}, "
                f"found {self.actual}")


def privs(p: Iterable[str]) -> str:
    items = sorted(p)
    return "{" + ", ".join(items) + "}" if items else "nothing"


def report(findings: Iterable[Finding]) -> str:
    return "\n".join(str(f) for f in sorted(findings))
