"""The Pulumi program: the model in, resources and stack outputs out."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_postgresql as postgresql
import pulumi_random as random

from pgplatform import access, hba, outputs, placements, pooler, session_limits, tls
from pgplatform.components.acl_chain import AclChain
from pgplatform.components.certificates import StackCertificates
from pgplatform.components.consumer import ConsumerAccess, ConsumerAccessArgs
from pgplatform.components.database import ManagedDatabase, ManagedDatabaseArgs
from pgplatform.components.exporter import ExporterArgs, MetricsExporter
from pgplatform.components.grants import AclWriter
from pgplatform.components.hardening import DatabaseHardening
from pgplatform.components.hba import HbaRules
from pgplatform.components.identity import Identity, IdentityArgs
from pgplatform.components.image import PostgresImage, PostgresImageArgs
from pgplatform.components.lifecycle import (
    PlacementGuard,
    RetainedDataAdoption,
    RetainedDataPark,
    ServiceRetirement,
)
from pgplatform.components.monitor_readable import MonitorReadable
from pgplatform.components.pooler import ConnectionPooler, PoolerArgs
from pgplatform.components.replica import ReadReplica, ReplicaArgs
from pgplatform.components.server import PostgresServer, PostgresServerArgs
from pgplatform.components.service import ServiceAccess, ServiceAccessArgs
from pgplatform.components.settings import ServerSettings
from pgplatform.components.watchdog import SessionWatchdog, WatchdogArgs
from pgplatform.dsn import postgres_url, replica_url
from pgplatform.lifecycle import MAINTENANCE_DATABASE
from pgplatform.model import (
    BOOKKEEPING_SCHEMA,
    PUBLIC_SCHEMA,
    WATCHDOG_ROLE,
    ConfigError,
    PlatformConfig,
)


def _read_url(cfg: PlatformConfig, user: str, password: pulumi.Input[str], database: str,
              read_from: str) -> pulumi.Output[str]:
    """A read-only login's DSN: the primary, or (`readFrom: replica`) the replicas first."""
    s = cfg.server
    if read_from != "replica":
        return _url(cfg, user, password, database)
    hosts = [*((s.connect_host, s.replica_port(i)) for i in range(s.replicas)),
             (s.connect_host, s.host_port)]
    return pulumi.Output.secret(pulumi.Output.from_input(password).apply(
        lambda pw: replica_url(user=user, password=pw, hosts=hosts, database=database,
                               sslmode=s.sslmode)))


def _url(cfg: PlatformConfig, user: str, password: pulumi.Input[str],
         database: str, port: int | None = None) -> pulumi.Output[str]:
    s = cfg.server
    return pulumi.Output.secret(pulumi.Output.from_input(password).apply(
        lambda pw: postgres_url(user=user, password=pw, host=s.connect_host,
                                port=port or s.host_port, database=database,
                                sslmode=s.sslmode)))


def _admin_password(cfg: PlatformConfig) -> pulumi.Output[str]:
    if cfg.admin_password is None:
        generated = random.RandomPassword("admin-password", length=32, special=False)
        return pulumi.Output.secret(generated.result)
    if cfg.admin_password.plaintext is None:
        raise ConfigError(["pgplatform:adminPassword: encrypted, and only the Pulumi engine "
                           "can decrypt it. Fix: deploy with `pulumi up`"])
    return pulumi.Output.secret(cfg.admin_password.plaintext)


def _pitr_passphrase(cfg: PlatformConfig) -> pulumi.Output[str] | None:
    """The WAL repository's key, kept in the state. Protected with the volumes in production:
    a repository whose key is lost cannot be restored from."""
    if cfg.server.pitr is None:
        return None
    s = cfg.server
    generated = random.RandomPassword(
        "pitr-passphrase", length=64, special=False,
        opts=pulumi.ResourceOptions(protect=s.production and not s.allow_volume_deletion))
    return pulumi.Output.secret(generated.result)


