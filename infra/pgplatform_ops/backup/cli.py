"""`scripts/backup` and `scripts/restore`: per service (pg_dump sets), or the whole server
(`--server`: pgBackRest base backups and WAL archive, server.pitr).

    scripts/backup dev --to backups/2026-11-29 [--service NAME ...]
    scripts/backup prod --root /var/backups/pgplatform     (a new set, older ones pruned)
    scripts/backup --outputs outputs.json --to DIR
    scripts/backup prod --server [--type full|diff|incr]
    scripts/restore dev --service NAME --from DIR
    scripts/restore staging --service NAME --from DIR --from-stack prod
    scripts/restore prod --server --to-time 2026-12-06T09:30:00Z
    scripts/restore prod --server --to-latest [--discard-current]
    scripts/restore prod --server --to-latest --target-stack staging
    scripts/restore --outputs a.json --server --to-latest --target-outputs b.json
"""

from __future__ import annotations

import argparse
import datetime
import sys
from pathlib import Path

from pgplatform_ops import stack
from pgplatform_ops.backup import manifest, restore, retention, take, tools
from pgplatform_ops.pitr import backup as server_backup
from pgplatform_ops.pitr import restore as server_restore
from pgplatform_ops.pitr.repo import PitrError


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
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--to", type=Path, help="directory of the backup set")
    where.add_argument("--root", type=Path,
                       help="a new set in ROOT/<stack>/, then each database's older sets "
                            "pruned to its backup.keep")
    where.add_argument("--server", action="store_true",
                       help="a base backup of the whole server into its pgBackRest repository "
                            "(server.pitr)")
    parser.add_argument("--type", choices=server_backup.KINDS, default="full",
                        help="with --server: full (default), diff (since the last full) or "
                             "incr (since the last backup)")
    args = parser.parse_args(argv)
    if not (args.to or args.root or args.server):
        parser.error("one of --to, --root or --server is required")
    if args.server and (args.service or args.database):
        parser.error("--server backs up the whole server: no --service or --database")
    try:
        if args.server:
            server_backup.take(stack.from_arguments(args), args.type, log=print)
            return 0
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
    except (stack.StackError, tools.ToolError, PitrError) as exc:
        print(exc, file=sys.stderr)
        return 2
    return 0


def restore_main(argv: list[str] | None = None) -> int:
    parser = _parser("scripts/restore")
    parser.add_argument("--service", help="the service to restore")
    parser.add_argument("--from", dest="source", type=Path,
                        help="directory of the backup set")
    parser.add_argument("--from-stack", help="the backup is of this other stack (e.g. prod "
                                             "into staging)")
    server = parser.add_argument_group("the whole server from its repository (server.pitr)")
    server.add_argument("--server", action="store_true")
    when = server.add_mutually_exclusive_group()
    when.add_argument("--to-time", help="the moment to restore to (ISO 8601 with a zone): "
                                        "every transaction committed then or before, none after")
    when.add_argument("--to-latest", action="store_true",
                      help="up to the last archived WAL")
    server.add_argument("--target-stack", help="restore into this other stack's server, for "
                                               "inspection (the stack itself is not touched)")
    server.add_argument("--target-outputs", type=Path,
                        help="the other stack by its outputs JSON instead of its name")
    server.add_argument("--target-stack-file", type=Path,
                        help="the other stack's model from this YAML")
    server.add_argument("--discard-current", action="store_true",
                        help="do not keep a copy of what the data volume holds now")
    args = parser.parse_args(argv)
    if args.server:
        if args.service or args.source or args.from_stack:
            parser.error("--server restores the whole server: no --service, --from or "
                         "--from-stack")
        if not (args.to_time or args.to_latest):
            parser.error("--server needs --to-time T or --to-latest")
        return _restore_server(args)
    if not (args.service and args.source):
        parser.error("--service and --from are required (or --server)")
    if (args.to_time or args.to_latest or args.target_stack or args.target_outputs
            or args.discard_current):
        parser.error("--to-time, --to-latest, --target-stack and --discard-current go with "
                     "--server")
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


def _restore_server(args: argparse.Namespace) -> int:
    try:
        target = server_restore.parse_target(args.to_time) if args.to_time else None
        # The server may be down or its data gone: that is what this restores.
        d = stack.from_arguments(args, check_server=False)
        into = (stack.load(stack=args.target_stack, outputs_file=args.target_outputs,
                           stack_file=args.target_stack_file)
                if args.target_stack or args.target_outputs else None)
        server_restore.restore(d, target=target, into=into,
                               keep_current=not args.discard_current, log=print)
    except (stack.StackError, PitrError) as exc:
        print(exc, file=sys.stderr)
        return 2
    return 0
