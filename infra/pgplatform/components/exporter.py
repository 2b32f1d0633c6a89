"""The Prometheus metrics endpoint: Debian's prometheus-postgres-exporter in its own container
(built from `docker/exporter/` like the server image), on the server's network, published on
the server's bind address only, logging in as the monitor role (pg_monitor and CONNECT,
nothing else) with TLS verified against the stack's CA. Its queries add each schema's size,
tables and rows in every database it discovers."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_docker as docker

from pgplatform import paths, resource_types
from pgplatform.components.image import PostgresImage, PostgresImageArgs
from pgplatform.components.uploads import upload
from pgplatform.model import EXPORTER_PORT, MONITOR_ROLE, ServerConfig

IMAGE_NAME = "pgplatform/postgres-exporter:trixie"
CONTEXT = paths.DOCKER_CONTEXT / "exporter"
SOURCE = "/run/secrets/pgplatform-exporter"
# Where the entrypoint hands the exporter's user its copies (docker/exporter).
PRIVATE_DIR = "/run/pgplatform-exporter"


@dataclass(frozen=True, kw_only=True)
class ExporterArgs:
    server: ServerConfig
    network_name: pulumi.Input[str]
    monitor_password: pulumi.Input[str]
    ca_cert: pulumi.Input[str]
    client_cert_pem: pulumi.Input[str]
    client_key_pem: pulumi.Input[str]
    """Shown to the server besides the password (pg_hba `clientcert=verify-ca`)."""
    after: list[pulumi.Resource]


PITR_QUERIES = "/etc/pgplatform-exporter/queries-pitr.yaml"


class MetricsExporter(pulumi.ComponentResource):
    container: docker.Container

    def __init__(self, name: str, args: ExporterArgs,
                 opts: pulumi.ResourceOptions | None = None) -> None:
        s = args.server
        assert s.exporter_port is not None
        # Visible to policy packs: the monitor role may hold pg_monitor and CONNECT only.
        model = {"bindAddress": s.bind_address, "hostPort": s.exporter_port,
                 "monitorRole": MONITOR_ROLE}
        super().__init__(resource_types.METRICS_EXPORTER, name, model, opts)
        image = PostgresImage(f"{name}-image", PostgresImageArgs(
            image_name=IMAGE_NAME, build=True, context=CONTEXT),
            pulumi.ResourceOptions(parent=self))
        self.container = docker.Container(
            f"{name}-container",
            name=s.exporter_name,
            image=image.ref,
            command=["--auto-discover-databases", "--exclude-databases=template0,template1",
                     f"--web.listen-address=:{EXPORTER_PORT}"],
            envs=[
                # The server's certificate names its container (a DNS SAN).
                f"DATA_SOURCE_URI={s.container_name}:5432/postgres?sslmode=verify-full"
                f"&sslrootcert={PRIVATE_DIR}/ca.pem&sslcert={PRIVATE_DIR}/client.crt"
                f"&sslkey={PRIVATE_DIR}/client.key",
                f"DATA_SOURCE_USER={MONITOR_ROLE}",
                f"PGPLATFORM_EXPORTER_DIR={PRIVATE_DIR}",
                f"PGPLATFORM_PASSWORD_SOURCE={SOURCE}/password",
                f"PGPLATFORM_CA_SOURCE={SOURCE}/ca.pem",
                f"PGPLATFORM_CLIENT_SOURCE={SOURCE}",
                # The base backups' age, from the table only a stack with server.pitr has.
                *((f"PGPLATFORM_EXTRA_QUERIES={PITR_QUERIES}",) if s.pitr else ())],
            uploads=[upload(f"{SOURCE}/password", args.monitor_password, "0400"),
                     upload(f"{SOURCE}/ca.pem", args.ca_cert, "0444"),
                     upload(f"{SOURCE}/client.crt", args.client_cert_pem, "0444"),
                     upload(f"{SOURCE}/client.key", args.client_key_pem, "0400")],
            networks_advanced=[docker.ContainerNetworksAdvancedArgs(name=args.network_name)],
            ports=[docker.ContainerPortArgs(internal=EXPORTER_PORT, external=s.exporter_port,
                                            ip=s.bind_address)],
            restart="unless-stopped",
            opts=pulumi.ResourceOptions(parent=self, depends_on=args.after))
        self.register_outputs(model)
