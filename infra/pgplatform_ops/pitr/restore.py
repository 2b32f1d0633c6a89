"""`scripts/restore --server`: the whole server back to a moment (or to the last archived WAL)
from its pgBackRest repository.

1. Everything is checked before anything stops: the stack archives, its repository holds a
   backup old enough, the container to restore into exists.
2. A server that still runs archives its current WAL segment first (a restore to the latest
   then has every commit up to the stop, but those of its last moment). The replicas and the
   server stop. Unless told to discard it, what the data volume holds is
   copied into a new volume `<volume>-before-restore-<time>`, kept until the operator drops it.
3. In a throwaway container of the server's image: pgBackRest restores the base backup, the
   server replays the archived WAL to the target on its socket only, promotes, and shuts down
   cleanly. A restore of the stack itself archives the new timeline into its repository (a
   later restore must find it); the restore settings pgBackRest wrote are taken out again, so
   a replica copied later does not inherit a recovery target.
4. The server starts on the restored data (its entrypoint sets the admin's password from the
   stack's state, whatever the restored catalog had). Then the stack's pg_hba, reloadable
   settings and every login's password as the outputs give them are applied again (the
   restored catalog may predate them); the replicas' slots are made again (slots are not in a
   backup) and each replica copies the restored primary anew.
"""

from __future__ import annotations

import datetime
import shlex
import time
from dataclasses import dataclass

import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict

import docker
from pgplatform import hba, pitr, replication, scram, server_reload
from pgplatform.dsn import ADMIN_SESSION_OPTIONS
from pgplatform.model import DATA_DIR
from pgplatform_ops import containers
from pgplatform_ops.pitr.repo import (
    Info,
    Log,
    PitrError,
    info,
    info_in_server,
    record,
    settings,
    throwaway,
)
from pgplatform_ops.stack import DeployedStack

RESTORE_SETTINGS = ("restore_command", "recovery_target_time", "recovery_target_action",
                    "recovery_target_timeline", "recovery_target")
"""What `pgbackrest restore` writes into postgresql.auto.conf for the recovery."""
READY_TIMEOUT_S = 600


@dataclass(frozen=True, kw_only=True)
class Restored:
    seconds: float
    kept_volume: str
    """The copy of what the data volume held before ("" when it was empty or discarded)."""
    recovery: tuple[str, ...]
    """The server's own words on where recovery stopped."""
    passwords_reset: tuple[str, ...]
    missing_roles: tuple[str, ...]


def parse_target(text: str) -> datetime.datetime:
    try:
        moment = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise PitrError(f"--to-time {text!r} is not an ISO 8601 time. Fix: e.g. "
                        "2026-12-06T09:30:00Z") from exc
    if moment.tzinfo is None:
        raise PitrError(f"--to-time {text!r} has no time zone: the server would read it in its "
                        "own. Fix: add Z or an offset, e.g. 2026-12-06T09:30:00Z")
    return moment.astimezone(datetime.UTC)


def _check(source: DeployedStack, into: DeployedStack, target: datetime.datetime | None
           ) -> Info:
    settings(source)
    s = into.cfg.server
    if s.is_external:
        raise PitrError(f"--target-stack {into.name}: a managed server cannot be restored "
                        "into (its data directory is the provider's)")
    if into.name != source.name and s.pitr is not None:
        raise PitrError(f"--target-stack {into.name}: it archives into its own repository "
                        f"(server.pitr), which would refuse a copy of {source.name}'s server. "
                        "Fix: restore into a stack without server.pitr")
    client = docker.from_env()
    try:
        client.containers.get(s.container_name)
    except docker.errors.NotFound as exc:
        raise PitrError(f"the container {s.container_name} of stack {into.name} is not there. "
                        f"Fix: `scripts/up {into.name} --refresh` makes it again (a new, empty "
                        "server), then restore into it") from exc
    repo = info(source)
    if not repo.backups:
        raise PitrError(f"stack {source.name}: its repository holds no backup to restore "
                        f"from. Fix: `scripts/backup {source.name} --server` (and from then "
                        "on, regularly)")
    if target is not None:
        oldest = min(b.stopped for b in repo.backups)
        if target.timestamp() < oldest:
            raise PitrError(
                f"--to-time {target.isoformat()}: the oldest backup kept ended at "
                f"{_utc(oldest)}; no earlier moment can be restored")
    return repo


def _utc(unix: float) -> str:
    return datetime.datetime.fromtimestamp(unix, datetime.UTC).isoformat(timespec="seconds")


