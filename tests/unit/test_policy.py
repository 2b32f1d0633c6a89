"""The policy pack (`policy/`): each rule called directly with good and bad resources, the
secret marks through the SDK's own request handling, and the real program's stacks under mocks
run through the pack as the engine would send them."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Iterator, Mapping
from functools import cache
from typing import Any

import grpc
import pytest
from google.protobuf import empty_pb2, json_format, struct_pb2
from pulumi.runtime import proto
from pulumi.runtime.proto import analyzer_pb2_grpc
from pulumi_policy import (
    EnforcementLevel,
    PolicyCustomTimeouts,
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    Secret,
    StackValidationArgs,
)
from pulumi_policy import policy as sdk_policy
from pulumi_policy.deserialize import deserialize_properties
from pulumi_policy.proxy import unknown_checking_proxy

from pgplatform import paths

PROJECT_ROOT = paths.PROJECT_ROOT
sys.path.insert(0, str(PROJECT_ROOT / "policy"))

from pgplatform_policy import (  # noqa: E402
    data_volume,
    network,
    pack,
    role_attributes,
    secrets,
    service_access,
    tls_only,
    tokens,
    values,
)

pytestmark = pytest.mark.unit

SIG = {values.SIG_KEY: values.SECRET_SIG}


def wire_secret(value: Any) -> dict[str, Any]:
    return {**SIG, "value": value}


def urn(typ: str, name: str) -> str:
    return f"urn:pulumi:test::pgplatform::{typ}::{name}"


def options(*, protect: bool = False, parent: str | None = None,
            secret_outputs: tuple[str, ...] = ()) -> PolicyResourceOptions:
    return PolicyResourceOptions(protect, [], None, [], PolicyCustomTimeouts(0, 0, 0),
                                 list(secret_outputs), parent)


def resource_args(typ: str, name: str, props: dict[str, Any],
                  **opts: Any) -> ResourceValidationArgs:
    """What the SDK hands a resource validation (props behind its unknown-checking proxy)."""
    return ResourceValidationArgs(typ, unknown_checking_proxy(props), urn(typ, name), name,
                                  options(**opts), None)


def stack_resource(typ: str, name: str, props: dict[str, Any], *,
                   parent: PolicyResource | None = None, protect: bool = False) -> PolicyResource:
    return PolicyResource(typ, unknown_checking_proxy(props), urn(typ, name), name,
                          options(protect=protect, parent=parent.urn if parent else None),
                          None, parent, [], {})


def violations_of(validate: Callable[..., Any], args: Any) -> list[tuple[str, str | None]]:
    found: list[tuple[str, str | None]] = []
    validate(args, lambda message, urn=None: found.append((message, urn)))
    return found


def messages(validate: Callable[..., Any], args: Any) -> list[str]:
    return [m for m, _ in violations_of(validate, args)]


# --- 1. service access -------------------------------------------------------------------------

def service(name: str, database: str, schemas: tuple[str, ...] = (),
            readers: tuple[str, ...] = ()) -> PolicyResource:
    return stack_resource(tokens.SERVICE_ACCESS, name, {
        "service": name, "database": database, "schemas": list(schemas or (name,)),
        "ownerRole": f"{name}_owner", "loginRole": f"{name}_app",
        "migratorRole": f"{name}_migrator", "readonlyRole": f"{name}_readonly",
        "readers": list(readers)})


def consumer(name: str, database: str, reads: list[str]) -> PolicyResource:
    return stack_resource(tokens.CONSUMER_ACCESS, f"consumer-{name}", {
        "consumer": name, "database": database, "loginRole": f"{name}_consumer",
        "reads": reads, "schemas": reads})


SERVICES = [
    service("vector_store", "paddle", readers=("rag",)),
    service("rag", "paddle"),
    service("flipsync_app", "flipsync", schemas=("flipsync",)),
    consumer("mcp", "paddle", ["vector_store"]),
    # seed 004: one service owning public, analytics and audit beside the agent service
    service("cyrex_backend", "cyrex", schemas=("public", "analytics", "audit")),
    service("cyrex", "cyrex"),
    consumer("backend_dash", "cyrex", ["cyrex_backend"]),
]


def grant(name: str, role: str, database: str, object_type: str, schema: str | None,
          privileges: list[str]) -> PolicyResource:
    return stack_resource(tokens.GRANT, name, {
        "role": role, "database": database, "objectType": object_type, "schema": schema,
        "privileges": privileges, **({"objects": []} if object_type in ("table", "sequence")
                                     else {})})


def default_privileges(name: str, owner: str, role: str, database: str, schema: str | None,
                       object_type: str, privileges: list[str]) -> PolicyResource:
    return stack_resource(tokens.DEFAULT_PRIVILEGES, name, {
        "owner": owner, "role": role, "database": database, "schema": schema,
        "objectType": object_type, "privileges": privileges})


def stack_violations(validate: Callable[..., Any],
                     *resources: PolicyResource) -> list[tuple[str, str | None]]:
    return violations_of(validate, StackValidationArgs(list(resources)))


GOOD_GRANTS = [
    grant("rag-login-connect", "rag_app", "paddle", "database", None, ["CONNECT"]),
    grant("rag-owner-temporary", "rag_owner", "paddle", "database", None, ["TEMPORARY"]),
    grant("rag-login-schema", "rag_app", "paddle", "schema", "rag", ["USAGE"]),
    grant("rag-login-tables", "rag_app", "paddle", "table", "rag",
          ["DELETE", "INSERT", "SELECT", "UPDATE"]),
    grant("rag-owner-extensions", "rag_owner", "paddle", "schema", "extensions", ["USAGE"]),
    grant("vector_store-reader-rag-schema", "rag_app", "paddle", "schema", "vector_store",
          ["USAGE"]),
    grant("vector_store-reader-rag-tables", "rag_app", "paddle", "table", "vector_store",
          ["SELECT"]),
    grant("paddle-public-database", "public", "paddle", "database", None, []),
    grant("paddle-public-schema-public", "public", "paddle", "schema", "public", []),
    default_privileges("vector_store-default-reader-rag-tables", "vector_store_owner",
                       "rag_app", "paddle", "vector_store", "table", ["SELECT"]),
    default_privileges("rag-default-functions", "rag_owner", "rag_app", "paddle", "rag",
                       "function", ["EXECUTE"]),
    default_privileges("rag-default-functions-public", "rag_owner", "public", "paddle", None,
                       "function", []),
    grant("rag-migrator-connect", "rag_migrator", "paddle", "database", None, ["CONNECT"]),
    grant("rag-readonly-connect", "rag_readonly", "paddle", "database", None, ["CONNECT"]),
    grant("rag-readonly-schema-rag", "rag_readonly", "paddle", "schema", "rag", ["USAGE"]),
    grant("rag-readonly-extensions", "rag_readonly", "paddle", "schema", "extensions",
          ["USAGE"]),
    grant("rag-readonly-tables-rag", "rag_readonly", "paddle", "table", "rag", ["SELECT"]),
    default_privileges("rag-default-readonly-tables", "rag_owner", "rag_readonly", "paddle",
                       "rag", "table", ["SELECT"]),
    grant("consumer-mcp-connect", "mcp_consumer", "paddle", "database", None, ["CONNECT"]),
    grant("consumer-mcp-tables-vector_store", "mcp_consumer", "paddle", "table",
          "vector_store", ["SELECT"]),
    default_privileges("consumer-mcp-default-vector_store-tables", "vector_store_owner",
                       "mcp_consumer", "paddle", "vector_store", "table", ["SELECT"]),
    grant("cyrex_backend-login-schema-analytics", "cyrex_backend_app", "cyrex", "schema",
          "analytics", ["USAGE"]),
    grant("cyrex_backend-login-tables", "cyrex_backend_app", "cyrex", "table", "public",
          ["DELETE", "INSERT", "SELECT", "UPDATE"]),
    grant("cyrex_backend-readonly-tables-audit", "cyrex_backend_readonly", "cyrex", "table",
          "audit", ["SELECT"]),
    grant("cyrex-public-schema-public", "public", "cyrex", "schema", "public", []),
    grant("consumer-backend_dash-tables-audit", "backend_dash_consumer", "cyrex", "table",
          "audit", ["SELECT"]),
    stack_resource(tokens.ROLE, "rag-migrator-role", {
        "name": "rag_migrator", "roles": ["rag_owner"], "assumeRole": "rag_owner",
        "inherit": False}),
]


def test_policy__service_access_allows_own_declared_reader_and_public_revokes() -> None:
    assert stack_violations(service_access.validate, *SERVICES, *GOOD_GRANTS) == []


@pytest.mark.parametrize(("bad", "says"), [
    (grant("x-undeclared-reader", "rag_app", "flipsync", "table", "flipsync", ["SELECT"]),
     "not a declared reader of 'flipsync_app'"),
    (grant("x-reverse-direction", "vector_store_app", "paddle", "table", "rag", ["SELECT"]),
     "not a declared reader of 'rag'"),
    (grant("x-reader-writes", "rag_app", "paddle", "table", "vector_store", ["INSERT", "SELECT"]),
     "beyond USAGE/SELECT"),
    (grant("x-foreign-connect", "flipsync_app_app", "paddle", "database", None, ["CONNECT"]),
     "lives in database 'flipsync'"),
    (grant("x-app-temporary", "rag_app", "paddle", "database", None, ["CONNECT", "TEMPORARY"]),
     "the app login CONNECT only"),
    (grant("x-owner-connect", "rag_owner", "paddle", "database", None, ["CONNECT"]),
     "the owner role holds TEMPORARY only"),
    (grant("x-owner-temporary-elsewhere", "rag_owner", "flipsync", "database", None,
           ["TEMPORARY"]), "lives in database 'paddle'"),
    (grant("x-foreign-extensions", "flipsync_app_app", "paddle", "schema", "extensions",
           ["USAGE"]), "is not service 'flipsync_app''s"),
    (grant("x-public-usage", "public", "paddle", "schema", "public", ["USAGE"]),
     "PUBLIC may only be revoked from"),
    (grant("x-unknown-role", "intruder", "paddle", "schema", "rag", ["USAGE"]),
     "no ServiceAccess or ConsumerAccess declares that role"),
    (default_privileges("x-default-undeclared", "vector_store_owner", "flipsync_app_app",
                        "paddle", "vector_store", "table", ["SELECT"]),
     "not a declared reader of 'vector_store'"),
    (default_privileges("x-default-owner-wide", "vector_store_owner", "rag_app", "paddle", None,
                        "table", ["UPDATE"]), "beyond USAGE/SELECT"),
    (default_privileges("x-default-public", "rag_owner", "public", "paddle", None, "function",
                        ["EXECUTE"]), "PUBLIC may only be revoked from"),
    (grant("x-migrator-reads", "rag_migrator", "paddle", "table", "rag", ["SELECT"]),
     "a migrator holds only CONNECT on its own database"),
    (grant("x-migrator-elsewhere", "rag_migrator", "flipsync", "database", None, ["CONNECT"]),
     "a migrator holds only CONNECT on its own database"),
    (grant("x-readonly-writes", "rag_readonly", "paddle", "table", "rag", ["INSERT"]),
     "is read-only"),
    (grant("x-readonly-foreign", "rag_readonly", "paddle", "table", "vector_store", ["SELECT"]),
     "reads only schemas ['rag']"),
    (grant("x-consumer-unlisted", "mcp_consumer", "paddle", "table", "rag", ["SELECT"]),
     "reads only schemas ['vector_store']"),
    (grant("x-into-taken-public", "cyrex_app", "cyrex", "table", "public", ["SELECT"]),
     "not a declared reader of 'cyrex_backend'"),
    (grant("x-into-second-schema", "cyrex_app", "cyrex", "schema", "audit", ["USAGE"]),
     "not a declared reader of 'cyrex_backend'"),
    (grant("x-readonly-other-schema", "cyrex_readonly", "cyrex", "table", "analytics",
           ["SELECT"]), "reads only schemas ['cyrex']"),
    (grant("x-consumer-other-db", "mcp_consumer", "flipsync", "database", None, ["CONNECT"]),
     "confined to database 'paddle'"),
    (default_privileges("x-consumer-default-unlisted", "rag_owner", "mcp_consumer", "paddle",
                        None, "table", ["SELECT"]), "reads only what"),
    (stack_resource(tokens.ROLE, "x-app-in-owner", {"name": "rag_app", "roles": ["rag_owner"]}),
     "only a service's migrator is a member of a role"),
    (stack_resource(tokens.ROLE, "x-migrator-in-other-owner", {
        "name": "rag_migrator", "roles": ["vector_store_owner"],
        "assumeRole": "vector_store_owner", "inherit": False}),
     "only a service's migrator is a member of a role"),
])
def test_policy__service_access_rejects_undeclared_access(bad: PolicyResource, says: str) -> None:
    found = stack_violations(service_access.validate, *SERVICES, *GOOD_GRANTS, bad)
    assert len(found) == 1, found
    message, at = found[0]
    assert at == bad.urn
    assert f"'{bad.name}'" in message and f"[{service_access.NAME}]" in message, message
    assert says in message, message


def test_policy__service_access_needs_the_model_from_every_component() -> None:
    hollow = stack_resource(tokens.SERVICE_ACCESS, "rag", {"schemas": ["rag"]})
    found = stack_violations(service_access.validate, SERVICES[0], hollow,
                             grant("rag-login-schema", "rag_app", "paddle", "schema", "rag",
                                   ["USAGE"]))
    assert [at for _, at in found] == [hollow.urn, urn(tokens.GRANT, "rag-login-schema")]
    assert "ServiceAccess 'rag' does not expose service, database" in found[0][0]


# --- 2. ports ----------------------------------------------------------------------------------

def container(ports: list[dict[str, Any]], **extra: Any) -> ResourceValidationArgs:
    return resource_args(tokens.CONTAINER, "postgres-container",
                         {"name": "pgplatform-dev", "ports": ports, **extra})


def test_policy__ports_on_loopback_pass() -> None:
    assert messages(network.validate, container(
        [{"internal": 5432.0, "external": 15432.0, "ip": "127.0.0.1"}])) == []


@pytest.mark.parametrize("port", [
    {"internal": 5432.0, "external": 15432.0},
    {"internal": 5432.0, "external": 15432.0, "ip": "0.0.0.0"},
    {"internal": 5432.0, "external": 15432.0, "ip": "::"},
], ids=["ip-missing", "ipv4-any", "ipv6-any"])
def test_policy__ports_on_every_interface_fail(port: dict[str, Any]) -> None:
    found = messages(network.validate, container([port]))
    assert len(found) == 1, found
    assert "Container 'postgres-container'" in found[0] and "[no-public-ports]" in found[0]
    assert "port 5432" in found[0] and "every interface" in found[0]


def test_policy__host_networking_fails() -> None:
    found = messages(network.validate, container([], networkMode="host"))
    assert len(found) == 1 and "host networking" in found[0], found


def test_policy__verified_tls_and_own_network_pass() -> None:
    provider = resource_args(tokens.POSTGRES_PROVIDER, "postgres-admin",
                             {"sslmode": "verify-full", "sslrootcert": "/ca.pem"})
    assert messages(tls_only.validate, provider) == []
    assert messages(tls_only.validate, container(
        [], networksAdvanced=[{"name": "pgplatform-dev-net"}])) == []


@pytest.mark.parametrize("props", [
    {"sslmode": "disable"}, {"sslmode": "require", "sslrootcert": "/ca.pem"},
    {"sslmode": "verify-full"}, {},
], ids=["plaintext", "unverified", "no-ca", "lib-pq-default"])
def test_policy__unverified_admin_connection_fails(props: dict[str, Any]) -> None:
    found = messages(tls_only.validate, resource_args(tokens.POSTGRES_PROVIDER,
                                                      "postgres-admin", props))
    assert len(found) == 1 and "[tls-only]" in found[0] and "unverified" in found[0], found


@pytest.mark.parametrize("client,server", [("disable", "verify-full"), ("require", "prefer"),
                                           ("allow", "require")])
def test_policy__pooler_without_tls_both_ways_fails(client: str, server: str) -> None:
    pooler = resource_args(tokens.CONNECTION_POOLER, "pooler",
                           {"clientTls": client, "serverTls": server, "poolMode": "transaction"})
    found = messages(tls_only.validate, pooler)
    assert len(found) == 1 and "[tls-only]" in found[0] and "Pooler" in found[0], found
    ok = resource_args(tokens.CONNECTION_POOLER, "pooler",
                       {"clientTls": "require", "serverTls": "verify-full"})
    assert messages(tls_only.validate, ok) == []


def test_policy__container_on_the_default_network_fails() -> None:
    found = messages(tls_only.validate, container([]))
    assert len(found) == 1 and "shared default network" in found[0], found


def test_policy__replication_only_for_the_login_a_read_replica_declares() -> None:
    replicator = resource_args(tokens.ROLE, "replicator-replicator-role",
                               {"name": "pgplatform_replicator", "login": True,
                                "replication": True})
    assert messages(role_attributes.validate, replicator) == []
    replica = stack_resource(tokens.READ_REPLICA, "replica-0",
                             {"replicatorRole": "pgplatform_replicator", "hostPort": 15433})
    as_stack = stack_resource(tokens.ROLE, "replicator-replicator-role",
                              {"name": "pgplatform_replicator", "login": True,
                               "replication": True})
    assert stack_violations(service_access.validate, replica, as_stack) == []
    undeclared = stack_violations(service_access.validate, as_stack)
    assert len(undeclared) == 1 and "no ReadReplica declares it" in undeclared[0][0]
    granted = stack_resource(tokens.GRANT, "x", {"role": "pgplatform_replicator",
                                                 "database": "paddle", "objectType": "database",
                                                 "privileges": ["CONNECT"]})
    found = stack_violations(service_access.validate, replica, as_stack, granted)
    assert len(found) == 1 and "holds nothing else" in found[0][0], found


def test_policy__only_pg_monitor_among_predefined_roles() -> None:
    monitor = resource_args(tokens.ROLE, "monitor-monitor-role",
                            {"name": "pgplatform_monitor", "login": True,
                             "roles": ["pg_monitor"]})
    assert messages(role_attributes.validate, monitor) == []
    reader = resource_args(tokens.ROLE, "x-role", {"name": "x", "login": True,
                                                   "roles": ["pg_read_all_data"]})
    found = messages(role_attributes.validate, reader)
    assert len(found) == 1 and "pg_read_all_data" in found[0], found


def test_policy__the_monitor_gets_connect_and_nothing_else() -> None:
    grant = stack_resource(tokens.GRANT, "paddle-monitor-database", {
        "role": "pgplatform_monitor", "database": "paddle", "objectType": "database",
        "privileges": ["CONNECT"]})
    exporter = stack_resource(tokens.METRICS_EXPORTER, "metrics",
                              {"monitorRole": "pgplatform_monitor"})
    assert stack_violations(service_access.validate, exporter, grant) == []
    table = stack_resource(tokens.GRANT, "paddle-monitor-tables", {
        "role": "pgplatform_monitor", "database": "paddle", "objectType": "table",
        "schema": "rag", "objects": [], "privileges": ["SELECT"]})
    found = stack_violations(service_access.validate, exporter, table)
    assert len(found) == 1 and "no object's rows" in found[0][0], found
    assert stack_violations(service_access.validate, grant), "undeclared monitor passes"


@pytest.mark.parametrize("kind", ["pitr_backups", "statement_stats", "denied_access"])
def test_policy__only_the_monitor_reads_what_monitor_readable_gives(kind: str) -> None:
    exporter = stack_resource(tokens.METRICS_EXPORTER, "metrics",
                              {"monitorRole": "pgplatform_monitor"})
    mine = stack_resource(tokens.MONITOR_READABLE, kind,
                          {"kind": kind, "reader": "pgplatform_monitor"})
    assert stack_violations(service_access.validate, exporter, mine) == []
    nobody = stack_resource(tokens.MONITOR_READABLE, kind, {"kind": kind, "reader": ""})
    assert stack_violations(service_access.validate, nobody) == []
    rogue = stack_resource(tokens.MONITOR_READABLE, kind, {"kind": kind, "reader": "rag_app"})
    found = stack_violations(service_access.validate, exporter, rogue)
    assert len(found) == 1 and f"rag_app read {kind}" in found[0][0], found


def test_policy__only_the_monitor_reads_the_pooler_console_and_nobody_administers_it() -> None:
    exporter = stack_resource(tokens.METRICS_EXPORTER, "metrics",
                              {"monitorRole": "pgplatform_monitor"})

    def pooler(admins: list[str], stats: list[str]) -> PolicyResource:
        return stack_resource(tokens.CONNECTION_POOLER, "pooler", {
            "clientTls": "require", "serverTls": "verify-full", "adminUsers": admins,
            "statsUsers": stats})

    assert stack_violations(service_access.validate, exporter,
                            pooler([], ["pgplatform_monitor"])) == []
    assert stack_violations(service_access.validate, pooler([], [])) == []
    found = stack_violations(service_access.validate, exporter, pooler([], ["rag_app"]))
    assert len(found) == 1 and "['rag_app'] its stats_users" in found[0][0], found
    found = stack_violations(service_access.validate, pooler([], ["pgplatform_monitor"]))
    assert len(found) == 1 and "stats_users" in found[0][0], "an undeclared monitor passes"
    found = stack_violations(service_access.validate, exporter,
                             pooler(["pgplatform_monitor"], []))
    assert len(found) == 1 and "admin_users" in found[0][0], found


# --- 3. production data ------------------------------------------------------------------------

def server_and_volume(*, production: bool, protect: bool) -> list[PolicyResource]:
    server = stack_resource(tokens.POSTGRES_SERVER, "postgres", {
        "production": production, "allowVolumeDeletion": False,
        "volumeName": "pgplatform-prod-data", "bindAddress": "127.0.0.1"})
    volume = stack_resource(tokens.VOLUME, "postgres-data", {"name": "pgplatform-prod-data"},
                            parent=server, protect=protect)
    return [server, volume]


@pytest.mark.parametrize(("production", "protect"), [(True, True), (False, False)])
def test_policy__data_volume_protected_where_production(production: bool, protect: bool) -> None:
    assert stack_violations(data_volume.validate,
                            *server_and_volume(production=production, protect=protect)) == []


def test_policy__unprotected_production_volume_fails() -> None:
    server, volume = server_and_volume(production=True, protect=False)
    found = stack_violations(data_volume.validate, server, volume)
    assert len(found) == 1, found
    message, at = found[0]
    assert at == volume.urn
    assert "Volume 'postgres-data'" in message and "[production-data-protected]" in message
    assert "not protected" in message


def test_policy__production_server_without_volume_or_flag_fails() -> None:
    server, _ = server_and_volume(production=True, protect=True)
    assert [at for _, at in stack_violations(data_volume.validate, server)] == [server.urn]
    hollow = stack_resource(tokens.POSTGRES_SERVER, "postgres", {"container_name": "pg"})
    found = stack_violations(data_volume.validate, hollow)
    assert len(found) == 1 and "does not expose 'production'" in found[0][0], found


# --- 4. role attributes ------------------------------------------------------------------------

def role(name: str, **props: Any) -> ResourceValidationArgs:
    return resource_args(tokens.ROLE, f"{name}-role", {"name": name, **props})


def test_policy__plain_roles_pass() -> None:
    assert messages(role_attributes.validate, role("rag_owner", login=False)) == []
    assert messages(role_attributes.validate, role(
        "rag_migrator", login=True, roles=["rag_owner"], assumeRole="rag_owner",
        inherit=False)) == []
    inheriting = messages(role_attributes.validate, role(
        "rag_migrator", login=True, roles=["rag_owner"], assumeRole="rag_owner"))
    assert len(inheriting) == 1 and "must be NOINHERIT" in inheriting[0], inheriting
    assert messages(role_attributes.validate, role(
        "rag_app", login=True, superuser=False, createRole=False, createDatabase=False,
        replication=False, bypassRowLevelSecurity=False,
        password=Secret("pw"))) == []


@pytest.mark.parametrize(("prop", "attribute"), list(role_attributes.FLAGS.items()))
def test_policy__privileged_role_fails(prop: str, attribute: str) -> None:
    # REPLICATION alone is the replicas' login's (checked at stack level below): with a
    # membership it is refused here too.
    extra = {"roles": ["rag_owner"]} if prop == "replication" else {}
    found = messages(role_attributes.validate,
                     role("rag_app", login=True, **{prop: True}, **extra))
    assert len(found) >= 1, found
    assert "Role 'rag_app-role' (rag_app)" in found[0] and attribute in found[0]
    assert "[no-privileged-roles]" in found[0]


# --- 5. secrets --------------------------------------------------------------------------------

@pytest.mark.parametrize("password", [Secret("pw"), wire_secret("pw"), None],
                         ids=["sdk-secret", "wire-secret", "no-password"])
def test_policy__secret_passwords_pass(password: Any) -> None:
    props = {"login": True} if password is None else {"login": True, "password": password}
    assert messages(secrets.validate, role("rag_app", **props)) == []
    assert messages(secrets.validate, resource_args(
        tokens.POSTGRES_PROVIDER, "postgres-admin",
        {"host": "127.0.0.1", **({"password": password} if password else {})})) == []
    uploads = [{"file": "/run/secrets/postgres-password", "content": password}]
    assert messages(secrets.validate, container([], uploads=uploads)) == []


def test_policy__secret_upload_list_and_file_envs_pass() -> None:
    assert messages(secrets.validate, container(
        [], uploads=Secret([{"file": "/run/secrets/pw", "content": "pw"}]),
        envs=["POSTGRES_USER=postgres", "POSTGRES_PASSWORD_FILE=/run/secrets/pw",
              Secret("API_TOKEN=t")])) == []


def test_policy__plain_role_password_fails() -> None:
    found = messages(secrets.validate, role("rag_app", login=True, password="hunter2"))
    assert len(found) == 1, found
    assert "Role 'rag_app-role' sets password as a plain value" in found[0]
    assert "[passwords-are-secrets]" in found[0] and "hunter2" not in found[0]


def test_policy__plain_provider_password_fails() -> None:
    found = messages(secrets.validate, resource_args(
        tokens.POSTGRES_PROVIDER, "postgres-admin", {"host": "127.0.0.1", "password": "pw"}))
    assert len(found) == 1 and "Provider 'postgres-admin' sets password" in found[0]


def test_policy__plain_upload_and_env_password_fail() -> None:
    found = messages(secrets.validate, container(
        [], uploads=[{"file": "/run/secrets/pw", "content": "pw"}],
        envs=["POSTGRES_PASSWORD=pw"]))
    assert len(found) == 2, found
    assert "Container 'postgres-container' sets uploads[0].content as a plain value" in found[0]
    assert "envs[0] (POSTGRES_PASSWORD)" in found[1]


# --- secrets through the SDK's own request handling -------------------------------------------

@pytest.fixture
def secret_markers() -> Iterator[None]:
    previous = values.keep_secret_markers()
    try:
        yield
    finally:
        setattr(sdk_policy, "deserialize_properties", previous)  # noqa: B010 (not exported)


def servicer() -> Any:
    """The SDK's analyzer service, as `PolicyPack` serves it to the engine (minus gRPC)."""
    return sdk_policy._PolicyAnalyzerServicer(
        pack.PACK_NAME, "0.0.1", pack.POLICIES, EnforcementLevel.MANDATORY)