def build(cfg: PlatformConfig) -> outputs.StackOutputs[pulumi.Output[str]]:
    """Declare every resource of the stack; return the stack outputs."""
    s = cfg.server
    admin_password = _admin_password(cfg)
    admin_dsn = _url(cfg, s.admin_user, admin_password, "postgres")
    container: _Container | None = None
    pitr_passphrase = _pitr_passphrase(cfg)
    if s.external is None:
        container = _container(cfg, admin_password, admin_dsn, pitr_passphrase)
        ca_cert, up = container.certs.ca_cert_pem, [container.server.container]
    else:
        # A managed server: nothing to run, its CA is the provider's (config).
        ca_cert, up = pulumi.Output.from_input(s.external.ca_cert), []
    # The provider pings lazily, once, without retry: it may only exist after `wait=True` has
    # seen the container healthy. lib/pq reads the CA from a file only (tls.ca_file). Against
    # an external server the admin is not a superuser: `superuser = false` makes upstream
    # keep passwords from the state (it cannot read pg_authid) and its withRolesGranted
    # borrow each owner role for the statements only its owner may run.
    provider = postgresql.Provider(
        "postgres-admin",
        host=s.connect_host, port=s.host_port, username=s.admin_user, password=admin_password,
        database="postgres", sslmode=s.sslmode, sslrootcert=ca_cert.apply(tls.ca_file),
        superuser=not s.is_external, connect_timeout=15,
        opts=pulumi.ResourceOptions(depends_on=up),
    )
    chain = AclChain()
    # Every role and database, and the pg_hba naming them, wait for the guard: a rename or
    # move is refused before any of them is touched.
    before: list[pulumi.Resource] = [PlacementGuard("service-placements", placements.of(cfg))]
    # Logins connect only once the rules let them (an external server's pg_hba is the
    # provider's).
    hba_rules: list[pulumi.Resource] = []
    if container is not None:
        server = container.server
        hba_rules.append(HbaRules(
            "postgres-hba", admin_dsn, ca_cert, container.hba_lines,
            pulumi.ResourceOptions(parent=server, depends_on=[server.container, *before])))
    roles = list(cfg.roles)
    names = [db.name for db in cfg.databases]
    if cfg.keeps_data:
        before.append(RetainedDataPark("retained-data-park", admin_dsn, ca_cert, roles, names,
                                       pulumi.ResourceOptions(depends_on=up)))
    keep_data = cfg.keeps_data
    identities = {
        svc.name: Identity(svc.name, IdentityArgs(
            roles=access.roles_of(cfg, svc), provider=provider, admin_dsn=admin_dsn,
            ca_cert=ca_cert, keep_data=keep_data, after=before))
        for svc in cfg.services
    }
    consumer_identities = {
        c.name: Identity(f"consumer-{c.name}", IdentityArgs(
            roles=[access.consumer_role(cfg, c)], provider=provider, admin_dsn=admin_dsn,
            ca_cert=ca_cert, keep_data=keep_data, after=before))
        for c in cfg.consumers
    }
    # The platform's own logins (the exporter's, the watchdog's, the replicas'): created with
    # the services' so that kept data is adopted after all of them.
    platform: dict[str, Identity] = {
        spec.kind: Identity(spec.kind, IdentityArgs(
            roles=[spec], provider=provider, admin_dsn=admin_dsn, ca_cert=ca_cert,
            keep_data=keep_data, after=before))
        for spec in (access.monitor_role(cfg), access.watchdog_role(cfg),
                     access.replicator_role(cfg)) if spec is not None
    }
    databases = {
        db.name: ManagedDatabase(db.name, ManagedDatabaseArgs(
            database=db, admin_user=s.admin_user,
            public_revokes=access.database_grants(db.name), provider=provider,
            chain=chain, keep_data=keep_data, after=before,
            owners=[*(r for svc in cfg.services_in(db.name) for r in identities[svc.name].roles),
                    *(r for c in cfg.consumers if c.database == db.name
                      for r in consumer_identities[c.name].roles)]))
        for db in cfg.databases
    }
    adopted: list[pulumi.Resource] = []
    if cfg.keeps_data:
        adopted.append(RetainedDataAdoption(
            "retained-data-adoption", admin_dsn, ca_cert, roles, names, pulumi.ResourceOptions(
                depends_on=[*(d.database for d in databases.values()),
                            *(r for i in (*identities.values(), *consumer_identities.values(),
                                          *platform.values()) for r in i.roles)])))
    for managed in databases.values():
        managed.populate(after=adopted)
    database_admin_dsns = {db.name: _url(cfg, s.admin_user, admin_password, db.name)
                           for db in cfg.databases}
    # A container's admin is a superuser: only it may take built-ins from PUBLIC and install
    # event triggers (a managed server's admin may do neither).
    walls: dict[str, list[pulumi.Resource]] = {
        db.name: [DatabaseHardening(
            f"{db.name}-hardening", database_admin_dsns[db.name], ca_cert,
            access.database_walls(cfg, db.name), BOOKKEEPING_SCHEMA,
            pulumi.ResourceOptions(parent=databases[db.name], depends_on=[
                *databases[db.name].ready,
                *(r for svc in cfg.services_in(db.name) for r in identities[svc.name].roles)]))]
        for db in cfg.databases if container is not None}
    monitor_dsn: pulumi.Output[str] = pulumi.Output.secret("")
    watchdog_dsn: pulumi.Output[str] = pulumi.Output.secret("")
    pooled_dsns: dict[str, pulumi.Output[str]] = {}
    if container is not None:
        monitor_dsn, watchdog_dsn, pooled_dsns = _sidecars(
            cfg, container, platform, provider=provider, chain=chain, ca_cert=ca_cert,
            admin_dsn=admin_dsn, identities=identities, hba_rules=hba_rules, before=before,
            adopted=adopted, databases=[d.database for d in databases.values()])
    migrator_dsns = {svc.name: _url(cfg, svc.migrator_role,
                                    identities[svc.name].password["migrator"], svc.database)
                     for svc in cfg.services}
    services: dict[str, ServiceAccess] = {}
    # The service taking `public` comes last in its database and waits for the others'
    # bootstraps: one of them may move tables a legacy deploy left there into its own schema
    # (cyrex 0001), and the taker's grants on ALL TABLES IN SCHEMA public must not reach them.
    for svc in sorted(cfg.services, key=lambda s: PUBLIC_SCHEMA in s.schemas):
        services[svc.name] = ServiceAccess(svc.name, ServiceAccessArgs(
            service=svc,
            identity=identities[svc.name],
            reader_identities=[identities[r] for r in svc.readers],
            grants=access.service_grants(cfg, svc),
            default_privileges=access.service_default_privileges(cfg, svc),
            database_ready=databases[svc.database].ready,
            admin_dsn=database_admin_dsns[svc.database],
            migrator_dsn=migrator_dsns[svc.name],
            ca_cert=ca_cert,
            sql_root=cfg.sql_root,
            provider=provider,
            chain=chain,
            keep_data=keep_data,
            after=[*hba_rules, *walls.get(svc.database, ()),
                   *(services[o.name].bootstrap for o in cfg.services_in(svc.database)
                     if PUBLIC_SCHEMA in svc.schemas and o.name in services)],
        ))
    for c in cfg.consumers:
        ConsumerAccess(f"consumer-{c.name}", ConsumerAccessArgs(
            consumer=c, schemas=cfg.schemas_read_by(c),
            identity=consumer_identities[c.name],
            grants=access.consumer_grants(cfg, c),
            default_privileges=access.consumer_default_privileges(cfg, c),
            services_ready=[r for name in c.reads
                            for r in (*services[name].schemas, services[name].bootstrap)],
            provider=provider, chain=chain))
    return outputs.StackOutputs(
        stack=cfg.stack,
        admin_dsn=admin_dsn,
        ca_cert=ca_cert,
        metrics_url=s.metrics_url,
        monitor_dsn=monitor_dsn,
        watchdog_dsn=watchdog_dsn,
        host=s.connect_host,
        port=s.host_port,
        container_name=(container.server.container.name if container is not None
                        else pulumi.Output.from_input("")),
        pitr_passphrase=(pitr_passphrase if pitr_passphrase is not None
                         else pulumi.Output.secret("")),
        services={
            svc.name: outputs.ServiceOutputs(
                database=svc.database,
                schemas=svc.schemas,
                login_role=ident.role["login"].name,
                owner_role=ident.role["owner"].name,
                dsn=_url(cfg, svc.login_role, ident.password["login"], svc.database),
                migrator_dsn=migrator_dsns[svc.name],
                readonly_dsn=_read_url(cfg, svc.readonly_role, ident.password["readonly"],
                                       svc.database, svc.read_from),
                pooled_dsn=pooled_dsns.get(svc.name, pulumi.Output.secret("")),
            )
            for svc in cfg.services for ident in [identities[svc.name]]
        },
        consumers={
            c.name: outputs.ConsumerOutputs(
                database=c.database,
                login_role=consumer_identities[c.name].role["consumer"].name,
                dsn=_read_url(cfg, c.login_role,
                              consumer_identities[c.name].password["consumer"], c.database,
                              c.read_from),
            )
            for c in cfg.consumers
        },
        databases={
            name: outputs.DatabaseOutputs(admin_dsn=dsn)
            for name, dsn in database_admin_dsns.items()
        },
    )


