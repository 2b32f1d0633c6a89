"""The whole server's backup and restore (server.pitr) holding the vector bench's documents:
the base backups' wall times, the repository against the data volume, and the wall time of a
restore to the last archived WAL (the RTO: the server and its replicas back, verified by a
checksum of every document before and after)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg import sql

from pgplatform.migrate.runner import act_as_owner
from pgplatform_ops.bench.stack import BenchError, Deployed, log
from pgplatform_ops.bench.vector_data import synthetic
from pgplatform_ops.bench.vectors import MODULE, TABLE, load
from pgplatform_ops.pitr import backup, restore


@dataclass(frozen=True, kw_only=True)
class PitrResult:
    documents: int
    full_seconds: float
    incr_seconds: float
    restore_seconds: float
    repository_bytes: int
    data_bytes: int
    same_documents: bool

    def figures(self) -> dict[str, float]:
        return {"pitr.documents": self.documents,
                "pitr.backup_full_seconds": round(self.full_seconds, 1),
                "pitr.backup_incr_seconds": round(self.incr_seconds, 1),
                "pitr.restore_seconds": round(self.restore_seconds, 1),
                "pitr.repository_bytes": self.repository_bytes,
                "pitr.data_volume_bytes": self.data_bytes,
                "pitr.same_documents": int(self.same_documents)}


def _checksum(admin: psycopg.Connection[Any], target: sql.Composable) -> tuple[int, str]:
    row = admin.execute(sql.SQL(
        "SELECT count(*), md5(string_agg(md5(d::text), '' ORDER BY d.id)) FROM {} d"
    ).format(target)).fetchone()
    assert row is not None
    return int(row[0]), str(row[1])


def run(deployed: Deployed, *, rows: int) -> PitrResult:
    if deployed.cfg.server.pitr is None:
        raise BenchError(f"stack {deployed.name} has no server.pitr: nothing to back up")
    svc = deployed.service_for_module(MODULE)
    target = sql.Identifier(svc.schema, TABLE)
    with psycopg.connect(deployed.admin_dsn(svc.database), autocommit=True) as admin:
        load(admin, deployed, synthetic(rows, queries=0))
        before = _checksum(admin, target)
    full = backup.take(deployed, "full", log)
    incr = backup.take(deployed, "incr", log)
    log(f"pitr: restore {deployed.name} to the last archived WAL (the data replaced, not kept)")
    restored = restore.restore(deployed, target=None, keep_current=False, log=log)
    with psycopg.connect(deployed.admin_dsn(svc.database), autocommit=True) as admin:
        after = _checksum(admin, target)
        with admin.transaction():
            act_as_owner(admin, svc.owner_role, svc.schemas)
            admin.execute(sql.SQL("TRUNCATE {}").format(target))
    log(f"pitr: {after[0]:,} documents after the restore, checksum "
        f"{'the same' if after == before else 'DIFFERENT'}; truncated")
    return PitrResult(documents=before[0], full_seconds=full.seconds, incr_seconds=incr.seconds,
                      restore_seconds=restored.seconds, repository_bytes=incr.repo_bytes,
                      data_bytes=incr.data_bytes, same_documents=after == before)
