"""Point-in-time recovery on a real server (issue 26): a writer commits one marked row every
100 ms across a full backup and WAL switches; the data volume is lost; the server is restored
from its pgBackRest repository to a moment T (every row committed at or before T, none after)
or to the last archived WAL (what is lost is bounded by server.pitr.archiveTimeoutSeconds), and
verification passes on the restored server. A restore into another stack's server leaves the
stack itself untouched."""

from __future__ import annotations

import datetime
import json
import re
import threading
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
import pytest

import docker
from pgplatform import pitr, stack_config
from pgplatform_ops import containers
from pgplatform_ops import stack as stack_mod
from pgplatform_ops.stack import DeployedStack

from e2e_support import docker_available, script, sweep_leftovers

pytestmark = pytest.mark.e2e
STACK, COPY = "pitr", "pitrcopy"
ARCHIVE_TIMEOUT_S = 10
TABLE = "flipsync.pitr_marks"


def _values(name: str, port: int, *, pitr: bool) -> dict[str, Any]:
    server: dict[str, Any] = {
        "image": "build", "hostPort": port, "memoryMb": 1024, "shmSizeMb": 256,
        "allowVolumeDeletion": True,
        "settings": {"shared_buffers": "128MB", "maintenance_work_mem": "128MB",
                     "max_connections": 200,
                     # The writer reads each row's commit time as the server recorded it.
                     "track_commit_timestamp": "on"}}
    if pitr:
        server |= {"pitr": {"archiveTimeoutSeconds": ARCHIVE_TIMEOUT_S}, "replicas": 1,
                   "replicaHostPort": port + 1, "exporter": {"hostPort": port + 3700}}
    return {"server": server,
            "databases": [{"name": "flipsync", "extensions": []},
                          {"name": "paddle", "extensions": ["vector"]}],
            "services": [{"name": "flipsync_app", "database": "flipsync", "schema": "flipsync"},
                         {"name": "vector_store", "database": "paddle"},
                         {"name": "rag", "database": "paddle"}]}


@dataclass
class Deployed:
    name: str
    stack_file: Path
    outputs: Path

    def args(self) -> list[str]:
        return ["--outputs", str(self.outputs), "--stack-file", str(self.stack_file)]

    @property
    def d(self) -> DeployedStack:
        return stack_mod.load(outputs_file=self.outputs, stack_file=self.stack_file)

    def up(self) -> str:
        up = script("harness", "up", self.name, str(self.outputs), "--stack-file",
                    str(self.stack_file))
        assert up.returncode == 0, up.stdout[-3000:] + up.stderr[-3000:]
        return up.stdout


def _deploy(name: str, values: dict[str, Any], work: Path) -> Iterator[Deployed]:
    stack_file = work / f"Pulumi.{name}.yaml"
    stack_config.write_stack_file(stack_file, values)
    server = stack_config.from_stack_file(stack_file, name).server
    sweep_leftovers(name, server)
    deployed = Deployed(name, stack_file, work / f"{name}-outputs.json")
    try:
        deployed.up()
        yield deployed
    finally:
        script("harness", "down", name)
        sweep_leftovers(name, server)


@pytest.fixture(scope="module")
def pitr_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployed]:
    if not docker_available():
        pytest.skip("no Docker engine answers")
    yield from _deploy(STACK, _values(STACK, 15476, pitr=True), tmp_path_factory.mktemp("pitr"))


@dataclass
class Writer:
    """One committed row every 100 ms, each with the commit time the server recorded."""

    dsn: str
    committed: list[tuple[int, datetime.datetime]] = field(default_factory=list)
    error: str = ""
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def _run(self) -> None:
        try:
            with psycopg.connect(self.dsn, autocommit=True, connect_timeout=5) as conn:
                while not self._stop.is_set():
                    row = conn.execute(f"INSERT INTO {TABLE} (note) VALUES ('mark') "
                                       "RETURNING id, xmin::text").fetchone()
                    assert row is not None
                    at = conn.execute("SELECT pg_xact_commit_timestamp(%s::xid)",
                                      (row[1],)).fetchone()
                    assert at is not None
                    self.committed.append((int(row[0]), at[0]))
                    time.sleep(0.1)
        except psycopg.Error as exc:  # the disaster ends it
            self.error = str(exc).strip().splitlines()[0]

    def __enter__(self) -> Writer:
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        assert self._thread is not None
        self._thread.join(timeout=30)


