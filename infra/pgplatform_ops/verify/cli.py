"""`scripts/verify STACK` or `scripts/verify --outputs FILE`: the post-deploy suite (pytest +
pytest-testinfra over `suite/`, with the plugin of this package) with JUnit XML and a Markdown
summary. Arguments after `--` go to pytest (e.g. `-- -k probes`), and so do options it does not
know (`-kprobes`); without `--`, a pytest option's separate value would be taken for STACK."""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

from pgplatform import paths
from pgplatform_ops.verify import plugin

INI = Path(__file__).resolve().parent / "pytest.ini"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="scripts/verify", description=__doc__)
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
    junit = args.junit or paths.PROJECT_ROOT / "reports" / "verify.xml"
    markdown = args.markdown or paths.PROJECT_ROOT / "reports" / "verify.md"
    cmd = [sys.executable, "-m", "pytest", "-c", str(INI), "-p", plugin.__name__,
           str(plugin.SUITE), "-q", "--no-header", "-rN", "--tb=line",
           f"--junitxml={junit}", f"--markdown={markdown}", "-o", "junit_family=xunit2"]
    if args.outputs:
        cmd.append(f"--outputs={args.outputs.resolve()}")
    if args.stack:
        cmd.append(f"--stack={args.stack}")
    if args.stack_file:
        cmd.append(f"--stack-file={args.stack_file.resolve()}")
    code = subprocess.call([*cmd, *pytest_args], cwd=paths.PROJECT_ROOT)
    if markdown.is_file():
        print(markdown.read_text())
    print(f"verify: JUnit XML {junit}, summary {markdown}")
    return code
