"""Command line of the apply harness (test infrastructure: the Pulumi CLI is not installed
where CI runs):

    scripts/harness up STACK OUTPUTS_JSON [--stack-file FILE]
    scripts/harness down STACK
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

from harness.appliers import Appliers
from harness.engine import HarnessMocks, state_path
from harness.kinds import kind_of
from harness.monitor import RecordingMonitor, run_program
from harness.state import HarnessState
from pgplatform import paths, resource_types, stack_config
from pgplatform.model import ConfigError, PlatformConfig


def _log(message: str) -> None:
    print(message, flush=True)


def up(cfg: PlatformConfig, outputs_path: Path, project_root: Path = paths.PROJECT_ROOT
       ) -> dict[str, Any]:
    started = time.monotonic()
    state = HarnessState.load(state_path(project_root, cfg.stack))
    mocks = HarnessMocks(state, _log)
    monitor = RecordingMonitor(mocks)
    mocks.monitor = monitor
    try:
        outputs = run_program(cfg, monitor)
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
    _log(f"harness up {cfg.stack}: {len(mocks.changed)} changed, {len(mocks.unchanged)} "
         f"unchanged, {time.monotonic() - started:.1f} s; outputs in {outputs_path}")
    return {"changed": list(mocks.changed), "unchanged": list(mocks.unchanged),
            "outputs": outputs}


def down(stack: str, project_root: Path = paths.PROJECT_ROOT) -> None:
    started = time.monotonic()
    state = HarnessState.load(state_path(project_root, stack))
    appliers = Appliers(_log)
    for applied in state.resources.values():
        if applied.type == resource_types.POSTGRES_PROVIDER:
            appliers.add_postgres_provider(applied.id, applied.outputs)
    kept = [a for a in state.resources.values() if a.retain]
    try:
        for applied in state.in_reverse_order():
            # Retained data was initialised with these passwords: keep them with it.
            if applied.retain or (kept and applied.type.startswith(
                    ("random:", resource_types.PROVIDER_PREFIX))):
                _log(f"harness down: keeping {applied.urn}")
                continue
            kind_of(applied.type, applied.name).delete(appliers, applied)
            state.forget(applied.urn)
            _log(f"harness down: removed {applied.urn}")
    finally:
        state.save()
    if not state.resources:
        state.path.unlink(missing_ok=True)
    _log(f"harness down {stack}: {time.monotonic() - started:.1f} s, kept {len(kept)}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="scripts/harness", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
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
            # The model is parsed once, before anything is touched, and handed to the program.
            path = args.stack_file or paths.stack_file(args.stack)
            up(stack_config.from_stack_file(path, args.stack), args.outputs)
        else:
            down(args.stack)
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return 2
    return 0
