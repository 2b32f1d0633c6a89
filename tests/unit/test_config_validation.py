"""Every invalid stack config is rejected before any resource exists, naming its key."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pulumi
import pytest

from pgplatform import model, paths, server_settings, stack_config

pytestmark = pytest.mark.unit
STACKS = ("dev", "staging", "prod", "ci")


def base() -> dict[str, Any]:
    return {
        "server": {"hostPort": 15432},
        "databases": [{"name": "flipsync", "extensions": ["vector"]},
                      {"name": "paddle", "extensions": ["vector"]}],
        "services": [
            {"name": "flipsync_app", "database": "flipsync", "schema": "flipsync"},
            {"name": "vector_store", "database": "paddle", "schema": "vector_store",
             "readers": ["rag"]},
            {"name": "rag", "database": "paddle", "schema": "rag"},
        ],
    }


def with_(path: str, value: Any) -> dict[str, Any]:
    """base() with one key replaced; `path` like 'services.0.name'."""
    return with_each({path: value})


def with_each(changes: dict[str, Any]) -> dict[str, Any]:
    """base() with several keys replaced."""
    values = base()
    for path, value in changes.items():
        *parents, last = path.split(".")
        node: Any = values
        for p in parents:
            node = node[int(p)] if p.isdigit() else node[p]
        node[int(last) if last.isdigit() else last] = value
    return values


CASES = {
    "invalid-identifier": (with_("services.0.name", "Flip-Sync"),
                           "pgplatform:services[0].name", "not a valid identifier"),
    "overlong-schema": (with_("services.0.schema", "s" * 64),
                        "pgplatform:services[flipsync_app].schema", "64 bytes"),
    "overlong-service-for-role-suffix": (with_("services.0.name", "s" * 60),
                                         "pgplatform:services[0].name", "over the 54-byte"),
    "pg-prefix": (with_("services.0.schema", "pg_flip"),
                  "pgplatform:services[flipsync_app].schema", "pg_ prefix"),
    "extensions-schema": (with_("services.0.schema", "extensions"),
                          "pgplatform:services[flipsync_app].schema", "reserved"),
    "schema-and-schemas": (with_("services.0.schemas", ["flipsync", "audit"]),
                           "pgplatform:services[flipsync_app].schemas", "not both"),
    "schemas-empty": (with_("services.2", {"name": "rag", "database": "paddle", "schemas": []}),
                      "pgplatform:services[rag].schemas", "non-empty list"),
    "schemas-twice": (with_("services.2", {"name": "rag", "database": "paddle",
                                           "schemas": ["rag", "rag"]}),
                      "pgplatform:services[rag].schemas[1]", "twice"),
    "schemas-reserved": (with_("services.2", {"name": "rag", "database": "paddle",
                                              "schemas": ["rag", "pgplatform"]}),
                         "pgplatform:services[rag].schemas[1]", "reserved"),
    "module-needs-its-schemas": (
        with_("services.2", {"name": "rag", "database": "paddle", "module": "cyrex_backend"}),
        "pgplatform:services[rag].schemas", "writes to schemas ['analytics', 'audit', 'public']"),
    "identifier-trailing-newline": (with_("services.0.name", "flipsync_app\n"),
                                    "pgplatform:services[0].name", "not a valid identifier"),
    "port-superscript-digit": (with_("server.hostPort", "\u00b2"), "pgplatform:server.hostPort",
                               "not a whole number"),
    "database-as-list": (with_("services.0.database", ["flipsync"]),
                         "pgplatform:services[flipsync_app].database", "unknown database"),
    "module-as-list": (with_("services.0.module", ["flipsync_app"]),
                       "pgplatform:services[flipsync_app].module", "unknown SQL module"),
    "readers-of-lists": (with_("services.1.readers", [["rag"]]),
                         "pgplatform:services[vector_store].readers", "list of service names"),
    "schema-named-like-admin": (with_("services.0.schema", "postgres"),
                                "pgplatform:services[flipsync_app].schema", "search_path"),
    "schema-named-like-a-login": (with_("services.0.schema", "rag_app"),
                                  "pgplatform:services[flipsync_app].schema",
                                  "services[rag]"),
    "admin-user-public": (with_("server.adminUser", "public"), "pgplatform:server.adminUser",
                          "reserved"),
    "bind-every-interface-v4": (with_("server.bindAddress", "0.0.0.0"),
                                "pgplatform:server.bindAddress", "every interface"),
    "bind-every-interface-v6-spelled-oddly": (with_("server.bindAddress", "::0"),
                                              "pgplatform:server.bindAddress",
                                              "'::' publishes the server on every interface"),
    "connection-limits-over-max-connections": (
        with_("server.settings", {"max_connections": 100, "superuser_reserved_connections": 5}),
        "pgplatform:server.settings.max_connections",
        "add up to 104 (per service its connectionLimit, readonlyConnectionLimit and 4 for the "
        "migrator; per consumer its connectionLimit; 10 for the exporter if any, 2 for the "
        "session watchdog), over the 95 slots"),
    "walsenders-without-room-for-replicas-and-verification": (
        with_each({"server.replicas": 2, "server.settings": {"max_wal_senders": 4}}),
        "pgplatform:server.settings.max_wal_senders",
        "4 leaves no room for 2 replica(s) (two slots each while pg_basebackup copies one) "
        "and verification's replication-refusal probe (1). Fix: raise max_wal_senders to at "
        "least 5"),
    "pooler-client-limits-over-max-clients": (
        with_("server.pooler", {"enabled": True, "maxClientConnections": 50}) | {
            "services": [{"name": "flipsync_app", "database": "flipsync",
                          "poolerClientLimit": 40},
                         {"name": "vector_store", "database": "paddle",
                          "poolerClientLimit": 20}]},
        "pgplatform:server.pooler.maxClientConnections", "add up to 60, over 50"),
    "pooler-client-limit-zero": (
        with_("services.0", {"name": "flipsync_app", "database": "flipsync",
                             "poolerClientLimit": 0}),
        "pgplatform:services[flipsync_app].poolerClientLimit", ""),
    "pool-over-connection-limit": (
        with_("services.0", {"name": "flipsync_app", "database": "flipsync",
                             "connectionLimit": 8, "poolSize": 9}),
        "pgplatform:services[flipsync_app].poolSize", "over the app login's connectionLimit (8)"),
    "pooler-port-of-server": (with_("server.pooler", {"hostPort": 15432}),
                              "pgplatform:server.pooler.hostPort", "server's or the exporter's"),
    "pooler-unknown-key": (with_("server.pooler", {"poolMode": "session"}),
                           "pgplatform:server.pooler.poolMode", "unknown key"),
    "read-from-replica-without-replicas": (
        with_("services.2", {"name": "rag", "database": "paddle", "readFrom": "replica"}),
        "pgplatform:services[rag].readFrom", "runs no replica"),
    "read-from-unknown": (
        with_("services.2", {"name": "rag", "database": "paddle", "readFrom": "standby"}),
        "pgplatform:services[rag].readFrom", "not where a read-only login reads"),
    "replicas-too-many": (with_("server.replicas", 9), "pgplatform:server.replicas",
                          "outside 0..5"),
    "replica-port-clash": ({**base(), "server": {"hostPort": 15432, "replicas": 2,
                                                 "replicaHostPort": 15431}},
                           "pgplatform:server.replicaHostPort", "include [15432]"),
    "pooler-hba-keyword-database": (
        {**base(), "server": {"hostPort": 15432, "pooler": {}},
         "databases": [*base()["databases"], {"name": "replication"}]},
        "pgplatform:databases[replication].name", "keyword of PgBouncer's hba file"),
    "pooler-not-a-mapping": (with_("server.pooler", True), "pgplatform:server.pooler",
                             "must be a mapping"),
    "pooler-database-named-like-its-console": (
        {**base(), "server": {"hostPort": 15432, "pooler": {}},
         "databases": [*base()["databases"], {"name": "pgbouncer"}]},
        "pgplatform:databases[pgbouncer].name", "with its own console"),
    "pooler-metrics-without-exporter": (
        with_("server.pooler", {"metricsPort": 19127}), "pgplatform:server.pooler.metricsPort",
        "the stack runs no exporter. Fix: enable pgplatform:server.exporter or remove "
        "metricsPort"),
    "pooler-metrics-on-the-exporters-port": (
        with_each({"server.exporter": {"hostPort": 19127},
                   "server.pooler": {"metricsPort": 19127}}),
        "pgplatform:server.pooler.metricsPort", "the server's, the exporter's or the pooler's"),
    "pooler-metrics-not-a-port": (
        with_each({"server.exporter": {}, "server.pooler": {"metricsPort": "x"}}),
        "pgplatform:server.pooler.metricsPort", "not a whole number"),
    "public-taken-twice": (
        with_("services", [{"name": "vector_store", "database": "paddle",
                            "schemas": ["public", "vector_store"]},
                           {"name": "rag", "database": "paddle", "schema": "public"}]),
        "pgplatform:services[rag].schema", "already owned by service 'vector_store'"),
    "postgres-database": (with_("databases.0.name", "postgres"),
                          "pgplatform:databases[0].name", "reserved"),
    "postgres-service": (with_("services.0.name", "postgres"),
                         "pgplatform:services[postgres].name", "reserved"),
    "duplicate-database": (with_("databases.1.name", "flipsync"),
                           "pgplatform:databases[1].name", "duplicate database"),
    "duplicate-service": (with_("services.2.name", "vector_store"),
                          "pgplatform:services[vector_store].name", "duplicate service"),
    "shared-schema": (with_("services.2.schema", "vector_store"),
                      "pgplatform:services[rag].schema", "already owned"),
    "unknown-database": (with_("services.0.database", "nope"),
                         "pgplatform:services[flipsync_app].database", "unknown database"),
    "unknown-module": (with_("services.0.module", "no_such_module"),
                       "pgplatform:services[flipsync_app].module", "unknown SQL module"),
    "unknown-reader": (with_("services.1.readers", ["ghost"]),
                       "pgplatform:services[vector_store].readers", "unknown service 'ghost'"),
    "reader-other-database": (with_("services.1.readers", ["flipsync_app"]),
                              "pgplatform:services[vector_store].readers",
                              "readers must share"),
    "port-zero": (with_("server.hostPort", 0), "pgplatform:server.hostPort", "outside 1..65535"),
    "port-too-big": (with_("server.hostPort", 70000), "pgplatform:server.hostPort",
                     "outside 1..65535"),
    "port-not-number": (with_("server.hostPort", "http"), "pgplatform:server.hostPort",
                        "not a whole number"),
    "bad-bind-address": (with_("server.bindAddress", "localhost:5432"),
                         "pgplatform:server.bindAddress", "not an IP address"),
    "unknown-extension": (with_("databases.0.extensions", ["vector", "timescaledb"]),
                          "pgplatform:databases[0].extensions", "unknown extension"),
    "module-needs-vector": (with_("databases.1.extensions", []),
                            "pgplatform:services[vector_store].module", "needs extensions"),
    "shm-below-maintenance-work-mem": (
        with_("server.settings", {"maintenance_work_mem": "2GB"}) | {},
        "pgplatform:server.shmSizeMb", None),
    "unknown-server-key": (with_("server.hostport", 1), "pgplatform:server.hostport",
                           "unknown key"),
    "bad-memory-setting": (with_("server.settings", {"work_mem": "lots"}),
                           "pgplatform:server.settings.work_mem", "'lots' is not an integer"),
    "setting-typo": (with_("server.settings", {"shared_buffer": "1GB"}),
                     "pgplatform:server.settings.shared_buffer",
                     "not a PostgreSQL 17 setting. Did you mean shared_buffers?"),
    "setting-logs-passwords": (with_("server.settings", {"log_statement": "all"}),
                               "pgplatform:server.settings.log_statement", "with the password"),
    "setting-swaps-the-certificate": (with_("server.settings", {"ssl_cert_file": "/x.crt"}),
                                      "pgplatform:server.settings.ssl_cert_file",
                                      "the stack's server certificate"),
    "setting-allows-old-tls": (with_("server.settings", {"ssl_min_protocol_version": "TLSv1"}),
                               "pgplatform:server.settings.ssl_min_protocol_version",
                               "broken TLS versions"),
    "network-name": (with_("server.networkName", "bad name"), "pgplatform:server.networkName",
                     "not a valid Docker name"),
    "backup-priority": (with_("databases", [{"name": "app", "backup": {"priority": "high"}}]),
                        "pgplatform:databases[0].backup.priority", "is not one of"),
    "backup-keep": (with_("databases", [{"name": "app", "backup": {"keep": 0}}]),
                    "pgplatform:databases[0].backup.keep", "outside 1..10000"),
    "backup-key": (with_("databases", [{"name": "app", "backup": {"every": "1d"}}]),
                   "pgplatform:databases[0].backup.every", "unknown key"),
    "setting-runs-commands": (with_("server.settings", {"archive_command": "curl x"}),
                              "pgplatform:server.settings.archive_command", "shell command"),
    "setting-md5": (with_("server.settings", {"password_encryption": "md5"}),
                    "pgplatform:server.settings.password_encryption", "only scram-sha-256"),
    "setting-out-of-range": (with_("server.settings", {"hnsw.ef_search": 5000}),
                             "pgplatform:server.settings.hnsw.ef_search", "outside 1..1000"),
    "setting-wrong-unit": (with_("server.settings", {"statement_timeout": "5GB"}),
                           "pgplatform:server.settings.statement_timeout",
                           "unit 'GB' does not apply"),
    "setting-wrong-enum": (with_("server.settings", {"wal_level": "maximal"}),
                           "pgplatform:server.settings.wal_level", "is not one of"),
    "setting-read-only": (with_("server.settings", {"block_size": 16384}),
                          "pgplatform:server.settings.block_size", "read-only"),
    "production-with-deletable-volume": (
        with_("server", {"production": True, "allowVolumeDeletion": True}),
        "pgplatform:server.allowVolumeDeletion", "production: false in one deploy"),
    "plain-admin-password": ({**base(), "adminPassword": "hunter2"},
                             "pgplatform:adminPassword", "must be a non-empty secret"),
    "empty-admin-password": ({**base(), "adminPassword": model.SecretValue(" ")},
                             "pgplatform:adminPassword", "non-empty secret"),
    "pitr-without-pgbackrest-image": (with_("server.pitr", {"enabled": True}),
                                      "pgplatform:server.pitr", "set server.image: build"),
    "pitr-other-admin": (with_each({"server.image": "build", "server.adminUser": "pgadmin",
                                    "server.pitr": {}}),
                         "pgplatform:server.pitr", "keep adminUser: postgres"),
    "pitr-unknown-key": (with_each({"server.image": "build", "server.pitr": {"retention": 3}}),
                         "pgplatform:server.pitr.retention", "unknown key"),
    "pitr-timeout-zero": (with_each({"server.image": "build",
                                     "server.pitr": {"archiveTimeoutSeconds": 0}}),
                          "pgplatform:server.pitr.archiveTimeoutSeconds", "outside 5..3600"),
    "pitr-retention-zero": (with_each({"server.image": "build",
                                       "server.pitr": {"retentionFull": 0}}),
                            "pgplatform:server.pitr.retentionFull", "outside 1..100"),
    "pitr-and-archive-timeout-setting": (
        with_each({"server.image": "build", "server.pitr": {},
                   "server.settings": {"archive_timeout": "30s"}}),
        "pgplatform:server.settings.archive_timeout", "server.pitr.archiveTimeoutSeconds"),
    "archive-command-setting": (with_("server.settings", {"archive_command": "cp %p /x"}),
                                "pgplatform:server.settings.archive_command", "backup tool"),
    "pitr-on-external": (
        {**base(), "server": {"mode": "external", "host": "db.example.com", "pitr": {},
                              "caCert": "-----BEGIN CERTIFICATE-----"}},
        "pgplatform:server.pitr", "describes the container"),
}
# An explicit shm size below maintenance_work_mem (the default would be derived large enough).
CASES["shm-below-maintenance-work-mem"][0]["server"]["shmSizeMb"] = 128


@pytest.mark.parametrize("case", sorted(CASES), ids=sorted(CASES))
def test_config__rejects_invalid_value_naming_its_key(case: str) -> None:
    values, key, why = CASES[case]
    with pytest.raises(model.ConfigError) as err:
        model.from_mapping(copy.deepcopy(values), stack="test")
    message = str(err.value)
    assert key in message, f"{case}: expected key {key!r} in:\n{message}"
    if why:
        assert why in message, f"{case}: expected {why!r} in:\n{message}"


def test_config__pitr_defaults_and_its_archive_timeout_setting() -> None:
    cfg = model.from_mapping(with_each({"server.image": "build", "server.pitr": {}}),
                             stack="test")
    assert cfg.server.pitr == model.PitrConfig()
    assert cfg.server.pitr_volume == "pgplatform-test-data-pitr"
    assert cfg.server.reload_settings["archive_timeout"] == "60s"
    off = model.from_mapping(with_each({"server.image": "build",
                                        "server.pitr": {"enabled": False}}), stack="test")
    assert off.server.pitr is None and "archive_timeout" not in off.server.settings


def test_config__times_and_sizes_compare_in_any_unit_the_server_reports() -> None:
    """Verification compares a setting with what the server reports, in its own unit."""
    q = server_settings.quantity
    assert q("archive_timeout", "60s") == q("archive_timeout", "1min") == q("archive_timeout",
                                                                             "60")
    assert q("statement_timeout", "1500") == q("statement_timeout", "1.5s") == 1500
    assert q("work_mem", "16384kB") == q("work_mem", "16MB") == q("work_mem", "16384")
    assert q("archive_timeout", "60 parsecs") is None and q("search_path", "x") is None
    assert server_settings.size_in_bytes("archive_timeout", "60s") is None


def test_config__reports_every_problem_at_once() -> None:
    values = with_("services.0.database", "nope")
    values["server"]["hostPort"] = 0
    values["services"][2]["schema"] = "extensions"
    with pytest.raises(model.ConfigError) as err:
        model.from_mapping(values, stack="test")
    assert len(err.value.problems) == 3, err.value.problems
    assert err.value.problems == sorted(err.value.problems)


def test_config__valid_base_builds_the_model() -> None:
    cfg = model.from_mapping(base(), stack="test")
    rag = cfg.service("rag")
    assert (rag.owner_role, rag.login_role) == ("rag_owner", "rag_app")
    assert [s.name for s in cfg.readable_by("rag")] == ["vector_store"]
    assert cfg.server.bind_address == "127.0.0.1"
    mwm = server_settings.size_in_bytes("maintenance_work_mem",
                                        cfg.server.settings["maintenance_work_mem"])
    assert mwm is not None and cfg.server.shm_size_mb * 1024**2 >= mwm


def test_config__memory_sizes_count_a_bare_number_in_the_settings_own_unit() -> None:
    assert server_settings.size_in_bytes("shared_buffers", "32768") == 256 * 1024**2  # 8kB
    assert server_settings.size_in_bytes("work_mem", "16384") == 16 * 1024**2  # kB
    assert server_settings.size_in_bytes("work_mem", "1.5GB") == 3 * 1024**3 // 2
    assert server_settings.size_in_bytes("work_mem", "16 parsecs") is None
    assert server_settings.size_in_bytes("statement_timeout", "30s") is None
    # 32768 pages are 256 MB: over half of a 256 MB container, which the kB reading missed.
    with pytest.raises(model.ConfigError, match=r"shared_buffers: 32768 exceeds half"):
        model.from_mapping(with_("server", {"memoryMb": 256, "settings": {
            "shared_buffers": "32768", "maintenance_work_mem": "64MB"}}), stack="test")


def test_config__settings_of_every_type_pass_as_yaml_writes_them() -> None:
    settings = {"log_connections": True, "random_page_cost": 1.1, "work_mem": "32MB",
                "statement_timeout": "30s", "hnsw.ef_search": 100,
                "default_transaction_isolation": "serializable", "log_statement": "none"}
    cfg = model.from_mapping(with_("server.settings", settings), stack="test")
    assert cfg.server.settings["log_connections"] == "on"
    assert cfg.server.settings["random_page_cost"] == "1.1"


def test_config__an_ipv6_bind_address_gives_dsns_libpq_parses() -> None:
    from psycopg.conninfo import conninfo_to_dict

    from pgplatform.dsn import postgres_url

    cfg = model.from_mapping(with_("server.bindAddress", "0:0::1"), stack="test")
    assert cfg.server.bind_address == cfg.server.connect_host == "::1"
    url = postgres_url(user="u", password="p", host=cfg.server.connect_host, port=5432,
                       database="d")
    assert conninfo_to_dict(url)["host"] == "::1", url


def test_config__a_service_may_take_public_and_own_several_schemas() -> None:
    values = with_("services.2", {"name": "rag", "database": "paddle",
                                  "schemas": ["public", "rag", "rag_audit"]})
    cfg = model.from_mapping(values, stack="test")
    rag = cfg.service("rag")
    assert (rag.schemas, rag.schema) == (("public", "rag", "rag_audit"), "public")
    assert cfg.service("flipsync_app").schemas == ("flipsync",)


@pytest.mark.parametrize("stack", STACKS)
def test_config__committed_stacks_are_valid(stack: str) -> None:
    cfg = stack_config.for_stack(stack)
    assert cfg.services, stack


def test_config__stack_file_missing_names_the_file(tmp_path: Path) -> None:
    with pytest.raises(model.ConfigError, match="Pulumi.nope.yaml: stack file not found"):
        stack_config.for_stack("nope", tmp_path)


@pytest.mark.parametrize("stack", STACKS)
def test_config__pulumi_config_and_the_stack_file_give_the_same_model(stack: str) -> None:
    """`pulumi up` reads the model through Pulumi config; the harness and tools read the
    stack file: both readers must agree."""
    values = stack_config.read_stack_values(paths.stack_file(stack))

    class NoResources(pulumi.runtime.Mocks):
        def new_resource(self, args: pulumi.runtime.MockResourceArgs
                         ) -> tuple[str, dict[str, Any]]:
            return args.name, {}

        def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], None]:
            return {}, None

    pulumi.runtime.set_mocks(NoResources(), project="pgplatform", stack=stack)
    pulumi.runtime.set_all_config(
        {f"{model.NAMESPACE}:{k}": json.dumps(v) for k, v in values.items()})
    try:
        assert stack_config.from_pulumi() == stack_config.for_stack(stack)
    finally:
        pulumi.runtime.set_all_config({})


@pytest.mark.parametrize(("consumers", "key", "why"), [
    ([{"name": "mcp", "database": "paddle", "reads": ["nope"]}],
     "pgplatform:consumers[mcp].reads", "unknown service 'nope'"),
    ([{"name": "mcp", "database": "paddle", "reads": ["flipsync_app"]}],
     "pgplatform:consumers[mcp].reads", "a consumer is confined to one database"),
    ([{"name": "mcp", "database": "nowhere", "reads": ["rag"]}],
     "pgplatform:consumers[mcp].database", "not the database of any service"),
    ([{"name": "mcp", "database": "paddle", "reads": []}],
     "pgplatform:consumers[mcp].reads", "non-empty list"),
    ([{"name": "mcp", "database": "paddle", "reads": ["rag"], "statementTimeoutMs": 0}],
     "pgplatform:consumers[mcp].statementTimeoutMs", "outside 1.."),
    ([{"name": "mcp", "database": "paddle", "reads": ["rag"], "writes": True}],
     "pgplatform:consumers[0].writes", "unknown key"),
    ([{"name": "m", "database": "paddle", "reads": ["rag"]},
      {"name": "m", "database": "paddle", "reads": ["rag"]}],
     "pgplatform:consumers[m].name", "duplicate consumer"),
])
def test_config__rejects_invalid_consumer_naming_its_key(consumers: list[Any], key: str,
                                                         why: str) -> None:
    values = {**base(), "consumers": consumers}
    with pytest.raises(model.ConfigError) as err:
        model.from_mapping(values, stack="test")
    assert key in str(err.value) and why in str(err.value), str(err.value)


def test_config__two_identities_never_share_a_role_name() -> None:
    values = base()
    # service "x" has the migrator "x_migrator"; a service named "x_migrator" has the owner
    # "x_migrator_owner": no clash. A consumer "rag_readonly" is "rag_readonly_consumer": none.
    # A clash needs the admin's name: a service whose app login is the admin user.
    values["server"]["adminUser"] = "rag_app"
    with pytest.raises(model.ConfigError) as err:
        model.from_mapping(values, stack="test")
    assert "pgplatform:services[rag].name: its role 'rag_app' is also the role of " \
           "pgplatform:server.adminUser" in str(err.value), str(err.value)


def test_config__pool_size_defaults_under_the_connection_limit() -> None:
    values = with_("services.0", {"name": "flipsync_app", "database": "flipsync",
                                  "connectionLimit": 4})
    values["server"]["pooler"] = {}
    cfg = model.from_mapping(values, stack="t")
    assert cfg.server.pooler == model.PoolerConfig(host_port=model.DEFAULT_POOLER_HOST_PORT)
    assert [s.pool_size for s in cfg.services] == [4, model.DEFAULT_POOL_SIZE,
                                                   model.DEFAULT_POOL_SIZE]
    assert model.from_mapping(base(), stack="t").server.pooler is None
