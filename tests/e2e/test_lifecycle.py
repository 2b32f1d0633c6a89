"""Every lifecycle step a user takes, under the engine's semantics, asserting what the user
would check: the change summary Pulumi prints, the rows (checksums before and after), the
privileges in effect, the container Docker runs.

Each scenario runs through the apply harness and through the real engine (Automation API, local
file backend, the toolchain built from Go modules where no CLI can be downloaded); the counts
asserted are the same.

- `TestDevLifecycle` (a stack that may lose its data): up twice, add and remove a service,
  add and drop a declared reader, change a server setting (downtime measured), memory x3, a
  Dockerfile change.
- `TestKeptDataLifecycle`: destroy then up keeps every row and every DSN works; a production
  stack refuses destroy, naming its volume.
"""

from __future__ import annotations

import copy
import json
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import psycopg
import pytest
from deployers import (
    Changes,
    Deployer,
    DeployFailed,
    HarnessDeployer,
    PulumiDeployer,
)
from psycopg import sql

import docker
from pgplatform import model, paths, stack_config
from pgplatform_ops import containers
from pgplatform_ops.stack import DeployedStack

from e2e_support import docker_available, script, sweep_leftovers
from graph import build_graph

pytestmark = pytest.mark.e2e
DEPLOYERS = ("harness", "pulumi")


def stack_values(name: str, port: int, *, keep: bool) -> dict[str, Any]:
    """A small stack: both sides of seed 000's line would be the same, so one app database and
    one vector database with two services."""
    return {
        "server": {"image": "build", "hostPort": port, "memoryMb": 1024, "shmSizeMb": 256,
                   "allowVolumeDeletion": not keep, "containerName": f"pgplatform-{name}",
                   "volumeName": f"pgplatform-{name}-data", "networkName": f"pgplatform-{name}-net",
                   "settings": {"shared_buffers": "128MB", "maintenance_work_mem": "128MB",
                                "work_mem": "8MB", "max_connections": 200},
                   # WAL archived into its own repository volume, kept like the data volume.
                   "pitr": {"archiveTimeoutSeconds": 10}},
        "databases": [{"name": "flipsync", "extensions": []},
                      {"name": "paddle", "extensions": ["vector"]}],
        "services": [{"name": "flipsync_app", "database": "flipsync", "schema": "flipsync"},
                     {"name": "vector_store", "database": "paddle"},
                     {"name": "rag", "database": "paddle"}],
    }


def declared_urns(stack: str, values: Mapping[str, Any]) -> set[str]:
    """Every resource the program declares for `values` (under mocks): custom ones, the
    components and the stack, as the engine counts them in its summary."""
    g = build_graph(stack, dict(values))
    return set(g.monitor.registrations)


# What adding or removing a service updates besides its own resources: the placement guard
# (state only), pg_hba (its logins), its database's hardening (its owner keeps set_config) and
# the watchdog's limits (its logins), each in place.
STACK_WIDE_UPDATES = (("PlacementGuard", "service-placements"), ("HbaRules", "postgres-hba"),
                      ("DatabaseHardening", "paddle-hardening"),
                      ("SessionLimits", "watchdog-limits"))


def service(values: dict[str, Any], name: str) -> dict[str, Any]:
    return next(s for s in values["services"] if s["name"] == name)


# -- rows -------------------------------------------------------------------------------------

ROWS = {  # (database, schema.table) -> an INSERT of 200 rows
    ("flipsync", "flipsync.users"): "INSERT INTO flipsync.users (email, password_hash) "
                                    "SELECT 'u' || i || '@example.com', 'x' FROM "
                                    "generate_series(1, 200) i",
    ("paddle", "vector_store.documents"): "INSERT INTO vector_store.documents (content, "
                                          "embedding) SELECT 'doc ' || i, array_fill(i::real, "
                                          "ARRAY[384])::extensions.vector FROM "
                                          "generate_series(1, 200) i",
    ("paddle", "rag.rag_sessions"): "INSERT INTO rag.rag_sessions (session_id) SELECT 's' || i "
                                    "FROM generate_series(1, 200) i",
}


def insert_rows(d: DeployedStack) -> None:
    for (database, _), statement in ROWS.items():
        with psycopg.connect(d.admin_dsn(database)) as c:
            c.execute(statement)


