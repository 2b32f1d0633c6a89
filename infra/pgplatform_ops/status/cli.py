"""`scripts/status`: per database and service, bytes, tables, estimated rows and growth since
the previous status; connections per role against its limit; denied access since the
previous status (from the server log); tables outside their place. Exit 1 on a seed-000
alert (any cross-database attempt, a table in the wrong place).

    scripts/status dev [--json status.json] [--markdown status.md]
    scripts/status --outputs outputs.json
"""

from __future__ import annotations

import argparse
import datetime
import json
import sys
from pathlib import Path

import psycopg

from pgplatform_ops import stack
from pgplatform_ops.status import collect, report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="scripts/status", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    stack.add_arguments(parser)
    parser.add_argument("--json", type=Path, help="write the status as JSON here")
    parser.add_argument("--markdown", type=Path, help="write the status as Markdown here")
    args = parser.parse_args(argv)
    try:
        d = stack.from_arguments(args)
        cursor, before = collect.previous(d)
        taken_at = datetime.datetime.now(datetime.UTC).isoformat()
        now, new_cursor = collect.snapshot(d, cursor, log=print)
    except (stack.StackError, psycopg.Error) as exc:
        print(f"status: {exc}", file=sys.stderr)
        return 2
    status = {"stack": d.name, "taken_at": taken_at, **report.with_growth(now, before)}
    status["alerts"] = report.alerts(status)
    collect.record(d, taken_at, new_cursor, now)
    text = report.markdown(status)
    print(text)
    if args.json:
        args.json.write_text(json.dumps(status, indent=2, sort_keys=True) + "\n")
    if args.markdown:
        args.markdown.write_text(text)
    return 1 if status["alerts"] else 0
