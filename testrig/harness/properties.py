"""For every property the program sets, what a change does: `replace` (the upstream schema
marks it ForceNew / RequiresReplace) or `update` in place. `up` diffs the new inputs against the
prior state (what the provider stored, read-back quirks included), as the Terraform bridge does;
a property missing from this table is an error, so the table grows with the program.

Sources (each row cites its file):
- TFPG: cyrilgdn/terraform-provider-postgresql at ff936b9 (v1.27.0), postgresql/*.go, as
  bridged by pulumi-postgresql 3.18 (provider/resources.go adds DeleteBeforeReplace to Grant).
- TFD: kreuzwerker/terraform-provider-docker, internal/provider/resource_docker_container.go
  (schema), resource_docker_container_funcs.go (create, read, update, delete), as bridged by
  pulumi-docker 5.2; resource_docker_image.go and _funcs.go (build, read, delete).
- TFR: hashicorp/terraform-provider-random, internal/provider/resource_password.go.
- TFT: hashicorp/terraform-provider-tls, internal/provider/resource_*.go, as bridged by
  pulumi-tls 5.x.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pgplatform import resource_types as rt


@dataclass(frozen=True, kw_only=True)
class Properties:
    source: str
    replace: frozenset[str] = frozenset()
    update: frozenset[str] = frozenset()
    read_back: frozenset[str] = field(default_factory=frozenset)
    """Written to state by the provider's read although the program does not set it: absent
    from the inputs, its stored value is a change (optional, not computed, in the schema)."""
    delete_before_replace: bool = False

    def changed(self, typ: str, old_outputs: dict[str, object],
                inputs: dict[str, object]) -> tuple[list[str], list[str]]:
        """(properties that changed, those of them that force a replacement)."""
        unknown = sorted(set(inputs) - self.replace - self.update)
        if unknown:
            raise KeyError(f"harness: {typ}: properties {unknown} are not in "
                           "harness.properties.TABLE. Fix: add them with upstream's "
                           "replace-or-update rule and its source")
        changed = [p for p in sorted(inputs) if _norm(inputs[p]) != _norm(old_outputs.get(p))]
        changed += [p for p in sorted(self.read_back - set(inputs))
                    if old_outputs.get(p) not in (None, 0, "", [])]
        return changed, [p for p in changed if p in self.replace]


def _norm(value: object) -> object:
    """Numbers as the wire carries them (protobuf Struct: all floats) compare equal."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {k: _norm(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_norm(v) for v in value]
    return value