def checksums(d: DeployedStack) -> dict[str, tuple[int, str]]:
    out = {}
    for database, table in ROWS:
        schema, name = table.split(".")
        with psycopg.connect(d.admin_dsn(database)) as c:
            row = c.execute(sql.SQL("SELECT count(*), coalesce(md5(string_agg(t::text, '|' "
                                    "ORDER BY t::text)), '') FROM {} t").format(
                sql.Identifier(schema, name))).fetchone()
        assert row is not None
        out[table] = (int(row[0]), str(row[1]))
    return out


def every_dsn_works(d: DeployedStack) -> None:
    for svc in d.cfg.services:
        with psycopg.connect(d.service_dsn(svc.name), connect_timeout=5) as c:
            assert c.execute("SELECT current_user").fetchone() == (svc.login_role,), svc.name
            c.execute(sql.SQL("SELECT count(*) FROM {}").format(
                sql.Identifier(svc.schema, first_table(d, svc.database, svc.schema))))


def schema_owners(conn: psycopg.Connection, *schemas: str) -> dict[str, str]:
    """The owner of each of `schemas` that exists."""
    return {str(n): str(o) for n, o in conn.execute(
        "SELECT nspname, nspowner::regrole::text FROM pg_namespace WHERE nspname = ANY(%s)",
        (list(schemas),))}


def first_table(d: DeployedStack, database: str, schema: str) -> str:
    with psycopg.connect(d.admin_dsn(database)) as c:
        row = c.execute("SELECT min(tablename) FROM pg_tables WHERE schemaname = %s",
                        (schema,)).fetchone()
    assert row and row[0], f"{database}.{schema}: no tables"
    return str(row[0])


def can_select(d: DeployedStack, who: str, table: str) -> bool:
    with psycopg.connect(d.service_dsn(who)) as c:
        try:
            c.execute(sql.SQL("SELECT count(*) FROM {}").format(
                sql.Identifier(*table.split("."))))
            return True
        except psycopg.errors.InsufficientPrivilege:
            return False


class Downtime:
    """Polls `SELECT 1` as the admin every 50 ms while a deploy runs; the longest stretch
    without an answer is the downtime clients saw."""

    def __init__(self, dsn: str) -> None:
        self.dsn = dsn
        self.longest = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)

    def _poll(self) -> None:
        down_since: float | None = None
        while not self._stop.is_set():
            now = time.monotonic()
            try:
                with psycopg.connect(self.dsn, connect_timeout=1) as c:
                    c.execute("SELECT 1")
                if down_since is not None:
                    self.longest = max(self.longest, now - down_since)
                    down_since = None
            except psycopg.Error:
                down_since = now if down_since is None else down_since
            time.sleep(0.05)
        if down_since is not None:
            self.longest = max(self.longest, time.monotonic() - down_since)

    def __enter__(self) -> Downtime:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()


# -- fixtures ---------------------------------------------------------------------------------

def _deployer(kind: str, stack: str, work: Path) -> Deployer:
    if not docker_available():
        pytest.skip("no Docker engine answers")
    if kind == "pulumi":
        return PulumiDeployer(stack, work)
    return HarnessDeployer(stack, work)


def _containers() -> set[str]:
    return {str(c.name) for c in docker.from_env().containers.list(all=True)}


def _sweep(stack: str, values: dict[str, Any]) -> None:
    sweep_leftovers(stack, model.from_mapping(values, stack=stack).server)


def _teardown(deployer: Deployer, stack: str, values: dict[str, Any]) -> None:
    """Whatever a failed scenario left: make everything deletable, destroy, forget."""
    cleanup = copy.deepcopy(values)
    cleanup["server"].update(production=False, allowVolumeDeletion=True)
    try:
        deployer.up(cleanup)
    except AssertionError as exc:
        print(f"teardown up failed: {exc}")
    ok, log = deployer.down()
    if not ok:
        print(f"teardown down failed:\n{log[-3000:]}")
    deployer.forget()
    _sweep(stack, values)


class Scenario:
    def __init__(self, deployer: Deployer, stack: str, values: dict[str, Any],
                 work: Path) -> None:
        self.deployer, self.stack, self.values, self.work = deployer, stack, values, work
        self.sums: dict[str, tuple[int, str]] = {}

    def up(self) -> Changes:
        changes = self.deployer.up(self.values)
        print(f"[lifecycle {self.deployer.name}] up: {changes}")
        return changes

    @property
    def deployed(self) -> DeployedStack:
        return self.deployer.deployed()


