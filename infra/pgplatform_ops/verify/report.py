"""The Markdown summary of a verification run, for a pull-request comment or a job summary."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pgplatform_ops.verify.findings import Finding


@dataclass(frozen=True, kw_only=True)
class CheckResult:
    check: str
    """The pytest node id, without the file part."""
    passed: bool
    findings: tuple[Finding, ...]
    error: str
    """The failure's last line when it failed without findings (e.g. an exception)."""


def markdown(stack: str, results: Sequence[CheckResult], *, services: int, databases: int,
             probes: int, seconds: float) -> str:
    failed = [r for r in results if not r.passed]
    passed = len(results) - len(failed)
    verdict = "✅ all checks hold" if not failed else f"❌ {len(failed)} checks failed"
    lines = [
        f"## pgplatform verification — stack `{stack}`",
        "",
        f"{verdict} — {passed} passed, {len(failed)} failed, {services} services, "
        f"{databases} databases, {probes} isolation probes, {seconds:.1f} s",
        "",
    ]
    if failed:
        lines += ["| check | kind | object | role | expected | found |",
                  "| --- | --- | --- | --- | --- | --- |"]
        for r in failed:
            if not r.findings:
                lines.append(f"| `{r.check}` | error | {r.error} | | | |")
            for f in r.findings:
                lines.append(f"| `{r.check}` | {f.kind} | {f.object} | {f.role} | "
                             f"{f.expected} | {f.actual} |".replace("\n", " "))
    return "\n".join(lines) + "\n"
