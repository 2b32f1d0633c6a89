"""Fixtures: a PostgreSQL 17 + pgvector container built from docker/ and reached via 127.0.0.1."""

from __future__ import annotations

import pathlib
import secrets
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import psycopg
import pytest

from pgplatform import paths
from pgplatform_ops.images import build_image

from pgserver import PgServer

_HERE = pathlib.Path(__file__).resolve().parent

IMAGE_TAG = "pgplatform/postgres:17-test"
CONTEXT = paths.DOCKER_CONTEXT
READY_DEADLINE_S = 60.0


def _docker_unavailable_reason() -> str | None:
    """None if a Docker engine answers a ping, else why not."""
    try:
        import docker

        docker.from_env(timeout=10).ping()
    except Exception as exc:  # noqa: BLE001 - any failure means "no engine here"
        return f"no Docker engine answers ({type(exc).__name__}: {exc})"
    return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip every test in this directory up front when Docker is absent."""
    mine = [i for i in items if _HERE in pathlib.Path(str(i.path)).resolve().parents]
    if not mine:
        return
    reason = _docker_unavailable_reason()
    if reason is not None:
        for item in mine:
            item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(scope="session")
def docker_client() -> Any:
    reason = _docker_unavailable_reason()
    if reason is not None:
        pytest.skip(reason)
    import docker

    return docker.from_env(timeout=60)


@pytest.fixture(scope="session")
def pg_image(docker_client: Any) -> str:
    """Build (or refresh from cache) the image once per session; returns its tag."""
    build_image(docker_client, CONTEXT, IMAGE_TAG, log=lambda line: print(f"[image] {line}"))
    return IMAGE_TAG


def wait_for_postgres(dsn: str, container: Any, deadline_s: float = READY_DEADLINE_S) -> None:
    """Poll until a psycopg connection over TCP works; fail with the container logs if not."""
    deadline = time.monotonic() + deadline_s
    last: Exception | None = None
    while time.monotonic() < deadline:
        container.reload()
        if container.status in ("exited", "dead"):
            logs = container.logs(tail=50).decode(errors="replace")
            raise RuntimeError(f"container {container.name} exited during startup:\n{logs}")
        try:
            with psycopg.connect(dsn, connect_timeout=3) as conn:
                conn.execute("select 1")
            return
        except psycopg.OperationalError as exc:
            last = exc
            time.sleep(0.25)
    logs = container.logs(tail=50).decode(errors="replace")
    raise TimeoutError(
        f"postgres in {container.name} not reachable within {deadline_s:.0f}s: {last}\n{logs}"
    )


StartPg = Callable[..., tuple[PgServer, Any]]


@pytest.fixture(scope="session")
def start_pg(docker_client: Any, pg_image: str) -> Iterator[StartPg]:
    """Factory: start a container of the image, wait until ready; all removed at teardown.

    Keyword args: ``command`` (list), ``environment`` (extra env), ``user`` (POSTGRES_USER).
    """
    started: list[Any] = []
    tmpdir = pathlib.Path(tempfile.mkdtemp(prefix="pgplatform-it-"))

    def start(
        command: list[str] | None = None,
        environment: dict[str, str] | None = None,
        user: str = "postgres",
    ) -> tuple[PgServer, Any]:
        name = f"pgplatform-it-{uuid.uuid4().hex[:10]}"
        password = secrets.token_urlsafe(24)
        pwfile = tmpdir / f"{name}.pw"
        pwfile.write_text(password)
        pwfile.chmod(0o600)
        env = {"POSTGRES_PASSWORD_FILE": "/run/secrets/pg_password", "POSTGRES_USER": user}
        env.update(environment or {})
        container = docker_client.containers.run(
            pg_image,
            command=command,
            name=name,
            detach=True,
            environment=env,
            volumes={str(pwfile): {"bind": "/run/secrets/pg_password", "mode": "ro"}},
            ports={"5432/tcp": ("127.0.0.1", None)},
            shm_size="256m",
        )
        started.append(container)
        deadline = time.monotonic() + 15
        host_port: int | None = None
        while host_port is None and time.monotonic() < deadline:
            container.reload()
            bindings = (container.attrs["NetworkSettings"]["Ports"] or {}).get("5432/tcp")
            if bindings:
                host_port = int(bindings[0]["HostPort"])
            else:
                time.sleep(0.1)
        if host_port is None:
            raise RuntimeError(f"no host port published for {name}")
        server = PgServer(
            container_name=name,
            host="127.0.0.1",
            port=host_port,
            admin_user=user,
            admin_password=password,
        )
        wait_for_postgres(server.admin_dsn, container)
        return server, container

    yield start

    for container in started:
        try:
            container.remove(force=True, v=True)
        except Exception as exc:  # noqa: BLE001 - teardown must go on
            print(f"could not remove {container.name}: {exc}")
    for f in tmpdir.iterdir():
        f.unlink()
    tmpdir.rmdir()


@pytest.fixture(scope="session")
def pg_container(start_pg: StartPg) -> tuple[PgServer, Any]:
    return start_pg()


@pytest.fixture(scope="session")
def pg_server(pg_container: tuple[PgServer, Any]) -> PgServer:
    return pg_container[0]
