"""`scripts/backup --server`: a full, differential or incremental base backup of the whole
server into its pgBackRest repository, beside the WAL archived continuously. Together they let
`scripts/restore --server` bring the server back to any moment since the oldest kept full
backup; pgBackRest expires what `server.pitr.retentionFull` no longer keeps."""

from __future__ import annotations

import time
from dataclasses import dataclass

from pgplatform import pitr
from pgplatform.model import DATA_DIR
from pgplatform_ops.pitr.repo import Backup, Log, in_server, info_in_server, pgbackrest, record
from pgplatform_ops.stack import DeployedStack

KINDS = ("full", "diff", "incr")


@dataclass(frozen=True, kw_only=True)
class Taken:
    backup: Backup
    seconds: float
    repo_bytes: int
    data_bytes: int


def _bytes(d: DeployedStack, path: str) -> int:
    return int(in_server(d, ["du", "-sb", path]).split()[0])


def take(d: DeployedStack, kind: str, log: Log) -> Taken:
    if kind not in KINDS:
        raise ValueError(f"backup kind {kind!r}: use one of {KINDS}")
    # Idempotent; the first archived segment usually created it already.
    pgbackrest(d, ["stanza-create"])
    log(f"backup --server {d.name}: a {kind} backup into {d.cfg.server.pitr_volume} …")
    started = time.monotonic()
    pgbackrest(d, [f"--type={kind}", "--log-level-console=info", "backup"],
               log=lambda line: log(f"  {line}"))
    seconds = time.monotonic() - started
    repo_info = info_in_server(d)
    record(d, repo_info)
    newest = repo_info.newest
    if newest is None:
        raise RuntimeError("backup --server: pgBackRest reported success but lists no backup")
    repo = pitr.repo_path(d.outputs.pitr_passphrase)
    taken = Taken(backup=newest, seconds=seconds, repo_bytes=_bytes(d, repo),
                  data_bytes=_bytes(d, DATA_DIR))
    log(f"backup --server {d.name}: {newest.kind} {newest.label} in {seconds:.1f} s; database "
        f"{newest.size / 1e6:.1f} MB, this backup {newest.repo_size / 1e6:.1f} MB in the "
        f"repository; repository {taken.repo_bytes / 1e6:.1f} MB (backups and WAL), data "
        f"volume {taken.data_bytes / 1e6:.1f} MB")
    return taken
