"""The official installer (`PulumiCommand.install`, get.pulumi.com's script) at the SDK's
version, into the project's tools folder: what a machine with downloads gets. The engine then
downloads the provider plugins itself."""

from __future__ import annotations

import socket
from pathlib import Path

DOWNLOAD_TIMEOUT_S = 60.0


def install(root: Path, version: str) -> Path:
    """The `bin` folder holding `pulumi`; raises whatever the download raised."""
    from pulumi.automation import PulumiCommand
    from semver import VersionInfo

    # The installer downloads with urllib and no timeout: without one, a network that drops
    # packets instead of refusing them would hang.
    socket.setdefaulttimeout(DOWNLOAD_TIMEOUT_S)
    PulumiCommand.install(root=str(root), version=VersionInfo.parse(version))
    return root / "bin"


def failure_reason(exc: BaseException) -> str:
    text = str(exc).strip()
    return (text.splitlines()[0] if text else type(exc).__name__)[:200]
