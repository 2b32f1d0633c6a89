"""The session watchdog: the function that ends over-limit sessions, installed by the admin
in `postgres` (`SessionLimits`, `pgplatform.session_limits`), and the container that calls it
every few seconds as the watchdog login (the server's own image, on the server's network, TLS
verified against the stack's CA with a client certificate from it)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import pulumi
import pulumi_docker as docker
from pulumi.dynamic import CreateResult, DiffResult, ResourceProvider, UpdateResult

from pgplatform import paths, resource_types, session_limits
from pgplatform.access import WATCHDOG_DATABASE
from pgplatform.components import connection
from pgplatform.components.uploads import upload
from pgplatform.model import WATCHDOG_PERIOD_S, WATCHDOG_ROLE, ServerConfig

SCRIPT = paths.DOCKER_CONTEXT / "watchdog" / "watchdog.sh"
SOURCE = "/run/secrets/pgplatform-watchdog"
# Where the script hands `postgres` its copies (docker/watchdog/watchdog.sh).
PRIVATE_DIR = "/run/pgplatform-watchdog"
MEMORY_MB = 64


def _limits(props: dict[str, Any]) -> list[session_limits.Limit]:
    return [session_limits.Limit(**x) for x in props["limits"]]


class SessionLimitsProvider(ResourceProvider):
    def create(self, props: dict[str, Any]) -> CreateResult:
        session_limits.apply(connection.dsn(props), _limits(props))
        return CreateResult(id_="session-limits", outs=props)

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        changed = any(olds.get(k) != news.get(k)
                      for k in ("limits", "definition", "dsn", connection.CA_CERT))
        return DiffResult(changes=changed, replaces=[], delete_before_replace=False)

    def update(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        session_limits.apply(connection.dsn(news), _limits(news))
        return UpdateResult(outs=news)

    def delete(self, _id: str, props: dict[str, Any]) -> None:
        session_limits.remove(connection.dsn(props))


class SessionLimits(pulumi.dynamic.Resource, module="pgplatform", name="SessionLimits"):
    def __init__(self, name: str, admin_dsn: pulumi.Input[str], ca_cert: pulumi.Input[str],
                 limits: Sequence[session_limits.Limit],
                 opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(SessionLimitsProvider(), name, {
            **connection.props(ca_cert, dsn=admin_dsn),
            "limits": [asdict(x) for x in limits], "definition": session_limits.DEFINITION},
            pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(
                additional_secret_outputs=["dsn"])))


@dataclass(frozen=True, kw_only=True)
class WatchdogArgs:
    server: ServerConfig
    image_ref: pulumi.Input[str]
    network_name: pulumi.Input[str]
    admin_dsn: pulumi.Input[str]
    """The admin's, for `postgres`: it installs the function."""
    watchdog_password: pulumi.Input[str]
    ca_cert: pulumi.Input[str]
    client_cert_pem: pulumi.Input[str]
    client_key_pem: pulumi.Input[str]
    limits: Sequence[session_limits.Limit]
    after: list[pulumi.Resource]


class SessionWatchdog(pulumi.ComponentResource):
    container: docker.Container

    def __init__(self, name: str, args: WatchdogArgs,
                 opts: pulumi.ResourceOptions | None = None) -> None:
        s = args.server
        # Visible to policy packs: the watchdog's login holds CONNECT on `postgres` only.
        model = {"watchdogRole": WATCHDOG_ROLE, "database": WATCHDOG_DATABASE,
                 "periodSeconds": WATCHDOG_PERIOD_S}
        super().__init__(resource_types.SESSION_WATCHDOG, name, model, opts)
        limits = SessionLimits(f"{name}-limits", args.admin_dsn, args.ca_cert, args.limits,
                               pulumi.ResourceOptions(parent=self, depends_on=args.after))
        dsn = (f"host={s.container_name} port=5432 dbname={WATCHDOG_DATABASE} "
               f"user={WATCHDOG_ROLE} sslmode=verify-full sslrootcert={PRIVATE_DIR}/ca.pem "
               f"sslcert={PRIVATE_DIR}/client.crt sslkey={PRIVATE_DIR}/client.key "
               "connect_timeout=5 application_name=pgplatform-watchdog")
        self.container = docker.Container(
            f"{name}-container",
            name=s.watchdog_name,
            image=args.image_ref,
            entrypoints=["/bin/sh", f"{SOURCE}/watchdog.sh"],
            envs=[f"PGPLATFORM_WATCHDOG_DSN={dsn}",
                  f"PGPLATFORM_WATCHDOG_PERIOD={WATCHDOG_PERIOD_S}"],
            uploads=[upload(f"{SOURCE}/watchdog.sh", SCRIPT.read_text(), "0555"),
                     upload(f"{SOURCE}/password", args.watchdog_password, "0400"),
                     upload(f"{SOURCE}/ca.pem", args.ca_cert, "0444"),
                     upload(f"{SOURCE}/client.crt", args.client_cert_pem, "0444"),
                     upload(f"{SOURCE}/client.key", args.client_key_pem, "0400")],
            networks_advanced=[docker.ContainerNetworksAdvancedArgs(name=args.network_name)],
            memory=MEMORY_MB, memory_swap=MEMORY_MB,
            restart="unless-stopped",
            opts=pulumi.ResourceOptions(parent=self, depends_on=[*args.after, limits]))
        self.register_outputs(model)
