"""The toolchain compiled from Go modules: the CLI and the Python language host
(`toolchain/engine`), and the four resource plugins (`toolchain/providers`: Pulumi's bridge
around the upstream Terraform providers). Built into a cache directory named after a digest of
every source file and version that goes in, so a second run, and CI on the same machine, reuse
it; a half-built directory is never taken for a finished one."""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import platform
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from pgplatform.progress import Log
from pgplatform_ops.toolchain.versions import (
    ENGINE_DIR,
    ENGINE_SDK_MODULE,
    PROVIDERS_DIR,
    TOOLCHAIN_DIR,
    ToolchainError,
    Versions,
)

CACHE_ENV = "PGPLATFORM_TOOLCHAIN_CACHE"
MANIFEST = "manifest.json"
CLI_PACKAGE = "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"
LANGUAGE_HOST_PACKAGE = "github.com/pulumi/pulumi/sdk/python/cmd/pulumi-language-python/v3"
VERSION_SYMBOL = "github.com/pulumi/pulumi/sdk/v3/go/common/version.Version"
PROVIDERS_MODULE = "pgplatform.local/providers"
# Files of the SDK module the language host runs beside itself: the program's launcher, and the
# dynamic-provider and policy-pack launchers (shell scripts; module zips drop their run bit).
SDK_SCRIPTS = ("python/cmd/pulumi-language-python-exec", "python/dist")
GENERATED = ("schema.json", "schema-embed.json", "bridge-metadata.json")
GO_TAIL_LINES = 40
GO_SOURCES = ("*.go", "go.mod", "go.sum")
# As pulumi-docker releases its plugin: without the compose half of the upstream provider.
PROVIDER_TAGS = "no_compose"


def cache_root() -> Path:
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV])
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "pgplatform" / "toolchain"


def source_files() -> list[Path]:
    """Every file that decides what is built (generated schemas are not sources)."""
    return sorted(p for pattern in GO_SOURCES for p in TOOLCHAIN_DIR.rglob(pattern)
                  if p.is_file() and p.name not in GENERATED)


