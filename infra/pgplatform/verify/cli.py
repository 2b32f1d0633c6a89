"""`scripts/verify STACK` or `scripts/verify --outputs FILE`: the post-deploy suite (pytest +
pytest-testinfra over tests/postdeploy) with JUnit XML and a Markdown summary."""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

from pgplatform.verify.deployment import PROJECT_ROOT


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="scripts/verify", description=__doc__)
    parser.add_argument("stack", nargs="?", help="read outputs with `pulumi stack output`")
    parser.add_argument("--outputs", type=Path, help="stack outputs JSON (e.g. the harness's)")
    parser.add_argument("--stack-file", type=Path, help="model from this YAML instead")
    parser.add_argument("--junit", type=Path, help="JUnit XML (default reports/verify.xml)")
    parser.add_argument("--markdown", type=Path, help="summary (default reports/verify.md)")
    args, pytest_args = parser.parse_known_args(argv)
    if args.stack is None and args.outputs is None:
        parser.error("give a STACK or --outputs FILE")
    junit = args.junit or PROJECT_ROOT / "reports" / "verify.xml"
    markdown = args.markdown or PROJECT_ROOT / "reports" / "verify.md"
    cmd = [sys.executable, "-m", "pytest", str(PROJECT_ROOT / "tests" / "postdeploy"),
           "-p", "no:cacheprovider", "-q", "--no-header", "-rN", "--tb=line",
           f"--junitxml={junit}", f"--markdown={markdown}", "-o", "junit_family=xunit2"]
    if args.outputs:
        cmd.append(f"--outputs={args.outputs}")
    if args.stack:
        cmd.append(f"--stack={args.stack}")
    if args.stack_file:
        cmd.append(f"--stack-file={args.stack_file}")
    code = subprocess.call([*cmd, *pytest_args], cwd=PROJECT_ROOT)
    if markdown.is_file():
        print(markdown.read_text())
    print(f"verify: JUnit XML {junit}, summary {markdown}")
    return code
