"""Command line of the apply harness (test infrastructure: the Pulumi CLI is not installed
where CI runs):

    scripts/harness up STACK OUTPUTS_JSON [--stack-file FILE]   like `pulumi up` (a secret
        value `{secure: …}` is read from $PGPLATFORM_HARNESS_SECRET_<KEY>)
    scripts/harness down STACK                                  like `pulumi destroy`
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import sys
import threading
import time
from pathlib import Path
from typing import Any

from harness.engine import Engine, HarnessMocks, protected_message, state_path
from harness.monitor import RecordingMonitor, run_program
from harness.state import HarnessState
from pgplatform import model, paths, stack_config
from pgplatform.model import ConfigError, PlatformConfig, SecretValue

STACK_TYPE = "pulumi:pulumi:Stack"


class HarnessFailed(RuntimeError):
    pass


_LOG_LOCK = threading.Lock()


def _log(message: str) -> None:
    # Steps log from the engine's worker threads; print writes the line and its newline
    # separately, so unlocked lines run into each other.
    with _LOG_LOCK:
        print(message, flush=True)


def up(cfg: PlatformConfig, outputs_path: Path, project_root: Path = paths.PROJECT_ROOT
       ) -> dict[str, Any]:
    started = time.monotonic()
    state = HarnessState.load(state_path(project_root, cfg.stack))
    engine = Engine(state, cfg.stack, _log, project_root)
    mocks = HarnessMocks(engine)
    monitor = RecordingMonitor(mocks)
    mocks.monitor = monitor
    try:
        try:
            outputs = run_program(cfg, monitor, parallel=engine.parallel)
            # The stack resource never reaches the mocks; the engine counts it all the same.
            for reg in list(monitor.registrations.values()):
                if reg.type == STACK_TYPE:
                    mocks.component(reg, {})
        except Exception as exc:
            if not mocks.errors:
                raise
            raise HarnessFailed("\n  ".join(mocks.errors)) from exc
        if mocks.errors:
            raise HarnessFailed("\n  ".join(mocks.errors))
        errors = mocks.finish()
        if errors:
            raise HarnessFailed("\n  ".join(errors))
    finally:
        state.save()
        engine.close()
    outputs_path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(outputs_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        json.dump(outputs, f, indent=2, sort_keys=True)
    _log(f"harness up {cfg.stack}: {engine.summary()} "
         f"({time.monotonic() - started:.1f} s); outputs in {outputs_path}")
    return {"counts": dict(engine.counts), "outputs": outputs}


def down(stack: str, project_root: Path = paths.PROJECT_ROOT) -> None:
    started = time.monotonic()
    state = HarnessState.load(state_path(project_root, stack))
    # `pulumi destroy` previews first, and the preview fails on a protected resource:
    # nothing is deleted.
    protected = [a for a in state.resources.values() if a.protect]
    if protected:
        raise HarnessFailed("\n  ".join(protected_message(a) for a in protected))
    engine = Engine(state, stack, _log, project_root)
    engine.load_providers()
    kept = sorted(a.urn for a in state.resources.values() if a.retain)
    try:
        errors = engine.delete_all(list(state.resources.values()))
    finally:
        state.save()
        engine.close()
    if errors:
        raise HarnessFailed("\n  ".join(errors))
    for urn in kept:
        _log(f"harness down: {urn} retained on the server, forgotten by the state")
    _log(f"harness down {stack}: {engine.counts['deleted']} deleted, {len(kept)} of them "
         f"retained ({time.monotonic() - started:.1f} s)")


# One process holds the program's whole resource graph, the SDK's futures and the state. With
# CPython's default thresholds the collector walks that heap over and over, holding the GIL
# while every step thread waits: 2.4 to 4.3 s of a 100-service `up` (41 to 45 s). What is
# alive once the program is imported never needs collecting, and young objects can wait longer.
GC_THRESHOLDS = (50_000, 50, 1_000)


def _collect_less() -> None:
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


SECRET_ENV_PREFIX = "PGPLATFORM_HARNESS_SECRET_"


def _decrypted(values: dict[str, Any]) -> dict[str, Any]:
    """The engine decrypts a stack file's `{secure: …}` values with the stack's secrets
    provider; the harness cannot, so it takes the plaintext of key K from the environment
    (`PGPLATFORM_HARNESS_SECRET_<K>`, e.g. ..._ADMINPASSWORD), still marked secret."""
    out = dict(values)
    for key, value in values.items():
        plain = os.environ.get(SECRET_ENV_PREFIX + key.upper())
        if isinstance(value, SecretValue) and value.plaintext is None and plain:
            out[key] = SecretValue(plain)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="scripts/harness", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    p_up = sub.add_parser("up", help="apply STACK for real and write its outputs")
    p_up.add_argument("stack")
    p_up.add_argument("outputs", type=Path)
    p_up.add_argument("--stack-file", type=Path,
                      help="read the stack's config from this YAML instead of Pulumi.STACK.yaml")
    p_down = sub.add_parser("down", help="delete what `up` created, as `pulumi destroy` does")
    p_down.add_argument("stack")
    args = parser.parse_args(argv)
    _collect_less()
    try:
        if args.command == "up":
            # The model is parsed once, before anything is touched, and handed to the program.
            path = args.stack_file or paths.stack_file(args.stack)
            up(model.from_mapping(_decrypted(stack_config.read_stack_values(path)),
                                  stack=args.stack), args.outputs)
        else:
            down(args.stack)
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return 2
    except HarnessFailed as exc:
        print(f"harness {args.command} {args.stack} failed:\n  {exc}", file=sys.stderr)
        return 1
    return 0
