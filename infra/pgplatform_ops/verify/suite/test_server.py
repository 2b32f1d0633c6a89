"""Server hardening: authentication, settings, extensions (SQL) and the container and host
(pytest-testinfra: `docker://` for the container, `local://` for the host side)."""

from __future__ import annotations

import psycopg
import pytest
import testinfra

from pgplatform.model import DATA_DIR
from pgplatform_ops.stack import DeployedStack
from pgplatform_ops.verify import server as hardening
from pgplatform_ops.verify.catalog import ServerSnapshot
from pgplatform_ops.verify.findings import Finding
from pgplatform_ops.verify.plugin import check, needs_container

pytestmark = pytest.mark.postdeploy


def test_server__pg_hba_as_modelled(request: pytest.FixtureRequest,
                                    deployed: DeployedStack) -> None:
    needs_container(deployed, "its pg_hba is the provider's; the bundle writes none (and "
                              "pg_hba_file_rules is closed to a non-superuser)")
    with psycopg.connect(deployed.admin_dsn(), autocommit=True) as conn:
        check(request, hardening.authentication(deployed.cfg, conn))


def test_server__tls_only(request: pytest.FixtureRequest, deployed: DeployedStack) -> None:
    with psycopg.connect(deployed.admin_dsn(), autocommit=True) as conn:
        found = hardening.tls_in_use(conn)
    check(request, found + hardening.plaintext_refused(deployed.admin_dsn(),
                                                       deployed.cfg.server.admin_user))


def test_server__settings_in_effect(request: pytest.FixtureRequest,
                                    deployed: DeployedStack) -> None:
    needs_container(deployed, "its settings are the provider's parameter group; the stack "
                              "sets none")
    with psycopg.connect(deployed.admin_dsn(), autocommit=True) as conn:
        check(request, hardening.settings(deployed.cfg, conn))


def test_server__wal_archiving_not_failing(request: pytest.FixtureRequest,
                                           deployed: DeployedStack) -> None:
    needs_container(deployed, "its WAL archive and backups are the provider's")
    if deployed.cfg.server.pitr is None:
        pytest.skip("the stack archives no WAL (server.pitr)")
    with psycopg.connect(deployed.admin_dsn(), autocommit=True) as conn:
        check(request, hardening.archiving(conn))


def test_server__extensions_at_expected_version(request: pytest.FixtureRequest,
                                                deployed: DeployedStack, server: ServerSnapshot,
                                                database: str) -> None:
    check(request, hardening.extensions(deployed.cfg, server.per_database[database]))


@pytest.fixture(scope="module")
def container(deployed: DeployedStack) -> testinfra.host.Host:
    needs_container(deployed, "there is no container to inspect")
    return testinfra.get_host(f"docker://{deployed.cfg.server.container_name}")


@pytest.fixture(scope="module")
def local() -> testinfra.host.Host:
    return testinfra.get_host("local://")


def test_container__postgres_runs_as_user_postgres(request: pytest.FixtureRequest,
                                                   container: testinfra.host.Host) -> None:
    uid_line = next(line for line in container.file("/proc/1/status").content_string
                    .splitlines() if line.startswith("Uid:"))
    uid = int(uid_line.split()[1])
    comm = container.file("/proc/1/comm").content_string.strip()
    want = container.user("postgres").uid
    found = [] if (comm == "postgres" and uid == want) else [Finding(
        kind="container process", object="PID 1", role="", expected=f"postgres as uid {want}",
        actual=f"{comm} as uid {uid}")]
    check(request, found)


def test_container__data_directory_on_the_named_volume(
    request: pytest.FixtureRequest, deployed: DeployedStack, container: testinfra.host.Host,
) -> None:
    import docker

    with psycopg.connect(deployed.admin_dsn(), autocommit=True) as conn:
        row = conn.execute("SHOW data_directory").fetchone()
    data_dir = row[0] if row else ""
    mounts = docker.from_env().containers.get(deployed.cfg.server.container_name).attrs["Mounts"]
    on_volume = [m for m in mounts if m.get("Type") == "volume"
                 and m.get("Name") == deployed.cfg.server.volume_name
                 and data_dir.startswith(m.get("Destination", "\0"))]
    found = []
    if not on_volume or not container.mount_point(DATA_DIR).exists:
        found.append(Finding(kind="data directory", object=data_dir, role="",
                             expected=f"on volume {deployed.cfg.server.volume_name}",
                             actual=str([(m.get('Name'), m.get('Destination')) for m in mounts])))
    check(request, found)


def test_container__postgres_listens_inside(request: pytest.FixtureRequest,
                                            container: testinfra.host.Host) -> None:
    listening = container.socket("tcp://0.0.0.0:5432").is_listening
    check(request, [] if listening else [Finding(
        kind="listen address", object="container tcp/5432", role="", expected="listening on *",
        actual="not listening")])


def test_host__port_published_only_on_the_configured_address(
    request: pytest.FixtureRequest, deployed: DeployedStack, local: testinfra.host.Host,
) -> None:
    needs_container(deployed, "no port of this host is published; the provider's endpoint "
                              "is reached as configured")
    s = deployed.cfg.server
    found = []
    if not local.socket(f"tcp://{s.bind_address}:{s.host_port}").is_listening:
        found.append(Finding(kind="published port", object=f"{s.bind_address}:{s.host_port}",
                             role="", expected="listening", actual="not listening"))
    if s.bind_address not in ("0.0.0.0", "::"):
        for wildcard in ("0.0.0.0", "::"):
            if local.socket(f"tcp://{wildcard}:{s.host_port}").is_listening:
                found.append(Finding(kind="published port", object=f"{wildcard}:{s.host_port}",
                                     role="", expected=f"bound to {s.bind_address} only",
                                     actual="listening on all addresses"))
    check(request, found)