@dataclass(frozen=True)
class _Container:
    server: PostgresServer
    certs: StackCertificates
    image_ref: pulumi.Output[str]
    hba_lines: pulumi.Output[list[str]]
    """pg_hba for the gateway of the server's network (the primary's and the replicas')."""
    admin_password: pulumi.Output[str]


def _container(cfg: PlatformConfig, admin_password: pulumi.Output[str],
               admin_dsn: pulumi.Output[str], pitr_passphrase: pulumi.Output[str] | None
               ) -> _Container:
    """The server the bundle runs: its image, CA and certificate, container (volume, network)
    and the settings applied in place."""
    s = cfg.server
    image = PostgresImage("postgres-image",
                          PostgresImageArgs(image_name=s.image_name, build=s.builds_image))
    certs = StackCertificates("tls", cfg.stack, s)
    server = PostgresServer("postgres", PostgresServerArgs(
        server=s, image_ref=image.ref, admin_password=admin_password,
        server_cert_pem=certs.server_cert_pem, server_key_pem=certs.server_key_pem,
        ca_cert_pem=certs.ca_cert_pem, pitr_passphrase=pitr_passphrase))
    ServerSettings("postgres-settings", admin_dsn, certs.ca_cert_pem, s.reload_settings,
                   pulumi.ResourceOptions(parent=server, depends_on=[server.container]))
    lines = server.gateway.apply(lambda gateway: [r.line() for r in hba.rules(cfg, gateway)])
    return _Container(server=server, certs=certs, image_ref=image.ref, hba_lines=lines,
                      admin_password=admin_password)


