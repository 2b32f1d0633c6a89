"""Denied access as `scripts/status` counts it from the server log (verification's own probes
taken out), kept in `postgres`'s bookkeeping schema for the exporter, which cannot read the
log: per role, database and kind, the running total and when a status run last saw one. The
admin's to write; the exporter's login may read it and nothing else there. The table is made
at deploy time so the exporter's query has it before the first status run."""

from __future__ import annotations

from pgplatform import maintenance

TABLE = "denied_access"
COLUMNS = """
    role text NOT NULL,
    database text NOT NULL,
    kind text NOT NULL,
    service text NOT NULL,
    total bigint NOT NULL,
    last_seen_at timestamptz NOT NULL,
    PRIMARY KEY (role, database, kind)"""


def install(admin_dsn: str, reader: str | None) -> None:
    maintenance.readable_table(admin_dsn, TABLE, COLUMNS, reader)


def remove(admin_dsn: str) -> None:
    maintenance.drop_table(admin_dsn, TABLE)
