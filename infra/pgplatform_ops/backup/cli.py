"""`scripts/backup` and `scripts/restore`.

    scripts/backup dev --to backups/2026-11-29 [--service NAME ...]
    scripts/backup prod --root /var/backups/pgplatform     (a new set, older ones pruned)
    scripts/backup --outputs outputs.json --to DIR
    scripts/restore dev --service NAME --from DIR
    scripts/restore staging --service NAME --from DIR --from-stack prod
"""

from __future__ import annotations

import argparse
import datetime
import sys
from pathlib import Path

from pgplatform_ops import stack
from pgplatform_ops.backup import manifest, restore, retention, take, tools


def _parser(prog: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=prog, description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    stack.add_arguments(parser)
    return parser


def backup_main(argv: list[str] | None = None) -> int:
    parser = _parser("scripts/backup")
    parser.add_argument("--service", action="append", default=[],
                        help="only this service (repeatable; default: every service)")
    parser.add_argument("--database", action="append", default=[],
                        help="every service of this database (repeatable)")
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--to", type=Path, help="directory of the backup set")
    where.add_argument("--root", type=Path,
                       help="a new set in ROOT/<stack>/, then each database's older sets "
                            "pruned to its backup.keep")
    args = parser.parse_args(argv)
    try:
        d = stack.from_arguments(args)
        known = {s.name for s in d.cfg.services}
        unknown = sorted(set(args.service) - known)
        if unknown:
            raise stack.StackError(f"backup: unknown service(s) {unknown}. Fix: use one of "
                                   f"{sorted(known)}")
        databases = {db.name for db in d.cfg.databases}
        unknown = sorted(set(args.database) - databases)
        if unknown:
            raise stack.StackError(f"backup: unknown database(s) {unknown}. Fix: use one of "
                                   f"{sorted(databases)}")
        now = datetime.datetime.now(datetime.UTC)
        to = args.to or retention.new_set(args.root, d.name, now)
        if (to / manifest.NAME).exists():
            raise stack.StackError(f"backup: {to} already holds a backup set. Fix: "
                                   "choose a new directory")
        chosen = set(args.service) | {s.name for db in args.database
                                      for s in d.cfg.services_in(db)}
        selected = [s for s in d.cfg.services if not chosen or s.name in chosen]
        take.take(d, selected, to, log=print, now=now)
        if args.root:
            retention.prune(args.root / d.name, d.cfg, log=print)
    except (stack.StackError, tools.ToolError) as exc:
        print(exc, file=sys.stderr)
        return 2
    return 0


def restore_main(argv: list[str] | None = None) -> int:
    parser = _parser("scripts/restore")
    parser.add_argument("--service", required=True, help="the service to restore")
    parser.add_argument("--from", dest="source", type=Path, required=True,
                        help="directory of the backup set")
    parser.add_argument("--from-stack", help="the backup is of this other stack (e.g. prod "
                                             "into staging)")
    args = parser.parse_args(argv)
    try:
        d = stack.from_arguments(args)
        svc = next((s for s in d.cfg.services if s.name == args.service), None)
        if svc is None:
            raise stack.StackError(f"restore: unknown service {args.service!r}. Fix: use one "
                                   f"of {sorted(s.name for s in d.cfg.services)}")
        restore.restore(d, svc, args.source, log=print, from_stack=args.from_stack)
    except (stack.StackError, manifest.ManifestError, restore.RestoreError,
            tools.ToolError) as exc:
        print(exc, file=sys.stderr)
        return 2
    return 0