def cache_key(versions: Versions) -> str:
    digest = hashlib.sha256()
    digest.update(json.dumps({"engine": versions.engine, "plugins": versions.plugins,
                              "platform": [platform.system(), platform.machine()]},
                             sort_keys=True).encode())
    for path in source_files():
        digest.update(str(path.relative_to(TOOLCHAIN_DIR)).encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def built_dir(versions: Versions, root: Path | None = None) -> Path:
    return (root or cache_root()) / cache_key(versions)


def is_built(directory: Path) -> bool:
    return (directory / MANIFEST).is_file()


@contextmanager
def _locked(root: Path) -> Iterator[None]:
    """One build at a time per cache: a second caller waits, then finds it built."""
    root.mkdir(parents=True, exist_ok=True)
    with open(root / ".lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _go_env() -> dict[str, str]:
    # readonly: go.mod/go.sum are committed and must already say everything; local: never
    # fetch another Go release; static binaries, as upstream releases them.
    return {**os.environ, "GOFLAGS": "-mod=readonly", "GOTOOLCHAIN": "local",
            "CGO_ENABLED": "0"}


def _run(what: str, args: list[str], cwd: Path, log_file: Path,
         env: dict[str, str] | None = None) -> None:
    with open(log_file, "a") as out:
        out.write(f"$ (cd {cwd} && {' '.join(args)})\n")
        out.flush()
        proc = subprocess.run(args, cwd=cwd, env=env or _go_env(), stdout=out,
                              stderr=subprocess.STDOUT, check=False)
    if proc.returncode != 0:
        tail = "\n".join(log_file.read_text().splitlines()[-GO_TAIL_LINES:])
        raise ToolchainError(f"toolchain: {what} failed (exit {proc.returncode}); the last "
                             f"lines of {log_file}:\n{tail}\nFix: read the log; a 403 from the "
                             "module proxy means a pinned module version is not served here")


def _go_build(what: str, cwd: Path, out: Path, packages: list[str], ldflags: str,
              log_file: Path, tags: str = "") -> None:
    _run(what, ["go", "build", "-trimpath", *(["-tags", tags] if tags else []), "-ldflags",
                f"-s -w {ldflags}", "-o", str(out), *packages], cwd, log_file)


def _module_dir(module: str, version: str, cwd: Path, log_file: Path) -> Path:
    proc = subprocess.run(["go", "mod", "download", "-json", f"{module}@{version}"], cwd=cwd,
                          env=_go_env(), capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        log_file.write_text(log_file.read_text() + proc.stdout + proc.stderr)
        raise ToolchainError(f"toolchain: downloading {module}@{version} failed: "
                             f"{(proc.stdout + proc.stderr).strip()[-400:]}. Fix: check that the "
                             "Go module proxy is reachable (`go env GOPROXY`)")
    return Path(json.loads(proc.stdout)["Dir"])


@contextmanager
def timed(log: Log, label: str, index: int, total: int) -> Iterator[None]:
    log(f"[toolchain] {index}/{total} {label}")
    started = time.monotonic()
    yield
    log(f"[toolchain] {index}/{total} {label}: done in {time.monotonic() - started:.0f} s")



def _engine(versions: Versions, bin_dir: Path, logs: Path, log: Log, total: int) -> None:
    with timed(log, f"pulumi CLI and Python language host {versions.engine} (go build)", 1,
               total):
        _go_build("building the pulumi CLI and language host", ENGINE_DIR, bin_dir,
                  [CLI_PACKAGE, LANGUAGE_HOST_PACKAGE],
                  f"-X {VERSION_SYMBOL}={versions.engine}", logs / "engine.log")
        sdk = _module_dir(ENGINE_SDK_MODULE, versions.engine, ENGINE_DIR, logs / "engine.log")
        for relative in SDK_SCRIPTS:
            source = sdk / relative
            for script in sorted(source.iterdir()) if source.is_dir() else [source]:
                target = bin_dir / script.name
                shutil.copyfile(script, target)
                target.chmod(0o755)


def _stamp(schema: Path, version: str, out: Path) -> None:
    """What upstream's `go generate` does to the committed schema: the release's version in."""
    spec = json.loads(schema.read_text())
    spec["version"] = version
    out.write_text(json.dumps(spec, separators=(",", ":")))


def _providers(versions: Versions, work: Path, plugins_dir: Path, logs: Path, log: Log,
               total: int) -> None:
    source = work / "providers"
    shutil.copytree(PROVIDERS_DIR, source, ignore=shutil.ignore_patterns(*GENERATED))
    tools = work / "tools"
    # The generator links every provider: each must carry the version its plugin will.
    stamps = " ".join(f"-X {PROVIDERS_MODULE}/{name}.Version={version}"
                      for name, version in sorted(versions.plugins.items()))
    with timed(log, "provider schema generator (go build)", 2, total):
        _go_build("building the schema generator", source, tools / "pulumi-tfgen",
                  ["./cmd/pulumi-tfgen"], stamps, logs / "tfgen.log", PROVIDER_TAGS)
    for i, (name, version) in enumerate(sorted(versions.plugins.items()), start=3):
        with timed(log, f"plugin {name} {version} (schema, go build)", i, total):
            generated = work / "schemas" / name
            _run(f"generating the {name} schema",
                 [str(tools / "pulumi-tfgen"), name, "schema", "--out", str(generated)],
                 source, logs / f"{name}.log")
            cmd = source / "cmd" / f"pulumi-resource-{name}"
            _stamp(generated / "schema.json", version, cmd / "schema-embed.json")
            shutil.copyfile(generated / "bridge-metadata.json", cmd / "bridge-metadata.json")
            _go_build(f"building the {name} plugin", source,
                      plugins_dir / f"pulumi-resource-{name}", [f"./cmd/pulumi-resource-{name}"],
                      f"-X {PROVIDERS_MODULE}/{name}.Version={version}", logs / f"{name}.log",
                      PROVIDER_TAGS)


def _install_plugins(versions: Versions, bin_dir: Path, plugins_dir: Path, home: Path,
                     logs: Path) -> None:
    """`pulumi plugin install --file`: the engine then finds each at exactly its SDK's version
    without downloading."""
    env = {**os.environ, "PULUMI_HOME": str(home), "PULUMI_SKIP_UPDATE_CHECK": "true"}
    for name, version in sorted(versions.plugins.items()):
        _run(f"installing the {name} plugin",
             [str(bin_dir / "pulumi"), "plugin", "install", "resource", name, version,
              "--file", str(plugins_dir / f"pulumi-resource-{name}")],
             plugins_dir, logs / "install.log", env)


def build(versions: Versions, log: Log, root: Path | None = None) -> Path:
    """The built toolchain's directory (`bin/`, `home/` = PULUMI_HOME), building it if needed."""
    if shutil.which("go") is None:
        raise ToolchainError("toolchain: no Go toolchain on PATH to build the Pulumi CLI from "
                             "Go modules. Fix: install Go 1.24 or newer "
                             "(https://go.dev/doc/install), or the Pulumi CLI "
                             "(https://www.pulumi.com/docs/install/), and re-run")
    root = root or cache_root()
    final = built_dir(versions, root)
    with _locked(root):
        if is_built(final):
            return final
        work = root / f"{final.name}.partial"
        shutil.rmtree(work, ignore_errors=True)
        bin_dir, plugins_dir, logs = work / "bin", work / "plugins", work / "logs"
        for d in (bin_dir, plugins_dir, logs):
            d.mkdir(parents=True)
        total = 2 + len(versions.plugins)
        log(f"[toolchain] building the Pulumi toolchain from Go modules into {final} "
            f"(cold: tens of minutes on 2 cores; reused afterwards)")
        started = time.monotonic()
        _engine(versions, bin_dir, logs, log, total)
        _providers(versions, work, plugins_dir, logs, log, total)
        _install_plugins(versions, bin_dir, plugins_dir, work / "home", logs)
        shutil.rmtree(work / "providers")
        seconds = round(time.monotonic() - started)
        (work / MANIFEST).write_text(json.dumps({
            "engine": versions.engine, "plugins": versions.plugins, "build_seconds": seconds,
            "bytes": sum(p.stat().st_size for p in work.rglob("*") if p.is_file()),
        }, indent=2, sort_keys=True))
        work.rename(final)
        log(f"[toolchain] built in {seconds} s: {final}")
        return final
