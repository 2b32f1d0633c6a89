"""`scripts/up`'s installer for the Pulumi CLI: the SDK's own (`PulumiCommand.install`, which
runs get.pulumi.com's install script), pinned to the version of the installed `pulumi` SDK,
into the project's tools folder. Prints the `bin` folder to put on PATH; when the download
cannot happen, one sentence on stderr and exit 1.

    python -m pgplatform_ops.pulumi_cli ROOT
"""

from __future__ import annotations

import socket
import sys
from importlib import metadata
from pathlib import Path

DOWNLOAD_TIMEOUT_S = 60.0


def install(root: Path) -> Path:
    from pulumi.automation import PulumiCommand
    from semver import VersionInfo

    version = VersionInfo.parse(metadata.version("pulumi"))
    # The installer downloads with urllib and no timeout: without one, a network that drops
    # packets instead of refusing them would hang `scripts/up`.
    socket.setdefaulttimeout(DOWNLOAD_TIMEOUT_S)
    PulumiCommand.install(root=str(root), version=version)
    return root / "bin"


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    root = Path(args[0]) if args else Path(".tools/pulumi")
    version = metadata.version("pulumi")
    try:
        print(install(root))
    except Exception as exc:  # noqa: BLE001 - any failure gets the same one sentence
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        print(f"scripts/up: the pulumi CLI is not installed and its installer could not "
              f"download version {version} into {root} ({reason[:200]}); install it with "
              "'curl -fsSL https://get.pulumi.com | sh' (https://www.pulumi.com/docs/install/) "
              "and re-run.", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
