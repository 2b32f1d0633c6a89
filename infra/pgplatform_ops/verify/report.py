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
    skipped: str = ""
    """Why it did not run (a check that does not apply to this stack), "" if it ran."""


def markdown(stack: str, results: Sequence[CheckResult], *, run: str = "", services: int,
             databases: int, probes: int, seconds: float, notes: Sequence[str] = (),
             live_plans: Sequence[str] = ()) -> str:
    skipped = [r for r in results if r.skipped]
    failed = [r for r in results if not r.passed and not r.skipped]
    passed = len(results) - len(failed) - len(skipped)
    verdict = "✅ all checks hold" if not failed else f"❌ {len(failed)} checks failed"
    lines = [
        f"## pgplatform verification — stack `{stack}`" + (f", run {run}" if run else ""),
        "",
        f"{verdict} — {passed} passed, {len(failed)} failed, {len(skipped)} skipped, "
        f"{services} services, {databases} databases, {probes} isolation probes, "
        f"{seconds:.1f} s",
        "",
    ]
    lines += [*(f"- {n}" for n in notes), *([""] if notes else [])]
    if failed:
        lines += ["| check | kind | object | role | expected | found |",
                  "| --- | --- | --- | --- | --- | --- |"]
        for r in failed:
            if not r.findings:
                lines.append(f"| `{r.check}` | error | {r.error} | | | |")
            for f in r.findings:
                lines.append(f"| `{r.check}` | {f.kind} | {f.object} | {f.role} | "
                             f"{f.expected} | {f.actual} |".replace("\n", " "))
        lines.append("")
    if skipped:
        lines += ["| skipped check | why |", "| --- | --- |"]
        # One line per reason and check function, not per parameter.
        seen: dict[tuple[str, str], None] = {}
        for r in skipped:
            seen.setdefault((r.check.split("[", 1)[0], r.skipped), None)
        lines += [f"| `{check}` | {why} |" for check, why in seen]
    if live_plans:
        # Not checks: a small live table rightly prefers a sequential scan.
        lines += ["", "<details><summary>Live plans now (information; the planner checks "
                      "ran on copies with each module's fixture)</summary>", "",
                  *(f"- {p}" for p in live_plans), "", "</details>"]
    return "\n".join(lines) + "\n"