def _scenario(kind: str, stack: str, port: int, *, keep: bool,
              tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scenario]:
    values = stack_values(stack, port, keep=keep)
    work = tmp_path_factory.mktemp(stack)
    deployer = _deployer(kind, stack, work)
    _sweep(stack, values)
    try:
        yield Scenario(deployer, stack, values, work)
    finally:
        _teardown(deployer, stack, values)


@pytest.fixture(scope="class", params=DEPLOYERS)
def dev(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
        ) -> Iterator[Scenario]:
    yield from _scenario(request.param, "lifedev", 15491, keep=False,
                         tmp_path_factory=tmp_path_factory)


@pytest.fixture(scope="class", params=DEPLOYERS)
def kept(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
         ) -> Iterator[Scenario]:
    yield from _scenario(request.param, "lifekeep", 15492, keep=True,
                         tmp_path_factory=tmp_path_factory)


# -- a stack that may lose its data -----------------------------------------------------------

class TestDevLifecycle:
    def test_up_twice__the_second_changes_nothing(self, dev: Scenario) -> None:
        first = dev.up()
        assert first.created > 0 and first.only(created=first.created), first
        second = dev.up()
        assert second.only(), f"second up: expected nothing but unchanged, got {second}"
        assert second.unchanged == first.created, second
        if isinstance(dev.deployer, PulumiDeployer):
            ok, log = dev.deployer.preview_expects_no_changes()
            assert ok, f"pulumi preview --expect-no-changes after two ups:\n{log[-4000:]}"

    def test_add_a_service__only_its_resources_are_created(self, dev: Scenario) -> None:
        before = declared_urns("lifedev", dev.values)
        dev.values["services"].append({"name": "scheduler", "database": "paddle"})
        added = declared_urns("lifedev", dev.values) - before
        changes = dev.up()
        assert changes.only(created=len(added), updated=len(STACK_WIDE_UPDATES)), (
            f"expected {len(added)} created ({sorted(added)}) and {STACK_WIDE_UPDATES} "
            f"updated, got {changes}")
        for typ, name in STACK_WIDE_UPDATES:
            assert changes.mentions(typ, name), f"{typ} {name}: {changes.log[-3000:]}"
        every_dsn_works(dev.deployed)

    def test_remove_a_service__its_roles_schema_and_grants_go_and_verify_passes(
            self, dev: Scenario) -> None:
        d = dev.deployed
        # Rows of the services that stay (ids clear of what the planner fixtures insert).
        with psycopg.connect(d.admin_dsn("paddle")) as c:
            c.execute("INSERT INTO rag.rag_sessions (id, session_id) VALUES (999999, 'stays')")
            c.execute("INSERT INTO vector_store.documents (id, content) VALUES (999999, 'x')")
        before_sums = checksums(d)
        before = declared_urns("lifedev", dev.values)
        dev.values["services"] = [s for s in dev.values["services"] if s["name"] != "scheduler"]
        gone = before - declared_urns("lifedev", dev.values)
        changes = dev.up()
        assert changes.only(deleted=len(gone), updated=len(STACK_WIDE_UPDATES)), (
            f"expected {len(gone)} deleted and {STACK_WIDE_UPDATES} updated, got {changes}")
        d = dev.deployed
        with psycopg.connect(d.admin_dsn("paddle")) as c:
            assert c.execute("SELECT rolname FROM pg_roles WHERE rolname LIKE 'scheduler%'"
                             ).fetchall() == []
            assert c.execute("SELECT 1 FROM pg_namespace WHERE nspname = 'scheduler'"
                             ).fetchone() is None
            assert c.execute("SELECT count(*) FROM pg_default_acl WHERE defaclrole::regrole"
                             "::text LIKE 'scheduler%'").fetchone() == (0,)
        assert checksums(d) == before_sums, "the other services' rows changed"
        proc = script("verify", "--outputs", str(_outputs_file(dev)), "--stack-file",
                      str(_stack_file(dev)), "--junit", str(dev.work / "verify.xml"),
                      "--markdown", str(dev.work / "verify.md"), timeout=600)
        assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]

    def test_a_service_taking_public__takes_it_over_and_on_removal_gives_it_back_empty(
            self, dev: Scenario) -> None:
        before_sums = checksums(dev.deployed)
        before = declared_urns("lifedev", dev.values)
        dev.values["services"].append({"name": "scheduler", "database": "paddle",
                                       "schemas": ["public", "scheduler_archive"]})
        mine = declared_urns("lifedev", dev.values) - before
        added = dev.up()
        assert added.only(created=len(mine), updated=len(STACK_WIDE_UPDATES)), added
        with psycopg.connect(dev.deployed.admin_dsn("paddle")) as c:
            owners = schema_owners(c, "public", "scheduler_archive")
            assert owners == {"public": "scheduler_owner", "scheduler_archive":
                              "scheduler_owner"}, owners
            assert c.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public' "
                             "AND tableowner = 'scheduler_owner'").fetchone() != (0,)
            assert c.execute("SELECT has_schema_privilege('public', 'public', 'USAGE')"
                             ).fetchone() == (False,), "PUBLIC kept USAGE on public"
        every_dsn_works(dev.deployed)
        dev.values["services"] = [s for s in dev.values["services"] if s["name"] != "scheduler"]
        removed = dev.up()
        # `public`'s Schema is retained: the engine forgets it and counts it deleted.
        assert removed.only(deleted=len(mine), updated=len(STACK_WIDE_UPDATES)), removed
        with psycopg.connect(dev.deployed.admin_dsn("paddle")) as c:
            owners = schema_owners(c, "public", "scheduler_archive")
            assert owners == {"public": "pg_database_owner"}, owners
            assert c.execute("SELECT count(*) FROM pg_class WHERE relnamespace = "
                             "'public'::regnamespace").fetchone() == (0,)
            assert c.execute("SELECT has_schema_privilege('public', 'public', 'USAGE')"
                             ).fetchone() == (False,), "PUBLIC regained USAGE on public"
            assert c.execute("SELECT rolname FROM pg_roles WHERE rolname LIKE 'scheduler%'"
                             ).fetchall() == []
        assert checksums(dev.deployed) == before_sums, "the other services' rows changed"
        assert dev.up().only(), "a second up after the removal changes nothing"

    def test_add_then_drop_a_reader__its_select_is_revoked(self, dev: Scenario) -> None:
        d = dev.deployed
        table = f"vector_store.{first_table(d, 'paddle', 'vector_store')}"
        assert not can_select(d, "rag", table)
        service(dev.values, "vector_store")["readers"] = ["rag"]
        added = dev.up()
        # Created: the reader's schema and table grants, its default privileges, and its
        # login's row_security = off. Updated: the ServiceAccess component, whose registered
        # readers the engine counts as a change of its inputs (state only), and the database's
        # hardening (the schema is now read by another owner).
        assert added.only(created=4, updated=2), (
            f"grants, default privileges, row security, the component, the hardening: {added}")
        assert added.mentions("RowSecurityOff", "rag-row-security-off"), added.log[-3000:]
        assert can_select(dev.deployed, "rag", table)
        service(dev.values, "vector_store")["readers"] = []
        dropped = dev.up()
        assert dropped.only(deleted=4, updated=2), dropped
        assert not can_select(dev.deployed, "rag", table), f"rag_app still reads {table}"

    @pytest.mark.parametrize("change,key,component,undo", [
        (lambda v: service(v, "rag").update(name="rag_renamed", module="rag", schema="rag"),
         "services[rag_renamed].name", "rag_renamed", {"deleted": 2}),
        (lambda v: service(v, "rag").update(schema="rag_moved"), "services[rag].schema",
         "rag", {"updated": 1}),
        (lambda v: service(v, "flipsync_app").update(database="paddle"),
         "services[flipsync_app].database", "flipsync_app", {"updated": 1}),
    ], ids=["rename", "schema", "database"])
    def test_rename_or_move_a_service__refused_before_anything_changes(
            self, dev: Scenario, change: Callable[[dict[str, Any]], None], key: str,
            component: str, undo: dict[str, int]) -> None:
        values = copy.deepcopy(dev.values)
        change(values)
        with pytest.raises(DeployFailed) as refused:
            dev.deployer.up(values)
        assert f"pgplatform:{key}" in str(refused.value) and "Fix:" in str(refused.value), (
            str(refused.value)[-3000:])
        again = dev.up()
        # Nothing on the server changed: the refused up only registered the service's
        # components (ServiceIdentity, ServiceAccess) with the new values, which the engine
        # keeps in the state; the next up puts the state back (a new name's two components
        # deleted, a moved service's ServiceAccess updated).
        assert again.only(**undo) and again.mentions("ServiceAccess", component), (
            f"a refused change must leave only its components' state to undo: {again}")

    def test_reloadable_setting__changed_in_place_without_a_restart(self, dev: Scenario) -> None:
        d = dev.deployed
        engine = docker.from_env()
        started = engine.containers.get(d.outputs.container_name).attrs["State"]["StartedAt"]
        dev.values["server"]["settings"]["work_mem"] = "12MB"
        with Downtime(d.admin_dsn()) as downtime:
            changes = dev.up()
        assert changes.only(updated=1) and changes.mentions("ServerSettings",
                                                            "postgres-settings"), (
            f"ALTER SYSTEM and a reload only: {changes}")
        with psycopg.connect(dev.deployed.admin_dsn()) as c:
            assert c.execute("SHOW work_mem").fetchone() == ("12MB",)
        container = engine.containers.get(dev.deployed.outputs.container_name)
        assert container.attrs["State"]["StartedAt"] == started, "the server restarted"
        assert downtime.longest == 0, f"unavailable for {downtime.longest:.1f} s"

    def test_server_setting__container_replaced_rows_intact_downtime_measured(
            self, dev: Scenario, record_property: Callable[[str, object], None]) -> None:
        d = dev.deployed
        insert_rows(d)
        before = checksums(d)
        # max_connections is read at start only: a new container.
        dev.values["server"]["settings"]["max_connections"] = 210
        with Downtime(d.admin_dsn()) as downtime:
            changes = dev.up()
        assert changes.only(replaced=1), f"the container only: {changes}"
        assert checksums(dev.deployed) == before
        with psycopg.connect(dev.deployed.admin_dsn()) as c:
            assert c.execute("SHOW max_connections").fetchone() == ("210",)
            assert c.execute("SHOW work_mem").fetchone() == ("12MB",), (
                "ALTER SYSTEM settings live in the data volume: kept by the new container")
        # The old server was stopped (destroy_grace_seconds), not killed: no crash recovery.
        log = docker.from_env().containers.get(dev.deployed.outputs.container_name).logs()
        assert b"database system was shut down at" in log, log[-2000:]
        assert b"automatic recovery in progress" not in log, log[-2000:]
        print(f"\n[lifecycle {dev.deployer.name}] setting change: container replaced, "
              f"downtime {downtime.longest:.1f} s")
        record_property(f"{dev.deployer.name}_setting_change_downtime_s",
                        round(downtime.longest, 1))
        dev.sums = before

    def test_memory_times_three__updated_in_place(self, dev: Scenario) -> None:
        memory = dev.values["server"]["memoryMb"] * 3
        dev.values["server"]["memoryMb"] = memory
        changes = dev.up()
        assert changes.only(updated=1), f"the container, in place: {changes}"
        host = docker.from_env().containers.get(dev.values["server"]["containerName"]).attrs[
            "HostConfig"]
        assert host["Memory"] == memory * 1024**2, host["Memory"]
        assert checksums(dev.deployed) == dev.sums

    def test_point_in_time_restore__rows_back_and_the_next_up_changes_nothing(
            self, dev: Scenario) -> None:
        """The whole server restored from its WAL archive (issue 26): the engine's state and
        the restored server agree, so the next up (and a preview) finds nothing to do."""
        _server_backup(dev)
        # Committed after the backup: only the archived WAL brings it back.
        with psycopg.connect(dev.deployed.admin_dsn("paddle")) as c:
            c.execute("INSERT INTO rag.rag_sessions (session_id) VALUES (%s)",
                      (f"pitr-{uuid.uuid4().hex}",))
        before = checksums(dev.deployed)
        restore = script("restore", "--outputs", str(_outputs_file(dev)), "--stack-file",
                         str(_stack_file(dev)), "--server", "--to-latest",
                         "--discard-current")
        assert restore.returncode == 0, restore.stdout[-4000:] + restore.stderr[-3000:]
        assert checksums(dev.deployed) == before
        every_dsn_works(dev.deployed)
        again = dev.up()
        assert again.only(), f"up after the restore: expected nothing to do, got {again}"
        if isinstance(dev.deployer, PulumiDeployer):
            ok, log = dev.deployer.preview_expects_no_changes()
            assert ok, f"pulumi preview --expect-no-changes after a restore:\n{log[-4000:]}"
        dev.sums = before

    def test_dockerfile_change__the_container_runs_the_new_image(self, dev: Scenario) -> None:
        dockerfile = paths.DOCKER_CONTEXT / "Dockerfile"
        original = dockerfile.read_text()
        mark = uuid.uuid4().hex[:12]
        try:
            dockerfile.write_text(original + f"LABEL pgplatform.lifecycle-test={mark}\n")
            changes = dev.up()
        finally:
            dockerfile.write_text(original)
        # The context digest is a trigger: the image is replaced, and the containers that run
        # its id with it (the server's and the watchdog's).
        assert changes.only(replaced=3), f"image rebuilt, containers: {changes}"
        container = docker.from_env().containers.get(dev.values["server"]["containerName"])
        image = docker.from_env().images.get(container.attrs["Image"])
        assert image.labels.get("pgplatform.lifecycle-test") == mark, image.labels
        assert checksums(dev.deployed) == dev.sums

    def test_destroy__everything_goes(self, dev: Scenario) -> None:
        ok, log = dev.deployer.down()
        assert ok, log[-4000:]
        assert dev.values["server"]["containerName"] not in _containers()
        names = {v.name for v in docker.from_env().volumes.list()}
        assert dev.values["server"]["volumeName"] not in names
        assert f"{dev.values['server']['volumeName']}-pitr" not in names