def _sidecars(cfg: PlatformConfig, container: _Container, platform: dict[str, Identity], *,
              provider: pulumi.ProviderResource, chain: AclChain, ca_cert: pulumi.Output[str],
              admin_dsn: pulumi.Output[str], identities: dict[str, Identity],
              hba_rules: list[pulumi.Resource], before: list[pulumi.Resource],
              adopted: list[pulumi.Resource], databases: list[pulumi.Resource]
              ) -> tuple[pulumi.Output[str], pulumi.Output[str], dict[str, pulumi.Output[str]]]:
    """What only a container stack has: the maintenance databases closed to PUBLIC, the
    metrics exporter, the session watchdog and the pooler (all on the server's network).
    Returns the monitor's DSN, the watchdog's and the pooled DSNs."""
    s, server = cfg.server, container.server
    server_acl = AclWriter(parent=server, provider=provider, chain=chain)
    for spec in access.server_grants():
        server_acl.grant(spec, [server.container, *before, *adopted])
    monitor = access.monitor_role(cfg)
    monitor_dsn: pulumi.Output[str] = pulumi.Output.secret("")
    monitor_retired = _retirement(cfg, monitor, platform.get("monitor"), admin_dsn, ca_cert)
    if monitor is not None:
        watcher = platform["monitor"]
        connects = [server_acl.grant(spec, [server.container, *adopted, *watcher.roles,
                                            *monitor_retired, *databases])
                    for spec in access.monitor_grants(cfg)]
        client_cert, client_key = container.certs.issue_client("exporter-client",
                                                               s.exporter_name)
        MetricsExporter("metrics", ExporterArgs(
            server=s, network_name=server.network.name,
            monitor_password=watcher.password["monitor"], ca_cert=ca_cert,
            client_cert_pem=client_cert, client_key_pem=client_key,
            after=[server.container, *hba_rules, *watcher.roles, *connects]))
        monitor_dsn = _url(cfg, monitor.name, watcher.password["monitor"], "postgres")
    # The maintenance database too: the platform's own logins (the exporter's, the
    # watchdog's) connect there, and take nothing back.
    maintenance = DatabaseHardening(
        "postgres-hardening", admin_dsn, ca_cert,
        access.database_walls(cfg, access.WATCHDOG_DATABASE), BOOKKEEPING_SCHEMA,
        pulumi.ResourceOptions(parent=server, depends_on=[server.container, *hba_rules]))
    # Per-service load from every statement, the denied access status counts in the log, and
    # (server.pitr) the base backups the exporter reports (it reads no log and cannot run
    # pgBackRest): the exporter's login alone reads them.
    for name, kind in (("statement-stats", "statement_stats"), ("denied-access", "denied_access"),
                       *((("pitr-catalog", "pitr_backups"),) if s.pitr is not None else ())):
        MonitorReadable(name, kind, admin_dsn, ca_cert, monitor.name if monitor else None,
                        pulumi.ResourceOptions(parent=server, depends_on=[
                            maintenance, *(platform["monitor"].roles if monitor else ()),
                            *monitor_retired]))
    watchdog_dsn = _watchdog(cfg, container, platform.get("watchdog"), server_acl=server_acl,
                             ca_cert=ca_cert, admin_dsn=admin_dsn,
                             after=[*hba_rules, maintenance], adopted=adopted)
    pooled_dsns: dict[str, pulumi.Output[str]] = {}
    if s.pooler is not None:
        pooled = pooler.pooled_services(cfg)
        cert, key = container.certs.issue("pooler", s.pooler_name,
                                          s.tls_dns_names_of(s.pooler_name), s.tls_ip_addresses)
        client_cert, client_key = container.certs.issue_client("pooler-client", s.pooler_name)
        stats = pooler.stats_login(cfg)
        verifiers = {svc.login_role: identities[svc.name].verifier["login"] for svc in pooled}
        if stats:
            verifiers[stats] = platform["monitor"].verifier["monitor"]
        ConnectionPooler("pooler", PoolerArgs(
            cfg=cfg, network_name=server.network.name,
            verifiers=pulumi.Output.all(**verifiers),
            monitor_password=platform["monitor"].password["monitor"] if stats else None,
            cert_pem=cert, key_pem=key, client_cert_pem=client_cert,
            client_key_pem=client_key, ca_cert=ca_cert,
            after=[server.container, *hba_rules,
                   *(identities[svc.name].role["login"] for svc in pooled),
                   *(platform["monitor"].roles if stats else ())]))
        pooled_dsns = {svc.name: _url(cfg, svc.login_role, identities[svc.name].password["login"],
                                      svc.database, s.pooler.host_port) for svc in pooled}
    replicator = access.replicator_role(cfg)
    if replicator is not None:
        streamer = platform["replicator"]
        for i in range(s.replicas):
            cert, key = container.certs.issue(f"replica-{i}", s.replica_name(i),
                                              s.tls_dns_names_of(s.replica_name(i)),
                                              s.tls_ip_addresses)
            client_cert, client_key = container.certs.issue_client(f"replica-{i}-client",
                                                                   s.replica_name(i))
            ReadReplica(f"replica-{i}", ReplicaArgs(
                server=s, index=i, image_ref=container.image_ref,
                network_name=server.network.name, admin_dsn=admin_dsn,
                replica_admin_dsn=_url(cfg, s.admin_user, container.admin_password,
                                       "postgres", s.replica_port(i)),
                hba_lines=container.hba_lines,
                replicator_password=streamer.password["replicator"], ca_cert=ca_cert,
                cert_pem=cert, key_pem=key, client_cert_pem=client_cert,
                client_key_pem=client_key,
                after=[server.container, *hba_rules, *streamer.roles]))
    return monitor_dsn, watchdog_dsn, pooled_dsns


