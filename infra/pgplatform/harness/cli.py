"""Command line of the apply harness."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

from pgplatform import config
from pgplatform.harness.docker_apply import DockerApplier
from pgplatform.harness.engine import DYNAMIC_PREFIX, HarnessMocks, state_path
from pgplatform.harness.monitor import RecordingMonitor, run_program
from pgplatform.harness.postgres_apply import Connection, PostgresApplier
from pgplatform.harness.state import Applied, HarnessState

PROJECT_ROOT = Path(__file__).resolve().parents[3]


def _log(message: str) -> None:
    print(message, flush=True)


def up(stack: str, outputs_path: Path, project_root: Path = PROJECT_ROOT,
       stack_file: Path | None = None) -> dict[str, Any]:
    started = time.monotonic()
    values = config.read_stack_values(stack_file or config.stack_file(project_root, stack))
    config.from_mapping(values, stack=stack)  # fail on bad config before touching anything
    state = HarnessState.load(state_path(project_root, stack))
    mocks = HarnessMocks(state, _log)
    monitor = RecordingMonitor(mocks)
    mocks.monitor = monitor
    try:
        outputs = run_program(values, stack, monitor)
    except Exception as exc:
        if not mocks.errors:
            raise
        raise SystemExit("harness up failed:\n  " + "\n  ".join(mocks.errors)) from exc
    finally:
        state.save()
    if mocks.errors:
        raise SystemExit("harness up failed:\n  " + "\n  ".join(mocks.errors))
    outputs_path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(outputs_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        json.dump(outputs, f, indent=2, sort_keys=True)
    _log(f"harness up {stack}: {len(mocks.changed)} changed, {len(mocks.unchanged)} unchanged, "
         f"{time.monotonic() - started:.1f} s; outputs in {outputs_path}")
    return {"changed": list(mocks.changed), "unchanged": list(mocks.unchanged),
            "outputs": outputs}


def _postgres(state: HarnessState) -> PostgresApplier | None:
    provider = next((a for a in state.resources.values()
                     if a.type == "pulumi:providers:postgresql"), None)
    if provider is None:
        return None
    o = provider.outputs
    return PostgresApplier(Connection(host=o["host"], port=int(o["port"]), user=o["username"],
                                      password=o["password"],
                                      sslmode=o.get("sslmode") or "require"), _log)


def _delete(applied: Applied, pg: PostgresApplier | None, dock: DockerApplier) -> None:
    o, kind = applied.outputs, applied.type
    if kind.startswith("postgresql:"):
        if pg is None:
            raise SystemExit(f"harness down: no postgresql provider in state for {applied.urn}")
        {
            "postgresql:index/grant:Grant": pg.revoke,
            "postgresql:index/defaultPrivileges:DefaultPrivileges": pg.delete_default_privileges,
            "postgresql:index/schema:Schema": pg.delete_schema,
            "postgresql:index/extension:Extension": pg.delete_extension,
            "postgresql:index/database:Database": lambda i: pg.delete_database(i["name"]),
            "postgresql:index/role:Role": lambda i: pg.delete_role(i["name"]),
        }[kind](o)
    elif kind == "docker:index/container:Container":
        dock.delete_container(o["name"])
    elif kind == "docker:index/volume:Volume":
        dock.delete_volume(o["name"])
    elif kind.startswith((DYNAMIC_PREFIX, "pulumi:providers:", "random:")):
        pass  # bootstrap delete keeps data; providers and random values hold nothing live
    elif kind in ("docker:index/image:Image", "docker:index/remoteImage:RemoteImage"):
        pass  # images stay in the local cache, as keep_locally / skip_push leave them


def down(stack: str, project_root: Path = PROJECT_ROOT) -> None:
    started = time.monotonic()
    state = HarnessState.load(state_path(project_root, stack))
    pg = _postgres(state)
    dock = DockerApplier(_log)
    kept = [a for a in state.resources.values() if a.retain]
    try:
        for applied in state.in_reverse_order():
            # Retained data was initialised with these passwords: keep them with it.
            if applied.retain or (kept and applied.type.startswith(
                    ("random:", "pulumi:providers:"))):
                _log(f"harness down: keeping {applied.urn}")
                continue
            _delete(applied, pg, dock)
            state.forget(applied.urn)
            _log(f"harness down: removed {applied.urn}")
    finally:
        state.save()
    if not state.resources:
        state.path.unlink(missing_ok=True)
    _log(f"harness down {stack}: {time.monotonic() - started:.1f} s, kept {len(kept)}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="scripts/harness", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    p_up = sub.add_parser("up", help="apply STACK for real and write its outputs")
    p_up.add_argument("stack")
    p_up.add_argument("outputs", type=Path)
    p_up.add_argument("--stack-file", type=Path,
                      help="read the stack's config from this YAML instead of Pulumi.STACK.yaml")
    p_down = sub.add_parser("down", help="remove what `up` created, keeping retained data")
    p_down.add_argument("stack")
    args = parser.parse_args(argv)
    try:
        if args.command == "up":
            up(args.stack, args.outputs, stack_file=args.stack_file)
        else:
            down(args.stack)
    except config.ConfigError as exc:
        print(exc, file=sys.stderr)
        return 2
    return 0
