"""`scripts/verify STACK` or `scripts/verify --outputs FILE`: the post-deploy suite (pytest +
pytest-testinfra over `suite/`, with the plugin of this package) with JUnit XML and a Markdown
summary. Arguments after `--` go to pytest (e.g. `-- -k probes`), and so do options it does not
know (`-kprobes`); without `--`, a pytest option's separate value would be taken for STACK.

Exit status: 0 every check holds; 1 a check failed (the summary lists each finding); 2 bad
arguments, or the stack or its outputs cannot be read (nothing was run); 3 the run broke
(pytest's internal error); 4 pytest refused its arguments. Only a run that finished prints a
summary, and the summary names its run: a previous run's report is removed first.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from pgplatform import paths
from pgplatform_ops import stack
from pgplatform_ops.verify import plugin

INI = Path(__file__).resolve().parent / "pytest.ini"
FINISHED = (0, 1)
"""pytest's exit codes of a run that checked everything (passed, or some check failed)."""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="scripts/verify", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("stack", nargs="?", help="read outputs with `pulumi stack output`")
    parser.add_argument("--outputs", type=Path, help="stack outputs JSON (e.g. the harness's)")
    parser.add_argument("--stack-file", type=Path,
                        help="the stack's YAML (default Pulumi.<stack>.yaml of the project)")
    parser.add_argument("--junit", type=Path, help="JUnit XML (default reports/verify.xml)")
    parser.add_argument("--markdown", type=Path, help="summary (default reports/verify.md)")
    given = list(sys.argv[1:] if argv is None else argv)
    own, after = (given[:given.index("--")], given[given.index("--") + 1:]) if "--" in given \
        else (given, [])
    args, pytest_args = parser.parse_known_args(own)
    pytest_args += after
    if args.stack is None and args.outputs is None:
        parser.error("give a STACK or --outputs FILE")
    junit = (args.junit or paths.PROJECT_ROOT / "reports" / "verify.xml").resolve()
    markdown = (args.markdown or paths.PROJECT_ROOT / "reports" / "verify.md").resolve()
    with tempfile.TemporaryDirectory(prefix="pgplatform-verify-") as scratch:
        try:
            outputs_file = _outputs(args, Path(scratch))
        except stack.StackError as exc:
            print(f"verify: {exc}", file=sys.stderr)
            return 2
        for old in (junit, markdown):
            old.unlink(missing_ok=True)  # a previous run's result must not stand for this one
        run = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        cmd = [sys.executable, "-m", "pytest", "-c", str(INI), "-p", plugin.__name__,
               str(plugin.SUITE), "-q", "--no-header", "-rN", "--tb=line",
               f"--junitxml={junit}", f"--markdown={markdown}", "-o", "junit_family=xunit2",
               f"--outputs={outputs_file}", f"--run={run}"]
        if args.stack:
            cmd.append(f"--stack={args.stack}")
        if args.stack_file:
            cmd.append(f"--stack-file={args.stack_file.resolve()}")
        code = subprocess.call([*cmd, *pytest_args], cwd=paths.PROJECT_ROOT)
    if code in FINISHED and markdown.is_file() and f"run {run}" in markdown.read_text():
        print(markdown.read_text())
        print(f"verify: JUnit XML {junit}, summary {markdown}")
        return code
    print(f"verify: the run did not finish (pytest exit status {code}): no result. The lines "
          "above say why.", file=sys.stderr)
    return code if code not in FINISHED else 3


def _outputs(args: argparse.Namespace, scratch: Path) -> Path:
    """The outputs as a file, read and checked once before anything runs: `pulumi stack
    output` of STACK (secrets: kept in a private scratch file for the run), else --outputs."""
    outputs_file: Path
    if args.outputs is not None:
        outputs_file = Path(args.outputs).resolve()
    else:
        outputs_file = scratch / "outputs.json"
        fd = os.open(outputs_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            json.dump(stack.pulumi_outputs(args.stack), f)
    deployed = stack.load(outputs_file=outputs_file, stack=args.stack,
                          stack_file=args.stack_file.resolve() if args.stack_file else None)
    stack.reachable(deployed)
    return outputs_file
