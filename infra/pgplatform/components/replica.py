"""A streaming replica of the container: its slot on the primary, its own volume and container
(the server's image, on the server's network, published on the bind address), copied from the
primary on first start as the replication login, then following it; its own certificate from
the stack's CA. Read-only by construction (a hot standby): `readFrom: replica` logins read
there."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_docker as docker
from pulumi.dynamic import CreateResult, DiffResult, ResourceProvider, UpdateResult

from pgplatform import paths, replication, resource_types
from pgplatform.components import connection
from pgplatform.components.hba import HbaRules
from pgplatform.components.server import (
    POSTGRES_PORT,
    TLS_ARGS,
    TLS_DIR,
    TLS_SOURCE,
    runtime_args,
    server_files,
)
from pgplatform.components.settings import ServerSettings
from pgplatform.components.uploads import upload
from pgplatform.model import DATA_DIR, REPLICATOR_ROLE, ServerConfig

REPLICA_ENTRYPOINT = "/usr/local/bin/pgplatform-replica.sh"
REPLICA_ENTRYPOINT_SOURCE = paths.DOCKER_CONTEXT / "pgplatform-replica.sh"
SOURCE = "/run/secrets/pgplatform-replica"
PRIVATE_DIR = "/var/lib/postgresql/replica"
# Ready once it accepts connections: a standby refuses them until it is consistent. As the
# admin to `postgres` (the one loopback rule), so the probe is not a refused login in the log.
HEALTHCHECK = 'pg_isready -q -h 127.0.0.1 -p 5432 -U "$POSTGRES_USER" -d postgres'


class ReplicationSlotProvider(ResourceProvider):
    def create(self, props: dict[str, Any]) -> CreateResult:
        replication.ensure_slot(connection.dsn(props), props["slot"])
        return CreateResult(id_=props["slot"], outs=props)

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        # Another slot is another resource; a new DSN or CA reaches the same slot, and is
        # kept in the state for the delete.
        changed = [k for k in ("slot", "dsn", connection.CA_CERT) if olds.get(k) != news.get(k)]
        return DiffResult(changes=bool(changed),
                          replaces=["slot"] if "slot" in changed else [],
                          delete_before_replace=True)

    def update(self, _id: str, _olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        replication.ensure_slot(connection.dsn(news), news["slot"])
        return UpdateResult(outs=news)

    def delete(self, _id: str, props: dict[str, Any]) -> None:
        replication.drop_slot(connection.dsn(props), props["slot"])


class ReplicationSlot(pulumi.dynamic.Resource, module="pgplatform", name="ReplicationSlot"):
    def __init__(self, name: str, admin_dsn: pulumi.Input[str], ca_cert: pulumi.Input[str],
                 slot: str, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(ReplicationSlotProvider(), name,
                         {**connection.props(ca_cert, dsn=admin_dsn), "slot": slot},
                         pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(
                             additional_secret_outputs=["dsn"])))


@dataclass(frozen=True, kw_only=True)
class ReplicaArgs:
    """`admin_dsn` reaches the primary (the slot); `replica_admin_dsn` the replica itself,
    whose pg_hba and reloadable settings are its own files, not replicated."""

    server: ServerConfig
    index: int
    image_ref: pulumi.Input[str]
    network_name: pulumi.Input[str]
    admin_dsn: pulumi.Input[str]
    replica_admin_dsn: pulumi.Input[str]
    hba_lines: pulumi.Input[list[str]]
    replicator_password: pulumi.Input[str]
    ca_cert: pulumi.Input[str]
    cert_pem: pulumi.Input[str]
    key_pem: pulumi.Input[str]
    client_cert_pem: pulumi.Input[str]
    client_key_pem: pulumi.Input[str]
    after: list[pulumi.Resource]


class ReadReplica(pulumi.ComponentResource):
    container: docker.Container

    def __init__(self, name: str, args: ReplicaArgs,
                 opts: pulumi.ResourceOptions | None = None) -> None:
        s, i = args.server, args.index
        # Visible to policy packs: the replication login it streams as, where it is published.
        model = {"bindAddress": s.bind_address, "hostPort": s.replica_port(i),
                 "replicatorRole": REPLICATOR_ROLE, "slot": s.replica_slot(i)}
        super().__init__(resource_types.READ_REPLICA, name, model, opts)
        child = pulumi.ResourceOptions(parent=self)
        slot = ReplicationSlot(f"{name}-slot", args.admin_dsn, args.ca_cert, s.replica_slot(i),
                               pulumi.ResourceOptions(parent=self, depends_on=args.after))
        # A replica holds a copy only: destroy may always delete it (the next up copies the
        # primary again).
        volume = docker.Volume(f"{name}-data", name=s.replica_volume(i), opts=child)

        self.container = docker.Container(
            f"{name}-container",
            name=s.replica_name(i),
            image=args.image_ref,
            entrypoints=[REPLICA_ENTRYPOINT],
            # The primary's restart settings: a standby refuses to start with fewer
            # max_connections (and the like) than its primary.
            command=[*s.command(), *TLS_ARGS],
            envs=[f"PGDATA={DATA_DIR}", f"POSTGRES_USER={s.admin_user}",
                  f"PGPLATFORM_TLS_SOURCE={TLS_SOURCE}",
                  f"PGPLATFORM_TLS_DIR={TLS_DIR}", f"PGPLATFORM_REPLICA_SOURCE={SOURCE}",
                  f"PGPLATFORM_REPLICA_DIR={PRIVATE_DIR}",
                  f"PGPLATFORM_PRIMARY={s.container_name}",
                  f"PGPLATFORM_REPLICATOR={REPLICATOR_ROLE}",
                  f"PGPLATFORM_SLOT={s.replica_slot(i)}",
                  f"PGPLATFORM_APPLICATION_NAME={s.replica_name(i)}"],
            uploads=[upload(f"{SOURCE}/password", args.replicator_password, "0400"),
                     upload(f"{SOURCE}/ca.pem", args.ca_cert, "0444"),
                     upload(f"{SOURCE}/client.crt", args.client_cert_pem, "0444"),
                     upload(f"{SOURCE}/client.key", args.client_key_pem, "0400"),
                     *server_files(args.key_pem, args.cert_pem, args.ca_cert),
                     upload(REPLICA_ENTRYPOINT, REPLICA_ENTRYPOINT_SOURCE.read_text(), "0755")],
            networks_advanced=[docker.ContainerNetworksAdvancedArgs(name=args.network_name)],
            ports=[docker.ContainerPortArgs(internal=POSTGRES_PORT, external=s.replica_port(i),
                                            ip=s.bind_address)],
            volumes=[docker.ContainerVolumeArgs(volume_name=volume.name,
                                                container_path=DATA_DIR)],
            **runtime_args(s),
            healthcheck=docker.ContainerHealthcheckArgs(
                tests=["CMD-SHELL", HEALTHCHECK], interval="2s", timeout="5s", retries=60,
                start_period="2m0s"),
            wait=True,
            wait_timeout=300,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[slot, *args.after]))
        # The base backup copied the primary's files as they were: later rules and settings
        # reach the replica only this way.
        on_replica = pulumi.ResourceOptions(parent=self, depends_on=[self.container])
        HbaRules(f"{name}-hba", args.replica_admin_dsn, args.ca_cert, args.hba_lines,
                 on_replica)
        ServerSettings(f"{name}-settings", args.replica_admin_dsn, args.ca_cert,
                       s.reload_settings, on_replica)
        self.register_outputs(model)
