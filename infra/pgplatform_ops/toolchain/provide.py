"""Which toolchain runs `pulumi`, in the order a user would want it: a `pulumi` on PATH; the one
the official installer put in `.tools/pulumi`; a finished build in the cache; the official
installer's download; a build from Go modules. Nothing is downloaded or built when an earlier
one is there."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from pgplatform import paths
from pgplatform.progress import Log
from pgplatform_ops.toolchain import build, official
from pgplatform_ops.toolchain.versions import ToolchainError, Versions, current

INSTALL_ROOT = paths.PROJECT_ROOT / ".tools" / "pulumi"
UV_PATH = paths.PROJECT_ROOT / ".tools" / "path"
"""uv and uvx alone (`scripts/_venv.sh` links them there when uv is not on PATH): the language
host runs them, and `.tools/bin` also holds a python3 without the project's packages."""
Origin = Literal["path", "installer", "built"]
# The engine must neither look for a newer CLI nor download a plugin: every plugin it may load
# is installed at its SDK's version.
BUILT_ENV = {"PULUMI_SKIP_UPDATE_CHECK": "true",
             "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true"}


@dataclass(frozen=True, kw_only=True)
class Toolchain:
    origin: Origin
    bin_dir: Path | None
    """Put first on PATH (None: `pulumi` is on PATH already)."""
    home: Path | None = None
    """PULUMI_HOME holding the built plugins (None: the user's own)."""
    extra_env: dict[str, str] = field(default_factory=dict)

    def env(self) -> dict[str, str]:
        """The variables to set for every `pulumi` command (and its language host, which runs
        `uv` from the project's tools folder when uv is not on PATH)."""
        out = dict(self.extra_env)
        path = [str(d) for d in (self.bin_dir, UV_PATH) if d is not None and d.is_dir()]
        out["PATH"] = os.pathsep.join([*path, os.environ.get("PATH", "")])
        if self.home is not None:
            out["PULUMI_HOME"] = str(self.home)
        return out

    def describe(self) -> str:
        where = {"path": "the pulumi CLI on PATH",
                 "installer": f"the official pulumi CLI in {self.bin_dir}",
                 "built": f"the toolchain built from Go modules in {self.bin_dir}"}
        return where[self.origin]


def _built(directory: Path) -> Toolchain:
    return Toolchain(origin="built", bin_dir=directory / "bin", home=directory / "home",
                     extra_env=dict(BUILT_ENV))


def existing(versions: Versions | None = None) -> Toolchain | None:
    """A toolchain already here, or None; never downloads or builds. A `pulumi` on PATH that
    is one of ours (a script put it there) is told apart from the user's own."""
    directory = build.built_dir(versions or current())
    installed = Toolchain(origin="installer", bin_dir=INSTALL_ROOT / "bin")
    ours = {(INSTALL_ROOT / "bin").resolve(): installed,
            (directory / "bin").resolve(): _built(directory)}
    found = shutil.which("pulumi")
    if found is not None:
        return ours.get(Path(found).resolve().parent, Toolchain(origin="path", bin_dir=None))
    if (INSTALL_ROOT / "bin" / "pulumi").is_file():
        return installed
    return _built(directory) if build.is_built(directory) else None


def provide(log: Log, *, download: bool = True) -> Toolchain:
    versions = current()
    found = existing(versions)
    if found is not None:
        return found
    reason = "downloads not tried"
    if download:
        log(f"[toolchain] no pulumi CLI: trying the official installer ({versions.sdk}) into "
            f"{INSTALL_ROOT}")
        try:
            return Toolchain(origin="installer",
                             bin_dir=official.install(INSTALL_ROOT, versions.sdk))
        except Exception as exc:  # noqa: BLE001 - any failure falls through to the build
            reason = official.failure_reason(exc)
            log(f"[toolchain] the installer could not download pulumi {versions.sdk} "
                f"({reason}): building it from Go modules instead")
    if shutil.which("go") is None:
        raise ToolchainError(
            f"toolchain: the pulumi CLI is not installed, its installer could not download "
            f"version {versions.sdk} ({reason}), and there is no Go toolchain to build it "
            "from Go modules. Fix: install Pulumi (https://www.pulumi.com/docs/install/) or Go "
            "1.24+ (https://go.dev/doc/install) and re-run")
    return _built(build.build(versions, log))
