"""What only the real engine does, run through the `pulumi` CLI the toolchain provides:

- `pulumi preview --policy-pack policy` as the pull-request loop runs it, on every committed
  stack, and on a change that grants one service another's schema (refused, naming the policy);
- a create that fails is recorded as failed, and the next `up` finishes the job;
- `pulumi refresh` after a role was dropped by hand, then `up`, restores it;
- an `up` interrupted by SIGINT, then `refresh --clear-pending-creates` and `up`, converges.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg
import pytest
import yaml
from deployers import PulumiDeployer, pulumi_toolchain_env
from psycopg import sql

from pgplatform import model, paths, stack_config

from e2e_support import docker_available, sweep_leftovers

pytestmark = pytest.mark.e2e
COMMITTED_STACKS = sorted(p.name.split(".")[1] for p in paths.PROJECT_ROOT.glob("Pulumi.*.yaml"))
POLICY_PACK = paths.PROJECT_ROOT / "policy"
WORKFLOWS = paths.PROJECT_ROOT / ".github" / "workflows"


def pulumi(*args: str, cwd: Path = paths.PROJECT_ROOT, env: dict[str, str],
           timeout: int = 900) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["pulumi", *args, "--non-interactive"], cwd=cwd,
                          env={**os.environ, **env}, capture_output=True, text=True,
                          timeout=timeout, check=False)


def backend_env(work: Path) -> dict[str, str]:
    backend = work / "backend"
    backend.mkdir(exist_ok=True)
    return {**pulumi_toolchain_env(), "PULUMI_BACKEND_URL": f"file://{backend}",
            "PULUMI_CONFIG_PASSPHRASE": "pgplatform-e2e"}


# -- the pull-request loop ------------------------------------------------------------------

def workflow_step(workflow: str, job: str, command: str) -> dict[str, Any]:
    """The step of a GitHub workflow whose script starts with `command`: the tests run exactly
    what the workflows run."""
    doc = yaml.safe_load((WORKFLOWS / workflow).read_text())
    return next(s for s in doc["jobs"][job]["steps"]
                if str(s.get("run", "")).startswith(command))


def run_step(step: dict[str, Any], env: dict[str, str], timeout: int = 1200
             ) -> subprocess.CompletedProcess[str]:
    """`run` as the runner's `shell: bash` does (`bash -eo pipefail`), from the checkout, with
    the step's non-secret variables and `env` for the secrets."""
    plain = {k: str(v) for k, v in (step.get("env") or {}).items() if "${{" not in str(v)}
    return subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c",
                           step["run"]], cwd=paths.PROJECT_ROOT,
                          env={**os.environ, **plain, **env}, capture_output=True, text=True,
                          timeout=timeout, check=False)


@pytest.mark.parametrize("stack", COMMITTED_STACKS)
def test_preview__the_policy_pack_passes_on_every_committed_stack(
        stack: str, tmp_path: Path) -> None:
    """The pull request's preview step, on a backend that has never seen the stack."""
    step = workflow_step("preview.yml", "preview", "scripts/preview")
    env = {**backend_env(tmp_path), "STACK": stack}
    try:
        proc = run_step(step, env)
    finally:
        (paths.PROJECT_ROOT / "preview.txt").unlink(missing_ok=True)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out[-4000:]
    # The summary names the pack that ran: `pgplatform@v…`, or with --diff a table row
    # `pgplatform|local|<path>`.
    assert re.search(r"^\s*pgplatform(@v|\|local\|)", out, re.MULTILINE), out[-4000:]
    assert "mandatory" not in out, out[-4000:]
    assert "can't run policy" not in out, f"a policy did not run in the preview:\n{out[-4000:]}"


ROGUE_PROGRAM = '''"""The project's program, plus what a careless pull request adds:
vector_store's login gets SELECT on rag's tables, which the config does not declare (rag
reads vector_store, not the other way round)."""
import pulumi
import pulumi_postgresql as postgresql

from pgplatform import program, stack_config

for key, value in program.build(stack_config.from_pulumi()).exports().items():
    pulumi.export(key, value)
admin = postgresql.Provider("rogue-admin", host="127.0.0.1", port=15440, username="postgres",
                            password=pulumi.Output.secret("x"), sslmode="verify-full",
                            sslrootcert="/dev/null", superuser=True)
postgresql.Grant("rogue-vector-store-reads-rag", role="vector_store_app", database="paddle",
                 schema="rag", object_type="table", privileges=["SELECT"], objects=[],
                 opts=pulumi.ResourceOptions(provider=admin))
'''


