"""The Python dynamic provider, run the way the engine runs it.

The engine starts the bundled launcher `pulumi-resource-pulumi-python`
(pulumi/pulumi sdk/python/dist/pulumi-resource-pulumi-python) with its working directory set
to the program directory (`main:` of Pulumi.yaml; pkg/engine/project.go getPwdMain, and
pkg/resource/plugin/plugin.go ExecPlugin `cmd.Dir = pwd`) and each runtime option of
Pulumi.yaml as `PULUMI_RUNTIME_<OPTION>` (pkg/resource/plugin/provider_plugin.go NewProvider).
The launcher picks the virtualenv from `PULUMI_RUNTIME_VIRTUALENV`, else `.venv` for
`toolchain: uv`, made absolute against `$PWD`, and refuses to start when `<venv>/bin/python`
is missing (pulumi/pulumi#7061). The provider process (sdk/python/lib/pulumi/dynamic/
__main__.py) prints its gRPC port, then answers Configure, Check, Diff, Create, Update and
Delete; the pickled provider travels in the `__provider` property, plain (it reports
acceptSecrets=False). `launch_plan` is the launcher's logic; `DynamicProvider` is the engine's
side of the wire.
"""

from __future__ import annotations

import os
import select
import signal
import subprocess
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc
import yaml
from google.protobuf import json_format, struct_pb2
from pulumi.runtime.proto import provider_pb2, provider_pb2_grpc

START_TIMEOUT_S = 60.0
CALL_TIMEOUT_S = 900.0


class LauncherError(RuntimeError):
    """The launcher refused to start the provider (what `pulumi up` prints, then fails)."""


class ProviderError(RuntimeError):
    """The provider answered a call with an error."""


@dataclass(frozen=True, kw_only=True)
class LaunchPlan:
    argv: tuple[str, ...]
    cwd: Path
    env: Mapping[str, str]


def program_dir(project_root: Path) -> tuple[Path, dict[str, Any]]:
    """The program directory (`main:`) and the runtime options of Pulumi.yaml."""
    project = yaml.safe_load((project_root / "Pulumi.yaml").read_text()) or {}
    runtime = project.get("runtime") or {}
    options = dict(runtime.get("options") or {}) if isinstance(runtime, Mapping) else {}
    main = project.get("main")
    pwd = project_root / main if main and (project_root / main).is_dir() else project_root
    return pwd, options


def launch_plan(project_root: Path, environ: Mapping[str, str]) -> LaunchPlan:
    """What the launcher runs, in which directory, with which environment."""
    pwd, options = program_dir(project_root)
    env = dict(environ)
    # An option of Pulumi.yaml overrides the same variable from the environment.
    for key, value in options.items():
        env[f"PULUMI_RUNTIME_{key.upper()}"] = str(value)
    env["PWD"] = str(pwd)
    venv = env.get("PULUMI_RUNTIME_VIRTUALENV", "")
    if not venv and env.get("PULUMI_RUNTIME_TOOLCHAIN") == "uv":
        venv = ".venv"
    if not venv:
        python = env.get("PULUMI_PYTHON_CMD", "python3")
        return LaunchPlan(argv=(python, "-u", "-m", "pulumi.dynamic"), cwd=pwd, env=env)
    venv = venv.rstrip("/")
    venv_path = Path(venv) if venv.startswith("/") else Path(f"{pwd}/{venv}")
    if not (venv_path / "bin" / "python").is_file():
        state = ("doesn't appear to be a virtual environment" if venv_path.is_dir()
                 else "doesn't exist")
        raise LauncherError(
            f"The 'virtualenv' option in Pulumi.yaml is set to \"{venv_path}\", but "
            f"\"{venv_path}\" {state}. (pulumi-resource-pulumi-python, started in {pwd})")
    env["PATH"] = f"{venv_path}/bin:{env.get('PATH', '')}"
    env.pop("PYTHONHOME", None)
    return LaunchPlan(argv=(str(venv_path / "bin" / "python"), "-u", "-m", "pulumi.dynamic"),
                      cwd=pwd, env=env)


def _struct(props: Mapping[str, Any]) -> struct_pb2.Struct:
    return json_format.ParseDict(dict(props), struct_pb2.Struct())


def _plain(message: struct_pb2.Struct) -> dict[str, Any]:
    out: dict[str, Any] = json_format.MessageToDict(message)
    return out


@dataclass(frozen=True, kw_only=True)
class DiffAnswer:
    changes: bool | None
    """None: the provider does not know (DIFF_UNKNOWN): the engine compares inputs itself."""
    replaces: tuple[str, ...]
    delete_before_replace: bool


