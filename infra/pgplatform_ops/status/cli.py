"""`scripts/status`: per database and service, bytes, tables, estimated rows (the planner's
reltuples, not a count) and growth since the previous status; connections per role against its
limit; denied access since the previous status (from the server log, less exactly the denials
verification runs recorded of their own probes); tables outside their place.

Alerts (exit 1): a connection attempt refused to a database that is not the role's own (a
service's login at another database, seed 000's line), or by a role the model does not have; a
platform role (admin, exporter, watchdog, replicator) refused a connection; a table outside its
service's schemas or not owned by its owner role; with server.pitr, WAL archiving failing, no
base backup, or the newest older than server.pitr.maxBackupAgeHours. Exit 2: bad arguments, or
the stack, its outputs, the server or its container cannot be read (nothing recorded); 0
otherwise.

    scripts/status dev [--json status.json] [--markdown status.md]
    scripts/status dev --inspect [--json findings.json]
    scripts/status --outputs outputs.json
"""

from __future__ import annotations

import argparse
import datetime
import json
import sys
from pathlib import Path

import psycopg

import docker
from pgplatform_ops import stack
from pgplatform_ops.status import collect, inspect, report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="scripts/status", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    stack.add_arguments(parser)
    parser.add_argument("--json", type=Path, help="write the status as JSON here")
    parser.add_argument("--markdown", type=Path, help="write the status as Markdown here")
    parser.add_argument("--inspect", action="store_true",
                        help="instead: the checks a DBA runs first, per service (cache hits, "
                             "unused and duplicate indexes, bloat, sequential scans of large "
                             "tables, tables never vacuumed or analysed, long transactions, "
                             "blocking locks); records nothing, exit 0")
    args = parser.parse_args(argv)
    for given in (args.json, args.markdown):
        if given is not None and not given.resolve().parent.is_dir():
            parser.error(f"{given}: directory {given.resolve().parent} does not exist. Fix: "
                         "create it, or name a file in an existing directory")
    if args.inspect:
        return _inspect(args)
    try:
        d = stack.from_arguments(args)
        cursor, before = collect.previous(d)
        taken_at = datetime.datetime.now(datetime.UTC).isoformat()
        since = (before or {}).get("log_read_at")
        now, new_cursor = collect.snapshot(d, cursor, since, log=print)
    except (stack.StackError, psycopg.Error) as exc:
        print(f"status: {exc}", file=sys.stderr)
        return 2
    except docker.errors.NotFound as exc:
        print(f"status: the server's container {d.cfg.server.container_name} is not there "
              f"({exc.explanation}). Fix: deploy the stack (`scripts/up {d.name}`), or pass "
              "the outputs of the stack that runs", file=sys.stderr)
        return 2
    except docker.errors.DockerException as exc:
        print(f"status: no Docker engine answers to read the server's log ({exc}). Fix: start "
              "Docker, or run status where the stack's containers run", file=sys.stderr)
        return 2
    status = {"stack": d.name, "taken_at": taken_at, **report.with_growth(now, before)}
    status["alerts"] = report.alerts(status)
    text = report.markdown(status)
    if args.json:
        args.json.write_text(json.dumps(status, indent=2, sort_keys=True) + "\n")
    if args.markdown:
        args.markdown.write_text(text)
    print(text)
    # Only once the report is out: a run that fails before leaves the window to the next.
    collect.record(d, taken_at, new_cursor, now)
    return 1 if status["alerts"] else 0


def _inspect(args: argparse.Namespace) -> int:
    try:
        d = stack.from_arguments(args)
        found = inspect.inspect(d)
    except (stack.StackError, psycopg.Error) as exc:
        print(f"status: {exc}", file=sys.stderr)
        return 2
    text = inspect.markdown(d, found)
    if args.json:
        args.json.write_text(json.dumps(inspect.as_json(found), indent=2) + "\n")
    if args.markdown:
        args.markdown.write_text(text)
    print(text)
    return 0
