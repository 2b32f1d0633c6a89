"""What the toolchain must match: the Python SDKs `uv.lock` pins (a plugin's version must equal
its SDK's, or the engine looks for another one) and the engine the Go modules build."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from pgplatform import paths

TOOLCHAIN_DIR = paths.PROJECT_ROOT / "toolchain"
ENGINE_DIR = TOOLCHAIN_DIR / "engine"
PROVIDERS_DIR = TOOLCHAIN_DIR / "providers"
LOCK_FILE = paths.PROJECT_ROOT / "uv.lock"
ENGINE_SDK_MODULE = "github.com/pulumi/pulumi/sdk/v3"
PLUGIN_PACKAGES = {"docker": "pulumi-docker", "postgresql": "pulumi-postgresql",
                   "random": "pulumi-random", "tls": "pulumi-tls"}
"""The resource plugins the program loads, by the PyPI package of their SDK."""


class ToolchainError(RuntimeError):
    """An expected failure, told in one sentence that names the fix."""


@dataclass(frozen=True, kw_only=True)
class Versions:
    sdk: str
    """The `pulumi` Python SDK (what the official installer fetches the CLI at)."""
    engine: str
    """The CLI and language host built from Go modules (`toolchain/engine/go.mod`), e.g.
    `v3.188.0`."""
    plugins: dict[str, str]
    """Plugin name -> version, each equal to its SDK's in `uv.lock`."""


def locked(lock_file: Path = LOCK_FILE) -> dict[str, str]:
    """Package name -> version, as `uv.lock` pins them."""
    try:
        doc = tomllib.loads(lock_file.read_text())
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ToolchainError(f"toolchain: cannot read {lock_file} ({exc}). "
                             "Fix: restore it from git (`git checkout uv.lock`)") from exc
    return {str(p["name"]): str(p["version"]) for p in doc.get("package", [])
            if "name" in p and "version" in p}


def engine_version(go_mod: Path = ENGINE_DIR / "go.mod") -> str:
    found = re.search(rf"^\s*{re.escape(ENGINE_SDK_MODULE)} (v\S+)", go_mod.read_text(),
                      re.MULTILINE)
    if found is None:
        raise ToolchainError(f"toolchain: {go_mod} does not require {ENGINE_SDK_MODULE}. "
                             "Fix: restore it from git")
    return found[1]


def current(lock_file: Path = LOCK_FILE) -> Versions:
    pins = locked(lock_file)
    missing = sorted(p for p in ("pulumi", *PLUGIN_PACKAGES.values()) if p not in pins)
    if missing:
        raise ToolchainError(f"toolchain: {lock_file} pins no {', '.join(missing)}. "
                             "Fix: `uv lock` with the project's dependencies")
    return Versions(sdk=pins["pulumi"], engine=engine_version(),
                    plugins={name: pins[package] for name, package in PLUGIN_PACKAGES.items()})
