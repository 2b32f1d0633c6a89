"""The server: a named data volume, its own Docker network, and the PostgreSQL container with
the stack's certificate, healthy before anyone connects."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_docker as docker

from pgplatform import hba, paths, pitr, resource_types
from pgplatform.components.uploads import upload
from pgplatform.model import DATA_DIR, ServerConfig

PASSWORD_FILE = "/run/secrets/postgres-password"
# Uploaded root-only; the entrypoint copies them where the server (not root) can read them,
# the key private to it, as PostgreSQL requires of ssl_key_file.
TLS_SOURCE = "/run/secrets/pgplatform-tls"
TLS_DIR = "/var/lib/postgresql/tls"
# ssl_ca_file: the server asks for a client certificate and checks it against the stack's CA
# where pg_hba says `clientcert=verify-ca` (the sidecars on its network); clients without one
# are not refused for that anywhere else.
TLS_ARGS = ("-c", "ssl=on", "-c", f"ssl_cert_file={TLS_DIR}/server.crt",
            "-c", f"ssl_key_file={TLS_DIR}/server.key", "-c", f"ssl_ca_file={TLS_DIR}/ca.crt")
ENTRYPOINT = "/usr/local/bin/pgplatform-entrypoint.sh"
ENTRYPOINT_SOURCE = paths.DOCKER_CONTEXT / "pgplatform-entrypoint.sh"
POSTGRES_PORT = 5432
STOP_GRACE_SECONDS = 60
INITDB_ARGS = "--auth-local=peer --auth-host=scram-sha-256"
# A real query over TCP: pg_isready answers while init scripts still run on the socket only.
# TLS without verification: the container's own loopback (pgplatform.hba.CONTAINER_LOOPBACK).
HEALTHCHECK = (
    f'PGPASSWORD="$(cat {PASSWORD_FILE})" PGSSLMODE=require psql -h 127.0.0.1 '
    "-U \"$POSTGRES_USER\" -d postgres -tAc 'select 1' | grep -qx 1"
)


def server_files(key_pem: pulumi.Input[str], cert_pem: pulumi.Input[str],
                 ca_pem: pulumi.Input[str]) -> list[docker.ContainerUploadArgs]:
    """What the entrypoint of a primary and of a replica alike needs: the TLS key pair, the
    stack's CA, and the entrypoint itself."""
    return [upload(f"{TLS_SOURCE}/server.key", key_pem, "0400"),
            upload(f"{TLS_SOURCE}/server.crt", cert_pem, "0444"),
            upload(f"{TLS_SOURCE}/ca.crt", ca_pem, "0444"),
            upload(ENTRYPOINT, ENTRYPOINT_SOURCE.read_text(), "0755")]


@dataclass(frozen=True, kw_only=True)
class PostgresServerArgs:
    server: ServerConfig
    image_ref: pulumi.Input[str]
    admin_password: pulumi.Input[str]
    server_cert_pem: pulumi.Input[str]
    server_key_pem: pulumi.Input[str]
    ca_cert_pem: pulumi.Input[str]
    pitr_passphrase: pulumi.Input[str] | None = None
    """The pgBackRest repository's key (server.pitr), else None."""