def _recovery_script(source: DeployedStack, into: DeployedStack,
                     target: datetime.datetime | None) -> str:
    if target is None:
        target_args = "--type=default"
    else:
        when = target.strftime("%Y-%m-%d %H:%M:%S.%f+00")
        target_args = f"--type=time {shlex.quote('--target=' + when)} --target-action=promote"
    same = into.name == source.name
    # The source's start-only settings: a server replaying WAL needs at least the resources
    # (max_connections and the like) of the server that wrote it.
    options = [*source.cfg.server.command()[1:], "-c", "listen_addresses=",
               "-c", f"archive_mode={'on' if same else 'off'}"]
    if same:
        options += ["-c", f"archive_command=pgbackrest --stanza={pitr.STANZA} archive-push %p"]
    pg_options = " ".join(shlex.quote(o) for o in options)
    return f"""set -eu
PGDATA={DATA_DIR}
as_pg() {{ setpriv --reuid=postgres --regid=postgres --init-groups "$@"; }}
fail() {{ echo "restore: $1; the server's log:"; tail -40 /tmp/recovery.log; exit 1; }}
find "$PGDATA" -mindepth 1 -delete
chown postgres:postgres "$PGDATA"
chmod 0700 "$PGDATA"
echo "restore: pgBackRest restores the base backup"
as_pg pgbackrest --stanza={pitr.STANZA} --log-level-console=info restore {target_args}
echo "restore: the server replays the archived WAL"
as_pg pg_ctl -D "$PGDATA" -l /tmp/recovery.log -w -t 86400 -o {shlex.quote(pg_options)} start \\
    || fail "the server did not start"
until [ "$(as_pg psql -h /var/run/postgresql -d postgres -tAc 'SELECT pg_is_in_recovery()' \\
        2>/dev/null)" = f ]; do
    as_pg pg_ctl -D "$PGDATA" status >/dev/null || fail "the server stopped during recovery"
    sleep 1
done
grep -E "recovery stopping|last completed transaction|selected new timeline" /tmp/recovery.log \\
    | sed 's/^/restore: server: /' || true
for s in {' '.join(RESTORE_SETTINGS)}; do
    as_pg psql -h /var/run/postgresql -d postgres -qtAc "ALTER SYSTEM RESET $s"
done
as_pg pg_ctl -D "$PGDATA" -m fast -w -t 600 stop
echo "restore: promoted and shut down cleanly"
"""


ARCHIVE_WAIT_S = 60


def _archive_current(d: DeployedStack, log: Log) -> None:
    """A server that still runs closes its current WAL segment and archives it before it
    stops, so a restore to the latest (or to a moment just past) has every commit up to now.
    A server that does not answer is what a restore is for: nothing to wait for."""
    try:
        with psycopg.connect(d.admin_dsn(), autocommit=True, connect_timeout=5,
                             options=ADMIN_SESSION_OPTIONS) as conn:
            row = conn.execute("SELECT pg_walfile_name(pg_switch_wal())").fetchone()
            assert row is not None
            deadline = time.monotonic() + ARCHIVE_WAIT_S
            while time.monotonic() < deadline:
                done = conn.execute("SELECT last_archived_wal >= %s FROM pg_stat_archiver",
                                    (row[0],)).fetchone()
                if done and done[0]:
                    log(f"restore: the running server archived its WAL through {row[0]}")
                    return
                time.sleep(0.5)
            log(f"restore: {row[0]} not archived within {ARCHIVE_WAIT_S} s: the restore "
                "reaches the last segment archived before it")
    except psycopg.OperationalError:
        log("restore: the server does not answer: the restore reaches the last archived WAL")


def _stopped(client: docker.DockerClient, name: str, log: Log) -> None:
    container = client.containers.get(name)
    if container.status == "running":
        log(f"restore: stopping {name}")
        container.stop(timeout=60)


def _image(client: docker.DockerClient, container: str) -> str:
    image = client.containers.get(container).image
    if image is None or not image.id:
        raise PitrError(f"restore: cannot tell the image of {container}")
    return str(image.id)


def _keep_current(client: docker.DockerClient, into: DeployedStack, log: Log) -> str:
    """A copy of what the data volume holds, in a new volume ("" when there is no data)."""
    s = into.cfg.server
    image = _image(client, s.container_name)
    probe = "[ -s /from/PG_VERSION ] && echo data || echo empty"
    code, out, _ = containers.run_once(client, image, entrypoint=["sh", "-c", probe],
                                       user="root", network_mode="none",
                                       volumes={s.volume_name: {"bind": "/from", "mode": "ro"}})
    if code != 0 or out.decode().strip() != "data":
        log(f"restore: {s.volume_name} holds no server: nothing to keep")
        return ""
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    name = f"{s.replaced_data_prefix}{stamp}"
    client.volumes.create(name, labels={"pgplatform.stack": into.name,
                                        "pgplatform.kept-by": "scripts/restore --server"})
    log(f"restore: copying what {s.volume_name} holds into {name} (kept; drop it with "
        f"`docker volume rm {name}` once the restore is checked)")
    code, _, err = containers.run_once(
        client, image, entrypoint=["sh", "-c", "cp -a /from/. /to/"], user="root",
        network_mode="none", volumes={s.volume_name: {"bind": "/from", "mode": "ro"},
                                      name: {"bind": "/to", "mode": "rw"}})
    if code != 0:
        raise PitrError(f"restore: copying {s.volume_name} into {name} failed, nothing was "
                        f"restored: {err.decode(errors='replace').strip()}")
    return name


