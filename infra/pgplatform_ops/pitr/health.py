"""The WAL archive and base backups as `scripts/status` reports them: pg_stat_archiver (what
the server says of archiving) and the repository's own list of backups."""

from __future__ import annotations

import datetime
from typing import Any

import psycopg

from pgplatform_ops.pitr.repo import PitrError, info_in_server
from pgplatform_ops.stack import DeployedStack

ARCHIVER = """
SELECT archived_count, last_archived_wal, last_archived_time, failed_count, last_failed_wal,
       last_failed_time, pg_walfile_name(pg_current_wal_lsn()),
       (SELECT count(*) FROM pg_ls_archive_statusdir() WHERE name LIKE '%%.ready'),
       clock_timestamp()
  FROM pg_stat_archiver"""


def _iso(value: datetime.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def collect(d: DeployedStack, conn: psycopg.Connection) -> dict[str, Any] | None:
    """None when the stack does not archive."""
    pitr = d.cfg.server.pitr
    if pitr is None or d.cfg.server.is_external:
        return None
    row = conn.execute(ARCHIVER).fetchone()
    assert row is not None
    (archived, last_wal, last_at, failed, failed_wal, failed_at, current, ready, now) = row
    out: dict[str, Any] = {
        "archived_count": int(archived), "last_archived_wal": last_wal,
        "last_archived_at": _iso(last_at),
        "last_archived_age_seconds": (now - last_at).total_seconds() if last_at else None,
        "failed_count": int(failed), "last_failed_wal": failed_wal,
        "last_failed_at": _iso(failed_at), "current_wal": current,
        "segments_waiting": int(ready),
        # Failing now: the newest attempt failed (a success since clears it).
        "failing": failed_at is not None and (last_at is None or failed_at > last_at),
        "max_backup_age_hours": pitr.max_backup_age_h, "backups": [], "repository_error": None}
    try:
        repo = info_in_server(d)
    except PitrError as exc:
        out["repository_error"] = str(exc)
        return out
    out["backups"] = [{"label": b.label, "kind": b.kind,
                       "stopped_at": datetime.datetime.fromtimestamp(
                           b.stopped, datetime.UTC).isoformat(),
                       "age_hours": round((now.timestamp() - b.stopped) / 3600, 2),
                       "bytes": b.size, "repository_bytes": b.repo_size}
                      for b in sorted(repo.backups, key=lambda b: b.stopped)]
    out["wal_range"] = [repo.wal_min, repo.wal_max]
    return out


def alerts(h: dict[str, Any] | None) -> list[str]:
    """Point-in-time recovery at risk: archiving fails, or no backup recent enough."""
    if h is None:
        return []
    out = []
    if h["failing"]:
        out.append(f"WAL archiving fails: {h['last_failed_wal']} at {h['last_failed_at']} "
                   f"({h['failed_count']} failures, {h['segments_waiting']} segment(s) waiting);"
                   " see the server log for pgBackRest's error")
    if h["repository_error"]:
        out.append(f"the pgBackRest repository cannot be read: {h['repository_error']}")
    elif not h["backups"]:
        out.append("no base backup in the repository: nothing to restore from. Fix: "
                   "`scripts/backup STACK --server`, then regularly (docs/operations.md)")
    else:
        newest = h["backups"][-1]
        if newest["age_hours"] > h["max_backup_age_hours"]:
            out.append(f"the newest base backup ({newest['label']}) is {newest['age_hours']:.1f} h "
                       f"old, over server.pitr.maxBackupAgeHours ({h['max_backup_age_hours']}):"
                       " the backup job stopped?")
    return out


def markdown(h: dict[str, Any] | None) -> list[str]:
    if h is None:
        return []
    lines = ["", "Point-in-time recovery (server.pitr):", "",
             f"- WAL archived: {h['archived_count']}, last {h['last_archived_wal'] or 'none'} "
             f"at {h['last_archived_at'] or '-'}"
             + (f" ({h['last_archived_age_seconds']:.0f} s ago)"
                if h["last_archived_age_seconds"] is not None else "")
             + f"; writing {h['current_wal']}; {h['segments_waiting']} segment(s) waiting",
             f"- archive failures: {h['failed_count']}"
             + (f", last {h['last_failed_wal']} at {h['last_failed_at']}"
                if h["last_failed_at"] else "")
             + (" — FAILING NOW" if h["failing"] else "")]
    if h["backups"]:
        lines += ["", "| backup | kind | ended | age (h) | database bytes | added to repository |",
                  "| --- | --- | --- | ---: | ---: | ---: |"]
        lines += [f"| {b['label']} | {b['kind']} | {b['stopped_at']} | {b['age_hours']:.2f} | "
                  f"{b['bytes']:,} | {b['repository_bytes']:,} |" for b in h["backups"]]
    return lines