TABLE: dict[str, Properties] = {
    rt.DOCKER_CONTAINER: Properties(
        source="TFD resource_docker_container.go (ForceNew: name, image, entrypoint, command, "
               "env, upload, ports, volumes, shm_size, stop_signal, networks_advanced, ulimit, "
               "network_mode; healthcheck, memory, "
               "memory_swap, restart, wait, wait_timeout, destroy_grace_seconds are not: "
               "resourceDockerContainerUpdate sends restart, memory and memory_swap to "
               "ContainerUpdate, the rest is state); "
               "pulumi-docker provider/resources.go: DeleteBeforeReplace",
        replace=frozenset({"name", "image", "entrypoints", "command", "envs", "uploads",
                           "ports", "volumes", "shmSize", "stopSignal", "networksAdvanced",
                           "networkMode", "ulimits"}),
        update=frozenset({"memory", "memorySwap", "restart", "wait", "waitTimeout",
                          "healthcheck", "destroyGraceSeconds"}),
        read_back=frozenset({"memorySwap"}),
        delete_before_replace=True),
    rt.DOCKER_VOLUME: Properties(
        source="TFD resource_docker_volume.go (name, driver: ForceNew)",
        replace=frozenset({"name", "driver"})),
    rt.DOCKER_NETWORK: Properties(
        source="TFD resource_docker_network.go (no UpdateContext: every argument ForceNew; "
               "ipam_config Optional+Computed, so Docker's assignment read back is no diff)",
        replace=frozenset({"name", "driver", "internal", "attachable", "ipamConfigs",
                           "ipamDriver", "options", "labels", "ipv6", "ingress"})),
    rt.TLS_PRIVATE_KEY: Properties(
        source="TFT resource_private_key.go (algorithm, rsa_bits, ecdsa_curve: RequiresReplace)",
        replace=frozenset({"algorithm", "rsaBits", "ecdsaCurve"})),
    rt.TLS_SELF_SIGNED_CERT: Properties(
        source="TFT resource_self_signed_cert.go (all RequiresReplace but early_renewal_hours)",
        replace=frozenset({"privateKeyPem", "subject", "validityPeriodHours", "allowedUses",
                           "isCaCertificate", "maxPathLength", "setSubjectKeyId",
                           "setAuthorityKeyId", "dnsNames", "ipAddresses", "uris"}),
        update=frozenset({"earlyRenewalHours"})),
    rt.TLS_CERT_REQUEST: Properties(
        source="TFT resource_cert_request.go (all RequiresReplace)",
        replace=frozenset({"privateKeyPem", "subject", "dnsNames", "ipAddresses", "uris"})),
    rt.TLS_LOCALLY_SIGNED_CERT: Properties(
        source="TFT resource_locally_signed_cert.go (all RequiresReplace but "
               "early_renewal_hours)",
        replace=frozenset({"certRequestPem", "caPrivateKeyPem", "caCertPem",
                           "validityPeriodHours", "allowedUses", "isCaCertificate",
                           "maxPathLength", "setSubjectKeyId"}),
        update=frozenset({"earlyRenewalHours"})),
    rt.DOCKER_REMOTE_IMAGE: Properties(
        source="TFD resource_docker_image.go (ForceNew: name, build, triggers, pull_triggers, "
               "platform; keep_locally and force_remove are not: resourceDockerImageUpdate "
               "only reads the image again)",
        replace=frozenset({"name", "build", "triggers", "pullTriggers", "platform"}),
        update=frozenset({"keepLocally", "forceRemove"})),
    rt.RANDOM_PASSWORD: Properties(
        source="TFR resource_password.go (every argument RequiresReplace)",
        replace=frozenset({"length", "special", "upper", "lower", "numeric",
                           "overrideSpecial"})),
    rt.POSTGRES_PROVIDER: Properties(
        source="pulumi providers: a changed configuration reconfigures the provider",
        update=frozenset({"host", "port", "username", "password", "database", "sslmode",
                          "sslrootcert", "superuser", "connectTimeout", "version"})),
    rt.PG_ROLE: Properties(
        source="TFPG resource_postgresql_role.go (no ForceNew: all updated in place)",
        update=frozenset({"name", "login", "password", "connectionLimit", "statementTimeout",
                          "searchPaths", "superuser", "createDatabase", "createRole",
                          "inherit", "replication", "bypassRowLevelSecurity", "roles",
                          "assumeRole", "idleInTransactionSessionTimeout"})),
    rt.PG_DATABASE: Properties(
        source="TFPG resource_postgresql_database.go (ForceNew: template, encoding, "
               "lc_collate, lc_ctype)",
        replace=frozenset({"template", "encoding", "lcCollate", "lcCtype"}),
        update=frozenset({"name", "owner", "connectionLimit", "allowConnections",
                          "isTemplate"})),
    rt.PG_SCHEMA: Properties(
        source="TFPG resource_postgresql_schema.go (ForceNew: database)",
        replace=frozenset({"database"}),
        update=frozenset({"name", "owner", "dropCascade", "ifNotExists"})),
    rt.PG_EXTENSION: Properties(
        source="TFPG resource_postgresql_extension.go (ForceNew: name, database)",
        replace=frozenset({"name", "database"}),
        update=frozenset({"schema", "version", "dropCascade", "createCascade"})),
    rt.PG_GRANT: Properties(
        source="TFPG resource_postgresql_grant.go (privileges updated in place since #476, the "
               "rest ForceNew); pulumi-postgresql resources.go: DeleteBeforeReplace",
        replace=frozenset({"role", "database", "schema", "objectType", "objects", "columns",
                           "withGrantOption"}),
        update=frozenset({"privileges"}),
        delete_before_replace=True),
    rt.PG_DEFAULT_PRIVILEGES: Properties(
        source="TFPG resource_postgresql_default_privileges.go (privileges in place, the rest "
               "ForceNew)",
        replace=frozenset({"role", "database", "owner", "schema", "objectType",
                           "withGrantOption"}),
        update=frozenset({"privileges"})),
}