class DynamicProvider:
    """One provider process for a whole `up` or `down`, as the engine keeps one plugin."""

    def __init__(self, project_root: Path, project: str, stack: str) -> None:
        env = {**os.environ, "PULUMI_PROJECT": project, "PULUMI_STACK": stack,
               "PULUMI_CONFIG": "{}"}
        plan = launch_plan(project_root, env)
        self.project, self.stack = project, stack
        self._proc = subprocess.Popen(list(plan.argv), cwd=plan.cwd, env=dict(plan.env),
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                      start_new_session=True)
        port = self._read_port()
        self._channel = grpc.insecure_channel(f"127.0.0.1:{port}")
        self._stub = provider_pb2_grpc.ResourceProviderStub(self._channel)
        self._stub.Configure(provider_pb2.ConfigureRequest(
            args=_struct({}), acceptSecrets=True, acceptResources=True),
            timeout=CALL_TIMEOUT_S)

    def _read_port(self) -> int:
        assert self._proc.stdout is not None
        deadline = time.monotonic() + START_TIMEOUT_S
        line = b""
        while time.monotonic() < deadline and not line.endswith(b"\n"):
            ready, _, _ = select.select([self._proc.stdout], [], [], 0.5)
            if ready:
                chunk = os.read(self._proc.stdout.fileno(), 64)
                if not chunk:
                    break
                line += chunk
            elif self._proc.poll() is not None:
                break
        if not line.strip().isdigit():
            self.close()
            err = self._proc.stderr.read().decode(errors="replace") if self._proc.stderr else ""
            raise LauncherError(f"the dynamic provider did not start (exit "
                                f"{self._proc.returncode}): {err.strip()[-2000:]}")
        return int(line.strip())

    def urn(self, typ: str, name: str) -> str:
        return f"urn:pulumi:{self.stack}::{self.project}::{typ}::{name}"

    def _call(self, method: str, request: Any) -> Any:
        try:
            return getattr(self._stub, method)(request, timeout=CALL_TIMEOUT_S)
        except grpc.RpcError as exc:
            details = exc.details() if hasattr(exc, "details") else str(exc)
            # The provider's traceback ends with the exception it raised.
            last = [ln for ln in str(details).strip().splitlines() if ln.strip()][-1:]
            raise ProviderError(f"dynamic provider {method}: {' '.join(last) or details}"
                                ) from None

    def check(self, urn: str, olds: Mapping[str, Any], news: Mapping[str, Any]
              ) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        r = self._call("Check", provider_pb2.CheckRequest(urn=urn, olds=_struct(olds),
                                                          news=_struct(news)))
        return _plain(r.inputs), [(f.property, f.reason) for f in r.failures]

    def diff(self, urn: str, id_: str, olds: Mapping[str, Any], news: Mapping[str, Any],
             old_inputs: Mapping[str, Any]) -> DiffAnswer:
        r = self._call("Diff", provider_pb2.DiffRequest(
            id=id_, urn=urn, olds=_struct(olds), news=_struct(news),
            old_inputs=_struct(old_inputs)))
        changes = {provider_pb2.DiffResponse.DIFF_SOME: True,
                   provider_pb2.DiffResponse.DIFF_NONE: False}.get(r.changes)
        return DiffAnswer(changes=changes, replaces=tuple(r.replaces),
                          delete_before_replace=r.deleteBeforeReplace)

    def create(self, urn: str, props: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
        r = self._call("Create", provider_pb2.CreateRequest(urn=urn, properties=_struct(props)))
        return str(r.id), _plain(r.properties)

    def update(self, urn: str, id_: str, olds: Mapping[str, Any], news: Mapping[str, Any],
               old_inputs: Mapping[str, Any]) -> dict[str, Any]:
        r = self._call("Update", provider_pb2.UpdateRequest(
            id=id_, urn=urn, olds=_struct(olds), news=_struct(news),
            old_inputs=_struct(old_inputs)))
        return _plain(r.properties)

    def delete(self, urn: str, id_: str, props: Mapping[str, Any],
               old_inputs: Mapping[str, Any]) -> None:
        self._call("Delete", provider_pb2.DeleteRequest(
            id=id_, urn=urn, properties=_struct(props), old_inputs=_struct(old_inputs)))

    def close(self) -> None:
        """As the engine: close the connection, SIGINT the process group, SIGKILL after 5 s."""
        channel = getattr(self, "_channel", None)
        if channel is not None:
            channel.close()
        if self._proc.poll() is None:
            try:
                os.killpg(self._proc.pid, signal.SIGINT)
                self._proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                os.killpg(self._proc.pid, signal.SIGKILL)
                self._proc.wait()
            except ProcessLookupError:
                pass