def _watchdog(cfg: PlatformConfig, container: _Container, identity: Identity | None, *,
              server_acl: AclWriter, ca_cert: pulumi.Output[str],
              admin_dsn: pulumi.Output[str], after: list[pulumi.Resource],
              adopted: list[pulumi.Resource]) -> pulumi.Output[str]:
    """Its CONNECT on `postgres`, the limits function and the container that calls it.
    Returns its login's DSN (verification probes it)."""
    s, server = cfg.server, container.server
    if identity is None:
        return pulumi.Output.secret("")
    retired = _retirement(cfg, access.watchdog_role(cfg), identity, admin_dsn, ca_cert)
    connects = [server_acl.grant(g, [server.container, *adopted, *identity.roles, *retired])
                for g in access.watchdog_grants(cfg)]
    client_cert, client_key = container.certs.issue_client("watchdog-client", s.watchdog_name)
    SessionWatchdog("watchdog", WatchdogArgs(
        server=s, image_ref=container.image_ref, network_name=server.network.name,
        admin_dsn=admin_dsn, watchdog_password=identity.password["watchdog"], ca_cert=ca_cert,
        client_cert_pem=client_cert, client_key_pem=client_key,
        limits=session_limits.limits(access.all_roles(cfg)),
        after=[server.container, *after, *identity.roles, *retired, *connects]))
    return _url(cfg, WATCHDOG_ROLE, identity.password["watchdog"], access.WATCHDOG_DATABASE)


def _retirement(cfg: PlatformConfig, spec: access.RoleSpec | None, identity: Identity | None,
                admin_dsn: pulumi.Output[str], ca_cert: pulumi.Output[str]
                ) -> list[pulumi.Resource]:
    """A platform login's retirement in `postgres`, between its role and every step that
    grants to it there. The bookkeeping schema's steps grant outside pulumi-postgresql's
    Grant, so nothing revokes what they gave before upstream's role delete runs DROP OWNED;
    the engine deletes the exporter's and the watchdog's roles in one round, in parallel, and
    two DROP OWNED revoking USAGE on that schema at once fail with "tuple concurrently
    updated". Deleted after those steps, the retirement drops what the login still holds,
    one retirement at a time, and leaves upstream's DROP OWNED nothing to revoke. A stack
    that keeps its data retains the roles: nothing is dropped."""
    if spec is None or identity is None or cfg.keeps_data:
        return []
    return [ServiceRetirement(f"{spec.kind}-retirement", admin_dsn, ca_cert,
                              MAINTENANCE_DATABASE, spec.kind, [spec.name],
                              pulumi.ResourceOptions(parent=identity,
                                                     depends_on=identity.roles))]