def test_preview__a_grant_into_another_services_schema_fails_naming_the_policy(
        tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (project / "Pulumi.yaml").write_text(
        "name: pgplatform\nruntime:\n  name: python\n  options:\n"
        f"    virtualenv: {paths.PROJECT_ROOT / '.venv'}\n")
    (project / "__main__.py").write_text(ROGUE_PROGRAM)
    stack_config.write_stack_file(project / "Pulumi.rogue.yaml",
                                  stack_config.read_stack_values(paths.stack_file("ci")))
    env = backend_env(tmp_path)
    assert pulumi("stack", "init", "rogue", "--secrets-provider", "passphrase", cwd=project,
                  env=env).returncode == 0
    proc = pulumi("preview", "--stack", "rogue", "--policy-pack", str(POLICY_PACK),
                  cwd=project, env=env)
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0, f"the preview passed a rogue grant:\n{out[-4000:]}"
    violation = next((line for line in out.splitlines()
                      if "[mandatory]" in line and "service-access-declared" in line), None)
    assert violation is not None, out[-4000:]
    assert "rogue-vector-store-reads-rag" in violation, violation
    assert "can't run policy" not in out, f"a policy did not run in the preview:\n{out[-4000:]}"


# -- the engine's own behaviour ---------------------------------------------------------------

def small_stack(name: str, port: int) -> dict[str, Any]:
    return {
        "server": {"image": "build", "hostPort": port, "memoryMb": 1024, "shmSizeMb": 256,
                   "allowVolumeDeletion": True, "containerName": f"pgplatform-{name}",
                   "volumeName": f"pgplatform-{name}-data",
                   "networkName": f"pgplatform-{name}-net",
                   "settings": {"shared_buffers": "128MB", "maintenance_work_mem": "128MB",
                                "max_connections": 200}},
        "databases": [{"name": "paddle", "extensions": ["vector"]}],
        "services": [{"name": "vector_store", "database": "paddle"},
                     {"name": "rag", "database": "paddle"}],
    }


class EngineStack:
    def __init__(self, name: str, port: int, work: Path) -> None:
        self.name, self.values, self.work = name, small_stack(name, port), work
        self.deployer = PulumiDeployer(name, work)

    @property
    def server(self) -> model.ServerConfig:
        return model.from_mapping(self.values, stack=self.name).server

    def cli(self, *args: str, timeout: int = 900) -> subprocess.CompletedProcess[str]:
        return pulumi(*args, "--stack", self.name, env=self.deployer.env, timeout=timeout)

    def resources(self) -> dict[str, dict[str, Any]]:
        """URN -> what the state records of it."""
        proc = self.cli("stack", "export")
        assert proc.returncode == 0, proc.stderr
        deployment = json.loads(proc.stdout)["deployment"]
        return {r["urn"]: r for r in deployment.get("resources") or []}

    def pending(self) -> list[Any]:
        proc = self.cli("stack", "export")
        assert proc.returncode == 0, proc.stderr
        return list(json.loads(proc.stdout)["deployment"].get("pending_operations") or [])


@pytest.fixture()
def engine_stack(tmp_path: Path) -> Iterator[EngineStack]:
    if not docker_available():
        pytest.skip("no Docker engine answers")
    s = EngineStack("enginetest", 15580, tmp_path)
    sweep_leftovers(s.name, s.server)
    try:
        yield s
    finally:
        s.values["server"]["allowVolumeDeletion"] = True
        ok, log = s.deployer.down()
        if not ok:
            print(f"engine test: destroy failed:\n{log[-3000:]}")
        s.deployer.forget()
        sweep_leftovers(s.name, s.server)


@contextmanager
def port_taken(port: int) -> Iterator[None]:
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", port))
    listener.listen()
    try:
        yield
    finally:
        listener.close()


def test_engine__a_failed_create_is_recorded_and_the_next_up_finishes_it(
        engine_stack: EngineStack) -> None:
    """The pooler's port is taken: its container is created but cannot start. The engine
    records it with its init error (a partial create, not forgotten), keeps everything else the
    up made, and once the port is free the next up finishes the pooler alone."""
    s = engine_stack
    s.deployer.up(s.values)
    s.values["server"]["pooler"] = {"enabled": True, "hostPort": 15581}
    with port_taken(15581):
        with pytest.raises(AssertionError) as failed:
            s.deployer.up(s.values)
    assert "15581" in str(failed.value), str(failed.value)[-3000:]
    recorded = s.resources()
    assert any(u.endswith("::pooler-image-build") for u in recorded), sorted(recorded)
    pooler = [r for u, r in recorded.items() if u.endswith("::pooler-container")]
    print(f"[engine] the failed pooler container in the state: "
          f"{[(r.get('id'), r.get('initErrors')) for r in pooler]}")
    assert not pooler or pooler[0].get("initErrors"), (
        "a create that failed is either absent or recorded with its error", pooler)
    again = s.deployer.up(s.values)
    print(f"[engine] after the failed create: {again}")
    assert again.deleted == 0 and again.mentions("Container", "pooler-container"), again
    assert again.created + again.updated + again.replaced <= 2, again
    with psycopg.connect(s.deployer.deployed().pooled_dsn("rag")) as c:
        assert c.execute("SELECT current_user").fetchone() == ("rag_app",)
    assert s.deployer.up(s.values).only(), "a third up changes nothing"


def test_engine__refresh_after_a_role_dropped_by_hand_then_up_restores_it(
        engine_stack: EngineStack) -> None:
    s = engine_stack
    s.deployer.up(s.values)
    d = s.deployer.deployed()
    with psycopg.connect(d.admin_dsn("paddle"), autocommit=True) as c:
        c.execute(sql.SQL("DROP OWNED BY {}").format(sql.Identifier("rag_app")))
        c.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier("rag_app")))
    refreshed = s.cli("refresh", "--yes", "--skip-preview")
    print(f"[engine] refresh after DROP ROLE rag_app:\n{refreshed.stdout[-2000:]}")
    assert refreshed.returncode == 0, refreshed.stdout[-3000:] + refreshed.stderr[-2000:]
    restored = s.deployer.up(s.values)
    print(f"[engine] up after the refresh: {restored}")
    assert restored.mentions("Role", "rag-login-role"), restored.log[-3000:]
    with psycopg.connect(d.service_dsn("rag")) as c:
        assert c.execute("SELECT current_user").fetchone() == ("rag_app",)
        c.execute("SELECT count(*) FROM rag.rag_sessions")
    assert s.deployer.up(s.values).only(), "a second up after the restore changes nothing"


