"""The connection pooler: Debian's PgBouncer in its own container (built from `docker/pooler/`
like the server image), on the server's network, published on the server's bind address only.
Its files (`pgplatform.pooler`) arrive as root-only uploads: the config, the SCRAM verifiers of
the pooled logins, its certificate and key (signed by the stack's CA), and the CA.

With `server.pooler.metricsPort`, a second container from the same image runs Debian's
prometheus-pgbouncer-exporter, reading the console as the monitor login (`stats_users`), and
is published on the server's bind address only."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_docker as docker

from pgplatform import paths, pooler, resource_types
from pgplatform.components.image import PostgresImage, PostgresImageArgs
from pgplatform.components.uploads import upload
from pgplatform.model import POOLER_METRICS_PORT, POOLER_PORT, PlatformConfig

IMAGE_NAME = "pgplatform/pgbouncer:trixie"
CONTEXT = paths.DOCKER_CONTEXT / "pooler"
METRICS_SOURCE = "/run/secrets/pgplatform-pooler-metrics"
METRICS_DIR = "/run/pgplatform-pooler-metrics"
"""Where the metrics entrypoint hands the exporter's user its copies (docker/pooler)."""


@dataclass(frozen=True, kw_only=True)
class PoolerArgs:
    cfg: PlatformConfig
    network_name: pulumi.Input[str]
    verifiers: pulumi.Input[dict[str, str]]
    """The SCRAM verifier of every pooled login and of the stats login, by role (secret)."""
    monitor_password: pulumi.Input[str] | None
    """The stats login's, for the pooler's exporter (None: no metricsPort)."""
    cert_pem: pulumi.Input[str]
    key_pem: pulumi.Input[str]
    client_cert_pem: pulumi.Input[str]
    client_key_pem: pulumi.Input[str]
    ca_cert: pulumi.Input[str]
    after: list[pulumi.Resource]


class ConnectionPooler(pulumi.ComponentResource):
    container: docker.Container
    metrics: docker.Container | None = None

    def __init__(self, name: str, args: PoolerArgs,
                 opts: pulumi.ResourceOptions | None = None) -> None:
        s = args.cfg.server
        assert s.pooler is not None
        # Visible to policy packs: TLS both ways, transaction pools of the app logins only.
        model = {"bindAddress": s.bind_address, "hostPort": s.pooler.host_port,
                 "poolMode": "transaction", "clientTls": "require", "serverTls": "verify-full",
                 "pools": {svc.login_role: svc.pool_size
                           for svc in pooler.pooled_services(args.cfg)},
                 "adminUsers": [], "statsUsers": [u for u in [pooler.stats_login(args.cfg)] if u],
                 "metricsPort": s.pooler.metrics_port}
        super().__init__(resource_types.CONNECTION_POOLER, name, model, opts)
        image = PostgresImage(f"{name}-image", PostgresImageArgs(
            image_name=IMAGE_NAME, build=True, context=CONTEXT),
            pulumi.ResourceOptions(parent=self))
        src = pooler.SOURCE_DIR

        def upload_src(file: str, content: pulumi.Input[str], mode: str
                       ) -> docker.ContainerUploadArgs:
            return upload(f"{src}/{file}", content, mode)

        self.container = docker.Container(
            f"{name}-container",
            name=s.pooler_name,
            image=image.ref,
            envs=[f"PGPLATFORM_POOLER_SOURCE={src}", f"PGPLATFORM_POOLER_DIR={pooler.PRIVATE_DIR}"],
            uploads=[
                upload_src(pooler.CONFIG_FILE, pooler.config(args.cfg), "0400"),
                upload_src(pooler.HBA_FILE, pooler.hba(args.cfg), "0400"),
                upload_src(pooler.USERLIST_FILE, pulumi.Output.secret(
                    pulumi.Output.from_input(args.verifiers).apply(pooler.userlist)), "0400"),
                upload_src(pooler.KEY_FILE, args.key_pem, "0400"),
                upload_src(pooler.CERT_FILE, args.cert_pem, "0444"),
                upload_src(pooler.CA_FILE, args.ca_cert, "0444"),
                upload_src(pooler.CLIENT_CERT_FILE, args.client_cert_pem, "0444"),
                upload_src(pooler.CLIENT_KEY_FILE, args.client_key_pem, "0400"),
            ],
            networks_advanced=[docker.ContainerNetworksAdvancedArgs(name=args.network_name)],
            ports=[docker.ContainerPortArgs(internal=POOLER_PORT, external=s.pooler.host_port,
                                            ip=s.bind_address)],
            # PgBouncer only logs a limit below its clients (docs: "max_client_conn + (max
            # pool_size * total databases * total users)").
            ulimits=[docker.ContainerUlimitArgs(name="nofile", soft=pooler.open_files(args.cfg),
                                                hard=pooler.open_files(args.cfg))],
            restart="unless-stopped",
            opts=pulumi.ResourceOptions(parent=self, depends_on=args.after))
        if s.pooler.metrics_port:
            assert args.monitor_password is not None
            self.metrics = docker.Container(
                f"{name}-metrics",
                name=s.pooler_metrics_name,
                image=image.ref,
                entrypoints=["/usr/local/bin/pooler-metrics-entrypoint.sh"],
                command=[
                    "--pgBouncer.connectionString="
                    + pooler.metrics_connection(args.cfg, f"{METRICS_DIR}/ca.pem"),
                    # PgBouncer's process is in another container.
                    "--pgBouncer.pid-file=",
                    f"--web.listen-address=:{POOLER_METRICS_PORT}"],
                envs=[f"PGPLATFORM_METRICS_SOURCE={METRICS_SOURCE}",
                      f"PGPLATFORM_METRICS_DIR={METRICS_DIR}"],
                uploads=[
                    upload(f"{METRICS_SOURCE}/pgpass", pulumi.Output.secret(
                        pulumi.Output.from_input(args.monitor_password).apply(
                            lambda pw: pooler.metrics_pgpass(args.cfg, pw))), "0400"),
                    upload(f"{METRICS_SOURCE}/ca.pem", args.ca_cert, "0444")],
                networks_advanced=[docker.ContainerNetworksAdvancedArgs(
                    name=args.network_name)],
                ports=[docker.ContainerPortArgs(internal=POOLER_METRICS_PORT,
                                                external=s.pooler.metrics_port,
                                                ip=s.bind_address)],
                restart="unless-stopped",
                opts=pulumi.ResourceOptions(parent=self, depends_on=[self.container]))
        self.register_outputs(model)