def struct(props: Mapping[str, Any]) -> struct_pb2.Struct:
    return json_format.ParseDict(dict(props), struct_pb2.Struct())


def analyze_one(typ: str, name: str, props: Mapping[str, Any]) -> list[Any]:
    request = proto.AnalyzeRequest(type=typ, name=name, urn=urn(typ, name),
                                   properties=struct(props),
                                   options=proto.AnalyzerResourceOptions())
    return list(servicer().Analyze(request, None).diagnostics)


def test_policy__stock_sdk_hides_secrets_from_validations() -> None:
    """Why `keep_secret_markers` exists: the SDK's reading drops the engine's secret mark."""
    assert deserialize_properties({"password": wire_secret("pw")}) == {"password": "pw"}


def test_policy__pack_tells_secret_from_plain_through_the_sdk(secret_markers: None) -> None:
    assert analyze_one(tokens.ROLE, "rag-login-role",
                       {"name": "rag_app", "password": wire_secret("pw")}) == []
    found = analyze_one(tokens.ROLE, "rag-login-role", {"name": "rag_app", "password": "pw"})
    assert [(d.policyName, d.enforcementLevel) for d in found] == [
        (secrets.NAME, proto.MANDATORY)]
    assert "Role 'rag-login-role' sets password as a plain value" in found[0].message


