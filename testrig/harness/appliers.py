"""The appliers one harness run talks through: one Docker client, and one PostgreSQL connection
set per pulumi-postgresql provider resource (keyed by the provider's id)."""

from __future__ import annotations

import threading
from typing import Any

from harness.docker_apply import DockerApplier
from harness.postgres_apply import Connection, PostgresApplier
from pgplatform.progress import Log


class UnknownResourceType(RuntimeError):
    pass


class Appliers:
    def __init__(self, log: Log) -> None:
        self.log = log
        self._docker: DockerApplier | None = None
        self._postgres: dict[str, PostgresApplier] = {}
        self._lock = threading.Lock()

    @property
    def docker(self) -> DockerApplier:
        with self._lock:
            if self._docker is None:
                self._docker = DockerApplier(self.log)
            return self._docker

    def add_postgres_provider(self, provider_id: str, inputs: dict[str, Any]) -> None:
        """A pulumi-postgresql provider's connection settings; like upstream, nothing
        connects until a resource needs it."""
        with self._lock:
            self._postgres[provider_id] = PostgresApplier(Connection(
                host=inputs["host"], port=int(inputs["port"]), user=inputs["username"],
                password=inputs["password"], sslmode=inputs.get("sslmode") or "require",
                sslrootcert=inputs.get("sslrootcert") or None,
                database=inputs.get("database") or "postgres",
                superuser=inputs.get("superuser") not in (False, "false"),
            ), self.log)

    def postgres(self, provider_ref: str) -> PostgresApplier:
        """The applier of the provider a resource names (`<provider urn>::<provider id>`)."""
        provider_id = provider_ref.rsplit("::", 1)[-1]
        with self._lock:
            pg = self._postgres.get(provider_id)
        if pg is None:
            raise UnknownResourceType(
                f"harness: provider {provider_ref!r} is not an explicit "
                "pulumi:providers:postgresql resource of this program")
        return pg
