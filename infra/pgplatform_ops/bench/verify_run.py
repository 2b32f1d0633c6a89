"""Verification timed as the operator runs it after a deploy: `scripts/verify --outputs OUT` as
a separate command (interpreter start, plugin, catalog, probes, planner checks, report), its
wall time and the summary line it writes. A failed verification is a BenchError."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pgplatform_ops.bench.stack import BenchError, run_script


@dataclass(frozen=True)
class VerifyResult:
    stack: str
    seconds: float
    summary: str
    """e.g. `111 passed, 0 failed, 0 skipped, 19 services, ... 977 isolation probes`"""

    def figures(self) -> dict[str, float]:
        return {"verify.dev_seconds": round(self.seconds, 2)}


def timed(stack: str, outputs: Path, work: Path, stack_file: Path | None = None
          ) -> VerifyResult:
    markdown = work / f"verify-{stack}.md"
    args = ["--outputs", str(outputs), "--junit", str(work / f"verify-{stack}.xml"),
            "--markdown", str(markdown)]
    if stack_file is not None:
        args += ["--stack-file", str(stack_file)]
    try:
        seconds = run_script("verify", *args)
    except BenchError as exc:
        raise BenchError(f"the verification of {stack} failed:\n{exc}") from None
    verdict = next((line for line in markdown.read_text().splitlines()
                    if " passed, " in line), "")
    # "✅ all checks hold — 111 passed, ..., 977 isolation probes, 25.8 s": counts only.
    summary = verdict.split(" — ", 1)[-1].rsplit(", ", 1)[0]
    return VerifyResult(stack=stack, seconds=seconds, summary=summary)