def _healthy(client: docker.DockerClient, name: str, log: Log) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_S
    while time.monotonic() < deadline:
        container = client.containers.get(name)
        health = container.attrs.get("State", {}).get("Health", {}).get("Status", "")
        if health == "healthy":
            return
        if container.status in ("exited", "dead"):
            tail = container.logs(tail=20).decode(errors="replace")
            raise PitrError(f"restore: {name} stopped after the restore:\n{tail}")
        time.sleep(1)
    raise PitrError(f"restore: {name} not healthy after {READY_TIMEOUT_S} s")


def _passwords(into: DeployedStack) -> tuple[list[str], list[str]]:
    """Every login's password as the outputs give it: (reset, missing)."""
    reset, missing = [], []
    with psycopg.connect(into.admin_dsn(), autocommit=True, connect_timeout=15,
                         options=ADMIN_SESSION_OPTIONS) as admin:
        for role, dsn in into.logins():
            if admin.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone() \
                    is None:
                missing.append(role)
                continue
            try:
                psycopg.connect(dsn, connect_timeout=10).close()
                continue
            except psycopg.OperationalError as exc:
                if "password authentication failed" not in str(exc):
                    raise
            password = str(conninfo_to_dict(dsn)["password"])
            admin.execute(sql.SQL("ALTER ROLE {} PASSWORD {}").format(
                sql.Identifier(role), sql.Literal(scram.verifier(role, password))))
            reset.append(role)
    return reset, missing


def _gateway(client: docker.DockerClient, network: str) -> str:
    configs = client.networks.get(network).attrs.get("IPAM", {}).get("Config") or []
    gateways = [c["Gateway"] for c in configs if c.get("Gateway")]
    if not gateways:
        raise PitrError(f"restore: Docker reports no gateway for network {network}")
    return str(gateways[0])


def _replicas(client: docker.DockerClient, into: DeployedStack, log: Log) -> None:
    """Each replica copies the restored primary anew, through its slot made again."""
    s = into.cfg.server
    for i in range(s.replicas):
        replication.ensure_slot(into.admin_dsn(), s.replica_slot(i))
        code, _, err = containers.run_once(
            client, _image(client, s.replica_name(i)),
            entrypoint=["sh", "-c", "find /data -mindepth 1 -delete"], user="root",
            network_mode="none", volumes={s.replica_volume(i): {"bind": "/data", "mode": "rw"}})
        if code != 0:
            raise PitrError(f"restore: emptying {s.replica_volume(i)} failed: "
                            f"{err.decode(errors='replace').strip()}")
        log(f"restore: {s.replica_name(i)} copies the restored primary")
        client.containers.get(s.replica_name(i)).start()
        _healthy(client, s.replica_name(i), log)


def restore(source: DeployedStack, *, target: datetime.datetime | None,
            into: DeployedStack | None = None, keep_current: bool = True,
            log: Log = print) -> Restored:
    """`source`'s server to `target` (None: the last archived WAL), into `source` itself or
    into another stack's server (`into`, for inspection: `source` is not touched)."""
    into = into or source
    started = time.monotonic()
    repo = _check(source, into, target)
    newest = repo.newest
    assert newest is not None
    log(f"restore: {source.name}'s repository: {len(repo.backups)} backup(s), newest "
        f"{newest.label} ({_utc(newest.stopped)}), WAL {repo.wal_min}..{repo.wal_max}; target "
        + (target.isoformat() if target else "the last archived WAL"))
    client = docker.from_env()
    s = into.cfg.server
    if into.name == source.name:
        _archive_current(source, log)
    for i in range(s.replicas):
        _stopped(client, s.replica_name(i), log)
    _stopped(client, s.container_name, log)
    kept = _keep_current(client, into, log) if keep_current else ""
    lines: list[str] = []

    def progress(line: str) -> None:
        for part in line.splitlines():
            if part.startswith("restore:") or " INFO: " in part:
                lines.append(part)
                log(f"  {part}")

    throwaway(source, _recovery_script(source, into, target),
              volumes={s.volume_name: {"bind": DATA_DIR, "mode": "rw"}}, log=progress,
              shm_mb=source.cfg.server.shm_size_mb)
    log(f"restore: starting {s.container_name} on the restored data")
    client.containers.get(s.container_name).start()
    _healthy(client, s.container_name, log)
    hba.apply(into.admin_dsn(), [r.line() for r in hba.rules(
        into.cfg, _gateway(client, s.network_name))])
    server_reload.apply(into.admin_dsn(), s.reload_settings)
    reset, missing = _passwords(into)
    if into.name == source.name:
        # The restored table lists the backups of its moment; the repository has them all.
        record(into, info_in_server(into))
    if reset:
        log(f"restore: passwords set again (the restored catalog predates them): {reset}")
    if missing:
        log(f"restore: roles the restored catalog predates: {missing}. Fix: `scripts/up "
            f"{into.name} --refresh` creates them")
    _replicas(client, into, log)
    seconds = time.monotonic() - started
    log(f"restore: {into.name} restored in {seconds:.1f} s. Next: `scripts/verify {into.name}`")
    return Restored(seconds=seconds, kept_volume=kept,
                    recovery=tuple(ln.removeprefix("restore: server: ") for ln in lines
                                   if ln.startswith("restore: server: ")),
                    passwords_reset=tuple(reset), missing_roles=tuple(missing))