def test_engine__an_interrupted_up_then_refresh_and_up_converge(
        engine_stack: EngineStack) -> None:
    s = engine_stack
    s.deployer.up(s.values)
    s.values["services"].append({"name": "scheduler", "database": "paddle"})
    s.deployer.configure(s.values)
    up = subprocess.Popen(["pulumi", "up", "--yes", "--skip-preview", "--non-interactive",
                           "--stack", s.name], cwd=paths.PROJECT_ROOT,
                          env={**os.environ, **s.deployer.env}, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True)
    assert up.stdout is not None
    seen: list[str] = []
    deadline = time.monotonic() + 300
    for line in up.stdout:  # interrupt once the engine has started creating
        seen.append(line)
        if "creating" in line or time.monotonic() > deadline:
            break
    up.send_signal(signal.SIGINT)
    rest, _ = up.communicate(timeout=300)
    print(f"[engine] interrupted up (exit {up.returncode}):\n{(''.join(seen) + rest)[-2000:]}")
    assert up.returncode != 0, "the interrupted up reported success"
    refreshed = s.cli("refresh", "--yes", "--skip-preview", "--clear-pending-creates")
    assert refreshed.returncode == 0, refreshed.stdout[-3000:] + refreshed.stderr[-2000:]
    assert s.pending() == [], "pending operations left after refresh --clear-pending-creates"
    converged = s.deployer.up(s.values)
    print(f"[engine] up after the interrupted one: {converged}")
    d = s.deployer.deployed()
    with psycopg.connect(d.service_dsn("scheduler")) as c:
        assert c.execute("SELECT current_user").fetchone() == ("scheduler_app",)
    assert s.deployer.up(s.values).only(), "converged: a further up changes nothing"