def _stack_file(s: Scenario) -> Path:
    """The stack file `scripts/verify` reads the model from."""
    path = paths.stack_file(s.stack, s.work / "verify")
    path.parent.mkdir(exist_ok=True)
    stack_config.write_stack_file(path, s.values)
    return path


def _outputs_file(s: Scenario) -> Path:
    path = s.work / "verify" / "outputs.json"
    path.parent.mkdir(exist_ok=True)
    path.write_text(json.dumps(s.deployed.outputs.exports()))
    return path


def _server_backup(s: Scenario) -> None:
    backup = script("backup", "--outputs", str(_outputs_file(s)), "--stack-file",
                    str(_stack_file(s)), "--server")
    assert backup.returncode == 0, backup.stdout[-3000:] + backup.stderr[-3000:]


def _repositories(s: Scenario) -> list[str]:
    """The key directories in the stack's WAL repository volume."""
    volume = f"{s.values['server']['volumeName']}-pitr"
    code, out, err = containers.run_once(
        docker.from_env(), s.deployed.cfg.server.image_name, entrypoint=["ls", "/r"],
        network_mode="none", volumes={volume: {"bind": "/r", "mode": "ro"}})
    assert code == 0, err
    return out.decode().split()


# -- a stack that keeps its data --------------------------------------------------------------

