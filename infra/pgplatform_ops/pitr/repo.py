"""Running pgBackRest against a stack's repository: in the server container while it runs, or
in a throwaway container of the server's image with the repository volume mounted."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import psycopg
from psycopg import sql

import docker
from pgplatform import access, pitr
from pgplatform.dsn import ADMIN_SESSION_OPTIONS
from pgplatform.model import BOOKKEEPING_SCHEMA, PitrConfig
from pgplatform_ops.stack import DeployedStack

Log = Callable[[str], None]


class PitrError(RuntimeError):
    pass


def settings(d: DeployedStack) -> PitrConfig:
    """The stack's PITR settings; a clear error when it has none."""
    s = d.cfg.server
    if s.pitr is None or s.is_external:
        raise PitrError(f"stack {d.name} has no point-in-time recovery (server.pitr). Fix: "
                        "enable it in the stack file and deploy (`scripts/up STACK`)")
    if not d.outputs.pitr_passphrase:
        raise PitrError(f"stack {d.name}: the outputs carry no pitr_passphrase (deployed before "
                        "server.pitr was enabled?). Fix: deploy the stack file "
                        f"(`scripts/up {d.name}`)")
    return s.pitr


def in_server(d: DeployedStack, argv: Sequence[str], log: Log | None = None) -> str:
    """`argv` in the running server container as the server's user (the one that owns the
    data directory and reaches the server on its socket); its output, each line to `log` as
    it comes."""
    settings(d)
    api = docker.from_env().api
    try:
        exec_id = str(api.exec_create(d.cfg.server.container_name, list(argv),
                                      user="postgres")["Id"])
    except docker.errors.NotFound as exc:
        raise PitrError(f"the server's container {d.cfg.server.container_name} is not there. "
                        f"Fix: deploy the stack (`scripts/up {d.name}`)") from exc
    except docker.errors.APIError as exc:
        raise PitrError(f"the server's container {d.cfg.server.container_name} does not run "
                        f"({exc.explanation}). Fix: start it, or restore the server "
                        "(`scripts/restore --server`)") from exc
    chunks = []
    stream = cast(Iterable[bytes], api.exec_start(exec_id, stream=True))
    for chunk in stream:
        text = bytes(chunk).decode(errors="replace")
        chunks.append(text)
        if log is not None:
            for line in text.splitlines():
                log(line)
    out = "".join(chunks)
    code = api.exec_inspect(exec_id)["ExitCode"]
    if code != 0:
        raise PitrError(f"{' '.join(argv[:3])} failed (exit {code}): "
                        + "\n".join(out.strip().splitlines()[-10:]))
    return out


def pgbackrest(d: DeployedStack, args: Sequence[str], log: Log | None = None) -> str:
    return in_server(d, ["pgbackrest", f"--stanza={pitr.STANZA}", *args], log)


@dataclass(frozen=True, kw_only=True)
class Backup:
    label: str
    kind: str
    """full, diff or incr"""
    started: float
    stopped: float
    """Unix times."""
    size: int
    """The database's bytes at the time."""
    repo_size: int
    """What it added to the repository (compressed, encrypted)."""


@dataclass(frozen=True, kw_only=True)
class Info:
    status: str
    backups: tuple[Backup, ...]
    wal_min: str
    wal_max: str

    @property
    def newest(self) -> Backup | None:
        return max(self.backups, key=lambda b: b.stopped, default=None)


def parse_info(text: str) -> Info:
    """`pgbackrest info --output=json` of the one stanza."""
    stanzas: list[dict[str, Any]] = json.loads(text)
    if not stanzas:
        return Info(status="no stanza", backups=(), wal_min="", wal_max="")
    stanza = stanzas[0]
    archives = stanza.get("archive") or [{}]
    return Info(
        status=str(stanza.get("status", {}).get("message", "")),
        backups=tuple(Backup(label=b["label"], kind=b["type"],
                             started=float(b["timestamp"]["start"]),
                             stopped=float(b["timestamp"]["stop"]),
                             size=int(b["info"]["size"]),
                             repo_size=int(b["info"]["repository"]["delta"]))
                      for b in stanza.get("backup", [])),
        wal_min=str(archives[-1].get("min") or ""), wal_max=str(archives[-1].get("max") or ""))


