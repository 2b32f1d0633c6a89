"""`scripts/migrate`: the same migrations the bootstrap runs, by hand.

    scripts/migrate --outputs outputs.json status
    scripts/migrate dev up [--service NAME] [--no-wait]
    scripts/migrate dev down --service NAME [--steps N]
    scripts/migrate prod down --service NAME --confirm-production prod   (after a backup)
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter

from pgplatform.migrate import runner
from pgplatform_ops import stack


def _production_refusal(stack_name: str, production: bool, args: argparse.Namespace
                        ) -> str | None:
    """Down files drop tables with their rows: on a production stack, only with the stack's
    name typed again."""
    if args.command != "down" or not production or args.confirm_production == stack_name:
        return None
    said = (f" (--confirm-production {args.confirm_production!r} names another stack)"
            if args.confirm_production else "")
    return (f"migrate: refusing down on production stack {stack_name!r}{said}: it would run "
            f"the down files of the last {args.steps} migration(s) of service "
            f"{args.service[0]!r}, which drop their tables and rows. Fix: take a backup, then "
            f"rerun with --confirm-production {stack_name}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="scripts/migrate", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    stack.add_arguments(parser)
    parser.add_argument("command", choices=("up", "status", "down"))
    parser.add_argument("--service", action="append", default=[],
                        help="only this service (repeatable; required for down)")
    parser.add_argument("--steps", type=int, default=1, help="down: how many to roll back")
    parser.add_argument("--no-wait", action="store_true",
                        help="fail at once if another runner holds the lock")
    parser.add_argument("--confirm-production", metavar="STACK",
                        help="down on a production stack: its name, typed again")
    args = parser.parse_args(argv)
    try:
        d = stack.from_arguments(args, check_server=False)
    except stack.StackError as exc:
        print(exc, file=sys.stderr)
        return 2
    known = {s.name for s in d.cfg.services}
    unknown = sorted(set(args.service) - known)
    if unknown:
        print(f"migrate: unknown service(s) {unknown}. Fix: use one of {sorted(known)}",
              file=sys.stderr)
        return 2
    if args.command == "down" and len(args.service) != 1:
        print("migrate: down needs exactly one --service", file=sys.stderr)
        return 2
    refusal = _production_refusal(d.cfg.stack, d.cfg.server.production, args)
    if refusal:
        print(refusal, file=sys.stderr)
        return 2
    try:
        stack.reachable(d)
    except stack.StackError as exc:
        print(exc, file=sys.stderr)
        return 2
    selected = [s for s in d.cfg.services if not args.service or s.name in args.service]
    try:
        for svc in selected:
            target = d.migration_target(svc)
            if args.command == "up":
                done = runner.migrate(target, wait=not args.no_wait, log=print)
                print(f"{svc.name}: {len(done)} applied")
            elif args.command == "down":
                runner.rollback(target, args.steps, wait=not args.no_wait, log=print)
            else:
                if svc is selected[0]:
                    print(f"{'service':32} {'migration':48} {'state':12} applied at, took")
                rows = runner.status(target)
                for row in rows:
                    name = (row.migration.id if row.migration else
                            f"{row.applied.version:04d}_{row.applied.name}" if row.applied
                            else "?")
                    when = (f"{row.applied.applied_at:%Y-%m-%d %H:%M:%S} "
                            f"{row.applied.duration_ms} ms" if row.applied else "")
                    print(f"{svc.name:32} {name:48} {row.state:12} {when}")
                states = Counter(row.state for row in rows)
                print(f"{svc.name}: " + ", ".join(
                    f"{states[s]} {s}" for s in ("applied", "pending", "edited", "missing-file")
                    if states[s] or s in ("applied", "pending")))
    except runner.MigrationError as exc:
        print(exc, file=sys.stderr)
        return 1
    return 0