class PostgresServer(pulumi.ComponentResource):
    container: docker.Container
    volume: docker.Volume
    network: docker.Network
    gateway: pulumi.Output[str]
    """Where the host's connections arrive from (pgplatform.hba)."""

    def __init__(self, name: str, args: PostgresServerArgs,
                 opts: pulumi.ResourceOptions | None = None) -> None:
        s = args.server
        # Visible to policy packs: whether this stack's data must be protected.
        model = {"production": s.production, "allowVolumeDeletion": s.allow_volume_deletion,
                 "volumeName": s.volume_name, "bindAddress": s.bind_address,
                 "pitrVolumeName": s.pitr_volume if s.pitr else ""}
        super().__init__(resource_types.POSTGRES_SERVER, name, model, opts)
        # `pulumi destroy` leaves the data behind unless the stack opts in; production stacks
        # refuse to delete it at all. The WAL archive and base backups are kept the same way:
        # they are what a lost data volume is restored from.
        kept = pulumi.ResourceOptions(parent=self, retain_on_delete=not s.allow_volume_deletion,
                                      protect=s.production and not s.allow_volume_deletion)
        self.volume = docker.Volume(f"{name}-data", name=s.volume_name, opts=kept)
        envs: list[str] = []
        uploads: list[docker.ContainerUploadArgs] = []
        mounts: list[docker.ContainerVolumeArgs] = []
        archiving: list[str] = []
        if s.pitr is not None and args.pitr_passphrase is not None:
            repo = docker.Volume(f"{name}-pitr", name=s.pitr_volume, opts=kept)
            settings = s.pitr
            conf: pulumi.Output[str] = pulumi.Output.secret(
                pulumi.Output.from_input(args.pitr_passphrase).apply(
                    lambda key: pitr.conf_text(settings, key)))
            envs = [f"PGPLATFORM_PITR_CONF={pitr.CONF_SOURCE}",
                    f"PGPLATFORM_PITR_REPO={pitr.REPO_DIR}"]
            uploads = [upload(pitr.CONF_SOURCE, conf, "0400"),
                       upload(pitr.ARCHIVE_SCRIPT, pitr.ARCHIVE_SCRIPT_SOURCE.read_text(),
                              "0755")]
            mounts = [docker.ContainerVolumeArgs(volume_name=repo.name,
                                                 container_path=pitr.REPO_DIR)]
            archiving = pitr.server_args()
        # Its own bridge: a container on Docker's default network (or any other) cannot reach
        # the server, and the gateway is the one address the host's clients come from.
        self.network = docker.Network(f"{name}-network", name=s.network_name,
                                      opts=pulumi.ResourceOptions(parent=self))
        self.gateway = self.network.ipam_configs.apply(_gateway)
        self.container = docker.Container(
            f"{name}-container",
            name=s.container_name,
            image=args.image_ref,
            # Sets the admin password from the file on every start, then runs the image's
            # own entrypoint (see docker/pgplatform-entrypoint.sh).
            entrypoints=[ENTRYPOINT],
            command=[*s.command(), *TLS_ARGS, *archiving],
            envs=[*envs, f"POSTGRES_USER={s.admin_user}", f"POSTGRES_PASSWORD_FILE={PASSWORD_FILE}",
                  f"PGDATA={DATA_DIR}", f"PGPLATFORM_TLS_SOURCE={TLS_SOURCE}",
                  f"PGPLATFORM_TLS_DIR={TLS_DIR}", f"PGPLATFORM_HBA_HOST_MARK={hba.HOST_MARK}",
                  # The official image's initdb defaults local connections to trust.
                  f"POSTGRES_INITDB_ARGS={INITDB_ARGS}"],
            # Both entrypoints read the file as root before dropping privileges, and the
            # healthcheck runs as root: the secret stays root-only, out of env and outputs.
            uploads=[upload(PASSWORD_FILE, args.admin_password, "0400"),
                     *server_files(args.server_key_pem, args.server_cert_pem, args.ca_cert_pem),
                     *uploads],
            networks_advanced=[docker.ContainerNetworksAdvancedArgs(name=self.network.name)],
            ports=[docker.ContainerPortArgs(internal=POSTGRES_PORT, external=s.host_port,
                                            ip=s.bind_address)],
            volumes=[docker.ContainerVolumeArgs(volume_name=self.volume.name,
                                                container_path=DATA_DIR), *mounts],
            **runtime_args(s),
            # Durations as the provider reads them back (Go's time.Duration format: "1m0s",
            # not "60s"), or every later `up` shows a change.
            healthcheck=docker.ContainerHealthcheckArgs(
                tests=["CMD-SHELL", HEALTHCHECK], interval="2s", timeout="5s", retries=30,
                start_period="1m0s",
            ),
            wait=True,
            wait_timeout=180,
            opts=pulumi.ResourceOptions(parent=self),
        )
        # Stack policies see a component's registered outputs, not its inputs.
        self.register_outputs({**model, "container_name": self.container.name,
                               "network_name": self.network.name})


def runtime_args(s: ServerConfig) -> dict[str, Any]:
    """How every PostgreSQL container of the stack (the server, its replicas) runs."""
    return {
        "shm_size": s.shm_size_mb,
        "memory": s.memory_mb,
        # Stated, not left to Docker: unset, Docker makes swap 2x memory at creation, the
        # provider reads that back (a diff on every later `up`) and sends no swap limit when
        # memory changes in place, which Docker refuses above the old swap limit. Equal to
        # memory: no swap, a database is better refused memory than swapped.
        "memory_swap": s.memory_mb,
        "restart": "unless-stopped",
        "stop_signal": "SIGINT",
        # Upstream's delete (also the first half of a replacement) force-removes the
        # container, i.e. SIGKILLs PostgreSQL, unless this is set: then it stops it first
        # with stop_signal (fast shutdown: a checkpoint, clients told) and waits this long.
        "destroy_grace_seconds": STOP_GRACE_SECONDS,
    }


def _gateway(configs: Sequence[docker.outputs.NetworkIpamConfig]) -> str:
    gateways = [c.gateway for c in configs or [] if c.gateway]
    if not gateways:
        raise ValueError("server: Docker reported no gateway for the server's network")
    return str(gateways[0])
