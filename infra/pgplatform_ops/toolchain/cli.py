"""`scripts/toolchain`: provide the Pulumi toolchain and say which one runs.

    scripts/toolchain                 provide it (may download or build), then describe it
    scripts/toolchain --shell         ... and print `export` lines for `eval`
    scripts/toolchain --shell --existing
                                      the exports of a toolchain already here, else nothing
                                      (never downloads or builds: what every script sources)
    scripts/toolchain --no-download   skip the official installer, build from Go modules

Exit 0 with the toolchain ready; 1 with one sentence naming the fix.
"""

from __future__ import annotations

import argparse
import shlex
import sys

from pgplatform_ops.toolchain.provide import Toolchain, existing, provide
from pgplatform_ops.toolchain.versions import ToolchainError


def _stderr(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def exports(toolchain: Toolchain) -> str:
    return "".join(f"export {k}={shlex.quote(v)}\n" for k, v in sorted(toolchain.env().items()))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="scripts/toolchain", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shell", action="store_true", help="print export lines for eval")
    parser.add_argument("--existing", action="store_true",
                        help="only a toolchain already here: never download or build")
    parser.add_argument("--no-download", action="store_true",
                        help="do not try the official installer")
    args = parser.parse_args(argv)
    try:
        toolchain = (existing() if args.existing
                     else provide(_stderr, download=not args.no_download))
    except ToolchainError as exc:
        _stderr(str(exc))
        return 1
    if toolchain is None:
        return 0
    if args.shell:
        sys.stdout.write(exports(toolchain))
    else:
        print(f"pulumi: {toolchain.describe()}")
    return 0