def _admin(d: DeployedStack) -> psycopg.Connection:
    return psycopg.connect(d.admin_dsn(), autocommit=True, connect_timeout=10)


def _archived_through_now(d: DeployedStack) -> None:
    """Close the current WAL segment and wait until the archiver has it."""
    with _admin(d) as conn:
        row = conn.execute("SELECT pg_walfile_name(pg_switch_wal())").fetchone()
        assert row is not None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            done = conn.execute("SELECT last_archived_wal >= %s FROM pg_stat_archiver",
                                (row[0],)).fetchone()
            if done and done[0]:
                return
            time.sleep(0.5)
    raise AssertionError(f"segment {row[0]} not archived within 60 s")


def _present(d: DeployedStack) -> set[int]:
    with psycopg.connect(d.service_dsn("flipsync_app"), connect_timeout=10) as conn:
        return {int(r[0]) for r in conn.execute(f"SELECT id FROM {TABLE}")}


def _lose_data_volume(d: DeployedStack) -> None:
    """The disaster: the server dies (SIGKILL: no shutdown checkpoint, nothing flushed to the
    archive) and its data volume is emptied."""
    client = docker.from_env()
    s = d.cfg.server
    container = client.containers.get(s.container_name)
    container.kill()
    # Stopped, not restarted by its restart policy onto the emptied volume.
    container.stop(timeout=5)
    image = container.image
    assert image is not None and image.id
    code, _, err = containers.run_once(
        client, image.id, entrypoint=["sh", "-c", "find /d -mindepth 1 -delete"],
        user="root", network_mode="none", volumes={s.volume_name: {"bind": "/d", "mode": "rw"}})
    assert code == 0, err


def _verify(dep: Deployed) -> None:
    run = script("verify", *dep.args())
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]


def test_pitr__restore_to_a_time_keeps_exactly_the_rows_committed_by_then(
        pitr_stack: Deployed) -> None:
    d = pitr_stack.d
    with psycopg.connect(d.migrator_dsn("flipsync_app"), autocommit=True) as conn:
        conn.execute(f"CREATE TABLE {TABLE} (id bigserial PRIMARY KEY, note text NOT NULL)")
    with Writer(d.service_dsn("flipsync_app")) as writer:
        time.sleep(2)
        backup = script("backup", *pitr_stack.args(), "--server", "--type", "full")
        assert backup.returncode == 0, backup.stdout[-3000:] + backup.stderr[-3000:]
        print(backup.stdout.splitlines()[-1])
        _archived_through_now(d)
        time.sleep(ARCHIVE_TIMEOUT_S + 2)  # and one segment closed by archive_timeout
        with _admin(d) as conn:
            row = conn.execute("SELECT clock_timestamp()").fetchone()
            assert row is not None
            target: datetime.datetime = row[0]
        time.sleep(3)
    assert not writer.error, writer.error
    _archived_through_now(d)
    before = [i for i, at in writer.committed if at <= target]
    after = [i for i, at in writer.committed if at > target]
    assert len(before) > 50 and len(after) > 10, (len(before), len(after))

    _lose_data_volume(d)
    restore = script("restore", *pitr_stack.args(), "--server", "--to-time",
                     target.isoformat())
    assert restore.returncode == 0, restore.stdout[-4000:] + restore.stderr[-3000:]
    print(restore.stdout)
    assert "nothing to keep" in restore.stdout

    present = _present(d)
    assert set(before) <= present, f"lost: {sorted(set(before) - present)[:10]}"
    assert not present & set(after), f"after T: {sorted(present & set(after))[:10]}"
    _verify(pitr_stack)
    # The restored catalog predates nothing the program made: the next up changes nothing.
    assert " 0 created, 0 updated, 0 replaced, 0 deleted" in pitr_stack.up()