def test_policy__pack_still_reads_secret_wrapped_values(secret_markers: None) -> None:
    """Marks kept, the other rules still see through them (a secret ip is still 0.0.0.0)."""
    found = analyze_one(tokens.CONTAINER, "c", {"ports": [wire_secret({"internal": 5432.0,
                                                                      "ip": "0.0.0.0"})],
                                                "networksAdvanced": [{"name": "own"}]})
    assert [d.policyName for d in found] == [network.NAME]


# --- the real program --------------------------------------------------------------------------

@cache
def program_graph(stack: str) -> Any:
    from graph import build_graph

    return build_graph(stack)


def _json(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    raise TypeError(f"not a wire value: {value!r}")


def program_requests(g: Any) -> tuple[list[Any], Any]:
    """Every registration of a program run as the engine would send it to the pack: one
    AnalyzeRequest each and one AnalyzeStackRequest. Custom resources' outputs are taken to be
    their inputs (the bridged providers echo them); components' props are their inputs, which
    they also register as outputs (what the engine really sends; tested below)."""
    regs = {r.urn: r for r in g.monitor.registrations.values()
            if r.type != "pulumi:pulumi:Stack"}

    def props_of(r: Any) -> struct_pb2.Struct:
        return struct(_json(g.mocks.inputs[(r.type, r.name)]))

    def provider_of(r: Any) -> Any:
        ref = regs.get(r.provider.rsplit("::", 1)[0]) if r.provider else None
        if ref is None:
            return None
        return proto.AnalyzerProviderResource(type=ref.type, name=ref.name, urn=ref.urn,
                                              properties=props_of(ref))

    def opts(r: Any) -> Any:
        return proto.AnalyzerResourceOptions(protect=r.protect, parent=r.parent)

    one = [proto.AnalyzeRequest(type=r.type, name=r.name, urn=r.urn, properties=props_of(r),
                                options=opts(r), provider=provider_of(r))
           for r in regs.values()]
    stack_request = proto.AnalyzeStackRequest(resources=[
        proto.AnalyzerResource(type=r.type, name=r.name, urn=r.urn, properties=props_of(r),
                               options=opts(r), provider=provider_of(r), parent=r.parent,
                               dependencies=list(r.dependencies))
        for r in regs.values()])
    return one, stack_request


def run_pack(g: Any) -> list[Any]:
    one, stack_request = program_requests(g)
    pack_service = servicer()
    found = [d for r in one for d in pack_service.Analyze(r, None).diagnostics]
    return found + list(pack_service.AnalyzeStack(stack_request, None).diagnostics)


@pytest.mark.parametrize("stack", ["dev", "staging", "prod", "ci"])
def test_policy__program_stacks_pass_the_pack(stack: str, secret_markers: None) -> None:
    g = program_graph(stack)
    assert [(d.policyName, d.message) for d in run_pack(g)] == []
    kinds = {r.type for r in g.monitor.registrations.values()}
    assert {tokens.GRANT, tokens.DEFAULT_PRIVILEGES, tokens.ROLE, tokens.CONTAINER, tokens.VOLUME,
            tokens.SERVICE_ACCESS, tokens.POSTGRES_SERVER} <= kinds  # the rules had work to do
    assert g.cfg.server.production is (stack == "prod")


def test_policy__program_production_with_deletable_volume_fails_the_pack(
        secret_markers: None) -> None:
    """The program run really is policed: validation refuses a production stack that lets
    `destroy` delete its data, and should a model ever get past it, the unprotected volume it
    makes fails the pack."""
    import dataclasses

    from pgplatform import model, paths, stack_config

    from graph import build_graph

    values = stack_config.read_stack_values(paths.stack_file("ci"))
    values["server"] = {**values["server"], "production": True, "allowVolumeDeletion": True}
    with pytest.raises(model.ConfigError, match=r"server\.allowVolumeDeletion"):
        model.from_mapping(values, stack="ci")
    cfg = stack_config.for_stack("ci")
    unguarded = dataclasses.replace(cfg, server=dataclasses.replace(
        cfg.server, production=True, allow_volume_deletion=True))
    found = run_pack(build_graph("ci", cfg=unguarded))
    assert [d.policyName for d in found] == [data_volume.NAME], found
    assert "Volume 'postgres-data'" in found[0].message


def test_policy__components_expose_their_model_to_stack_policies(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from harness.monitor import RecordingMonitor

    from graph import build_graph

    registered: dict[str, dict[str, Any]] = {}
    original: Any = RecordingMonitor.RegisterResourceOutputs

    def record(self: Any, request: Any) -> Any:
        registered[request.urn] = json_format.MessageToDict(request.outputs)
        return original(self, request)

    monkeypatch.setattr(RecordingMonitor, "RegisterResourceOutputs", record, raising=False)
    g = build_graph("ci")
    components = [r for r in g.monitor.registrations.values()
                  if r.type in (tokens.SERVICE_ACCESS, tokens.POSTGRES_SERVER)]
    assert components
    for r in components:
        inputs = g.mocks.inputs[(r.type, r.name)]
        outputs = registered.get(r.urn, {})
        missing = sorted(k for k in inputs if k not in outputs)
        assert not missing, f"{r.type} {r.name}: outputs lack {missing}"


# --- the pack as the CLI starts it -------------------------------------------------------------

def test_policy__every_policy_is_mandatory() -> None:
    assert pack.PACK["enforcement_level"] is EnforcementLevel.MANDATORY
    assert len({p.name for p in pack.POLICIES}) == len(pack.POLICIES) == 8
    assert all(p.enforcement_level is EnforcementLevel.MANDATORY for p in pack.POLICIES)


def test_policy__a_resource_a_preview_creates_is_read_from_its_inputs() -> None:
    """The engine gives stack policies outputs, and a resource a preview creates has none:
    the stack policies read the inputs its resource validation saw (the first policy)."""
    from types import SimpleNamespace

    from pgplatform_policy import planned

    assert pack.POLICIES[0] is planned.REMEMBER
    urn = "urn:pulumi:s::p::postgresql:index/grant:Grant::g"
    inputs = {"role": "rag_app", "database": "paddle", "objectType": "database"}
    planned.REMEMBER.validate(SimpleNamespace(urn=urn, props=inputs),  # type: ignore[arg-type]
                              lambda *_: None)
    assert planned.props(SimpleNamespace(urn=urn, props={})) == inputs  # type: ignore[arg-type]
    outputs = {"role": "other"}
    assert planned.props(SimpleNamespace(urn=urn, props=outputs)) == outputs  # type: ignore[arg-type]


def test_policy__served_pack_reports_plain_passwords_over_grpc() -> None:
    """`policy/__main__.py` as the Python language host runs it (`python -m pulumi.policy` ends
    in runpy of the directory): it prints its port, then answers the analyzer protocol with the
    secret marks kept."""
    proc = subprocess.Popen([sys.executable, "-u", "."], cwd=PROJECT_ROOT / "policy",
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        port = int(proc.stdout.readline().strip())
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            stub = analyzer_pb2_grpc.AnalyzerStub(channel)
            info = stub.GetAnalyzerInfo(empty_pb2.Empty(), timeout=30)
            assert info.name == pack.PACK_NAME
            assert {p.name: p.enforcementLevel for p in info.policies} == {
                p.name: proto.MANDATORY for p in pack.POLICIES}

            def analyze(password: Any) -> list[str]:
                request = proto.AnalyzeRequest(
                    type=tokens.ROLE, name="rag-login-role", urn=urn(tokens.ROLE, "rag-login-role"),
                    properties=struct({"name": "rag_app", "password": password}),
                    options=proto.AnalyzerResourceOptions())
                return [d.policyName for d in stub.Analyze(request, timeout=30).diagnostics]

            assert analyze(wire_secret("pw")) == []
            assert analyze("pw") == [secrets.NAME]
    finally:
        proc.terminate()
        try:
            proc.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()
