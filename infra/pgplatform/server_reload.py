"""Reloadable server settings applied to a running server: `ALTER SYSTEM` (kept in the data
volume's postgresql.auto.conf, so a replaced container keeps them) and `pg_reload_conf()`.
No Pulumi here: `components/settings.py` calls it from a dynamic provider."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import psycopg
from psycopg import sql

from pgplatform.dsn import ADMIN_SESSION_OPTIONS
from pgplatform.progress import Log, quiet


class ReloadError(RuntimeError):
    pass


def _name(setting: str) -> sql.Composable:
    # `hnsw.ef_search`: one identifier per part, as the grammar reads a dotted name.
    return sql.SQL(".").join(sql.Identifier(part) for part in setting.split("."))


def apply(admin_dsn: str, wanted: Mapping[str, str], dropped: Iterable[str] = (),
          log: Log = quiet) -> None:
    """Set `wanted`, reset `dropped`, reload; fail naming any setting the server refused."""
    with psycopg.connect(admin_dsn, autocommit=True, connect_timeout=15,
                         options=ADMIN_SESSION_OPTIONS) as conn:
        for name in sorted(set(dropped) - set(wanted)):
            conn.execute(sql.SQL("ALTER SYSTEM RESET {}").format(_name(name)))
        for name, value in sorted(wanted.items()):
            conn.execute(sql.SQL("ALTER SYSTEM SET {} = {}").format(_name(name),
                                                                     sql.Literal(value)))
        conn.execute("SELECT pg_reload_conf()")
        refused = conn.execute(
            "SELECT name, error FROM pg_file_settings WHERE error IS NOT NULL AND name = ANY(%s)",
            (list(wanted),)).fetchall()
    if refused:
        raise ReloadError("server settings refused by the server: "
                          + "; ".join(f"{n}: {e}" for n, e in refused))
    log(f"server settings: {len(wanted)} set, reloaded without a restart")