def test_pitr__restore_to_latest_after_losing_the_volume_under_writes(
        pitr_stack: Deployed) -> None:
    d = pitr_stack.d
    with Writer(d.service_dsn("flipsync_app")) as writer:
        # Long enough for several segments to close by archive_timeout alone.
        time.sleep(3 * ARCHIVE_TIMEOUT_S + 2)
        _lose_data_volume(d)
        time.sleep(1)
    assert writer.error, "the writer should have lost its server"
    last_id, last_at = writer.committed[-1]

    restore = script("restore", *pitr_stack.args(), "--server", "--to-latest")
    assert restore.returncode == 0, restore.stdout[-4000:] + restore.stderr[-3000:]
    print(restore.stdout)
    present = _present(d)
    mine = {i for i, _ in writer.committed}
    kept = max(present & mine)
    kept_at = dict(writer.committed)[kept]
    lost_s = (last_at - kept_at).total_seconds()
    print(f"RPO measured: {lost_s:.1f} s of committed writes lost "
          f"({last_id - kept} rows; archiveTimeoutSeconds {ARCHIVE_TIMEOUT_S})")
    # Every row up to the last one kept is there: no hole.
    assert {i for i in mine if i <= kept} <= present
    # The segment being written when the volume went is what is lost: at most one archive
    # timeout of commits, plus the push of the segment closed just before.
    assert lost_s <= ARCHIVE_TIMEOUT_S + 3, lost_s
    _verify(pitr_stack)


def test_pitr__restore_into_another_stack_leaves_the_stack_untouched(
        pitr_stack: Deployed, tmp_path_factory: pytest.TempPathFactory) -> None:
    d = pitr_stack.d
    client = docker.from_env()
    started = client.containers.get(d.cfg.server.container_name).attrs["State"]["StartedAt"]
    rows = _present(d)
    for copy in _deploy(COPY, _values(COPY, 15479, pitr=False),
                        tmp_path_factory.mktemp("pitrcopy")):
        restore = script("restore", *pitr_stack.args(), "--server", "--to-latest",
                         "--target-outputs", str(copy.outputs), "--target-stack-file",
                         str(copy.stack_file), "--discard-current")
        assert restore.returncode == 0, restore.stdout[-4000:] + restore.stderr[-3000:]
        # The copy holds the stack's rows, reached with its own admin.
        with psycopg.connect(copy.d.admin_dsn("flipsync"), connect_timeout=10) as conn:
            copied = {int(r[0]) for r in conn.execute(f"SELECT id FROM {TABLE}")}
        assert copied == rows
    assert client.containers.get(d.cfg.server.container_name).attrs["State"]["StartedAt"] \
        == started
    assert _present(d) == rows


def test_pitr__status_reports_the_archive_and_alerts_when_archiving_fails(
        pitr_stack: Deployed, tmp_path: Path) -> None:
    d = pitr_stack.d
    report = tmp_path / "status.json"
    healthy = script("status", *pitr_stack.args(), "--json", str(report))
    assert healthy.returncode == 0, healthy.stdout[-3000:] + healthy.stderr[-2000:]
    status = json.loads(report.read_text())["pitr"]
    assert status["backups"] and status["backups"][0]["kind"] == "full", status
    assert not status["failing"] and status["archived_count"] > 0, status
    # The exporter reports the same backups' age (monitoring/pgplatform-rules.yml alerts on it).
    with urllib.request.urlopen(d.outputs.metrics_url, timeout=10) as response:
        metrics = bytes(response.read()).decode()
    assert re.search(r'^pgplatform_pitr_backup_age_seconds\{[^}]*kind="full"[^}]*\} [0-9.e+]+$',
                     metrics, re.MULTILINE), metrics[-2000:]
    # And archiving, which the dashboard's archive panels and the alert rules read.
    for series in ("pg_stat_archiver_last_archive_age", "pg_stat_archiver_failed_count"):
        assert re.search(rf"^{series}\{{", metrics, re.MULTILINE), series
    # The repository refuses writes (a full disk, a lost mount): archiving fails.
    client = docker.from_env()
    server = client.containers.get(d.cfg.server.container_name)
    repo = pitr.repo_path(d.outputs.pitr_passphrase)
    assert server.exec_run(["chmod", "-R", "a-w", f"{repo}/archive"],
                           user="root").exit_code == 0
    try:
        with _admin(d) as conn:
            conn.execute("CREATE TEMP TABLE t AS SELECT 1; SELECT pg_switch_wal()")
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            failing = script("status", *pitr_stack.args(), "--json", str(report))
            if json.loads(report.read_text())["pitr"]["failing"]:
                break
            time.sleep(2)
        assert failing.returncode == 1, failing.stdout[-3000:]
        assert "WAL archiving fails" in failing.stdout, failing.stdout[-3000:]
    finally:
        server.exec_run(["chmod", "-R", "u+w", f"{repo}/archive"], user="root")
    _archived_through_now(d)
    again = script("status", *pitr_stack.args())
    assert again.returncode == 0, again.stdout[-3000:]