@contextmanager
def conf_file(d: DeployedStack) -> Iterator[Path]:
    """The stack's pgbackrest.conf (the passphrase in it) for a throwaway container: readable
    by the container's `postgres`, in a directory only this user can enter, gone after."""
    cfg = settings(d)
    with tempfile.TemporaryDirectory(prefix="pgplatform-pitr-") as tmp:
        conf = Path(tmp) / "pgbackrest.conf"
        conf.write_text(pitr.conf_text(cfg, d.outputs.pitr_passphrase))
        conf.chmod(0o644)
        yield conf


def throwaway(d: DeployedStack, script: str, *, volumes: dict[str, dict[str, str]],
              log: Log | None = None, shm_mb: int = 64) -> str:
    """`script` (sh) as root in a throwaway container of the stack's server image, the
    repository at its place (read-write: a restore of the same stack archives its new timeline
    there) and pgbackrest.conf at its default path; its output, or PitrError."""
    from pgplatform_ops import containers

    client = docker.from_env()
    with conf_file(d) as conf:
        code, out, err = containers.run_once(
            client, d.cfg.server.image_name, progress=log, entrypoint=["sh", "-c", script],
            user="root", network_mode="none", shm_size=f"{shm_mb}m",
            volumes={d.cfg.server.pitr_volume: {"bind": pitr.REPO_DIR, "mode": "rw"},
                     str(conf): {"bind": pitr.CONF_PATH, "mode": "ro"}, **volumes})
    text = (out + err).decode(errors="replace")
    if code != 0:
        raise PitrError(f"pgbackrest in a throwaway container failed (exit {code}):\n"
                        + "\n".join(text.strip().splitlines()[-15:]))
    return text


def info(d: DeployedStack) -> Info:
    """The repository's backups and WAL range, whether or not the server runs."""
    text = throwaway(d, f"exec setpriv --reuid=postgres --regid=postgres --init-groups "
                        f"pgbackrest --stanza={pitr.STANZA} info --output=json", volumes={})
    # Only the JSON line: the container's stderr may precede it.
    line = next((ln for ln in text.splitlines() if ln.startswith("[")), "[]")
    return parse_info(line)


def info_in_server(d: DeployedStack) -> Info:
    """The same, from the running server container (no new container)."""
    return parse_info(pgbackrest(d, ["info", "--output=json"]))


def record(d: DeployedStack, repo: Info) -> None:
    """The repository's backups into `postgres`'s table, as the admin, in one transaction:
    the exporter reports their age from it. The table is made as the program makes it, in
    case a restored catalog predates it."""
    monitor = access.monitor_role(d.cfg)
    pitr.install_catalog(d.admin_dsn(), monitor.name if monitor else None)
    table = sql.Identifier(BOOKKEEPING_SCHEMA, pitr.BACKUPS_TABLE)
    with psycopg.connect(d.admin_dsn(), connect_timeout=15,
                         options=ADMIN_SESSION_OPTIONS) as conn:
        conn.execute(sql.SQL("DELETE FROM {} WHERE NOT label = ANY(%s)").format(table),
                     ([b.label for b in repo.backups],))
        for b in repo.backups:
            conn.execute(sql.SQL(
                "INSERT INTO {} VALUES (%s, %s, to_timestamp(%s), to_timestamp(%s), %s, %s) "
                "ON CONFLICT (label) DO UPDATE SET kind = excluded.kind, "
                "started_at = excluded.started_at, stopped_at = excluded.stopped_at, "
                "database_bytes = excluded.database_bytes, "
                "repository_bytes = excluded.repository_bytes").format(table),
                (b.label, b.kind, b.started, b.stopped, b.size, b.repo_size))