class TestKeptDataLifecycle:
    def test_destroy_then_up__same_rows_every_dsn_works(self, kept: Scenario) -> None:
        """Also when Docker gives the re-created network another subnet: the kept pg_hba
        names the old gateway, which the container's entrypoint replaces at start."""
        kept.up()
        insert_rows(kept.deployed)
        before = checksums(kept.deployed)
        _server_backup(kept)
        client = docker.from_env()
        network = kept.values["server"]["networkName"]
        old_subnet = client.networks.get(network).attrs["IPAM"]["Config"][0]["Subnet"]
        ok, log = kept.deployer.down()
        assert ok, f"destroy of a stack that keeps its data: {log[-4000:]}"
        assert kept.values["server"]["containerName"] not in _containers()
        names = {v.name for v in client.volumes.list()}
        assert kept.values["server"]["volumeName"] in names, "the data volume is retained"
        assert f"{kept.values['server']['volumeName']}-pitr" in names, "and the WAL archive"
        squatter = client.networks.create(f"{network}-squatter", ipam=docker.types.IPAMConfig(
            pool_configs=[docker.types.IPAMPool(subnet=old_subnet)]))
        try:
            again = kept.up()
        finally:
            squatter.remove()
        assert again.created > 0 and again.only(created=again.created), again
        new_subnet = client.networks.get(network).attrs["IPAM"]["Config"][0]["Subnet"]
        assert new_subnet != old_subnet
        d = kept.deployed
        assert checksums(d) == before
        every_dsn_works(d)
        # The key went with the state; the new one archives and backs up into its own
        # repository beside the old one, which stays as it was.
        _server_backup(kept)
        assert len(_repositories(kept)) == 2, _repositories(kept)

    def test_production_destroy_is_refused_naming_the_volume(self, kept: Scenario) -> None:
        kept.values["server"]["production"] = True
        kept.up()
        ok, log = kept.deployer.down()
        assert not ok, "destroy of a production stack must be refused"
        assert "postgres-data" in log and "protected" in log, log[-3000:]
        assert kept.values["server"]["containerName"] in _containers(), (
            "nothing is deleted when destroy is refused")
