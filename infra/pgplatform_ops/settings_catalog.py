"""The server's own parameter list, read from a running server of the image, for the settings
validation of `pgplatform.server_settings` (which reads the committed copy: no server exists
when a stack's config is checked).

    scripts/settings-catalog --dsn "$ADMIN_DSN" --write   # after changing the image

The integration suite reads the built image the same way and fails, naming this command, when
the committed copy differs.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

import psycopg

from pgplatform import server_settings

# Extensions whose settings a stack may set: loading one defines its parameters in the session.
LIBRARIES = ("vector",)


def read(conn: psycopg.Connection) -> dict[str, Any]:
    """{"server_version", "settings": {name: {type, context, unit, min, max, enum}}}."""
    for library in LIBRARIES:
        conn.execute(f"LOAD '{library}'".encode())
    rows = conn.execute("SELECT name, vartype, context, unit, min_val, max_val, enumvals "
                        "FROM pg_catalog.pg_settings ORDER BY name").fetchall()
    version = conn.execute("SHOW server_version").fetchone()
    return {
        "server_version": str(version[0]) if version else "",
        "settings": {str(r[0]): {"type": r[1], "context": r[2], "unit": r[3], "min": r[4],
                                 "max": r[5], "enum": list(r[6]) if r[6] else None}
                     for r in rows},
    }


def render(catalog: dict[str, Any]) -> str:
    return json.dumps(catalog, indent=1, sort_keys=True) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="scripts/settings-catalog", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dsn", required=True, help="an admin DSN of a server of the image")
    parser.add_argument("--write", action="store_true",
                        help=f"replace {server_settings.CATALOG} (else print a diff summary)")
    args = parser.parse_args(argv)
    with psycopg.connect(args.dsn, autocommit=True) as conn:
        fresh = read(conn)
    if args.write:
        server_settings.CATALOG.write_text(render(fresh))
        print(f"wrote {len(fresh['settings'])} settings of PostgreSQL {fresh['server_version']} "
              f"to {server_settings.CATALOG}")
        return 0
    committed = server_settings.catalog()
    changed = sorted(set(fresh["settings"]) ^ set(committed)
                     | {n for n in fresh["settings"] if committed.get(n) != fresh["settings"][n]})
    print(f"{len(changed)} settings differ from {server_settings.CATALOG}: {changed[:20]}")
    return 1 if changed else 0


if __name__ == "__main__":
    sys.exit(main())
