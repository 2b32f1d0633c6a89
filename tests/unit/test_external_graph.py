"""`server.mode: external` in the resource graph and the config: nothing of a container, the
provider told the admin is not a superuser, the provider's CA and sslmode everywhere, and every
key that describes a container refused by name."""

from __future__ import annotations

import datetime
from functools import cache
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from pgplatform import model, outputs, paths, stack_config
from pgplatform import resource_types as rt

from graph import build_graph

pytestmark = pytest.mark.unit


@cache
def _ca_pem() -> str:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "provider CA")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(1).not_valid_before(now)
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def external_values(**server: Any) -> dict[str, Any]:
    values = stack_config.read_stack_values(paths.stack_file("ci"))
    for item in (*values["services"], *values["consumers"]):
        item.pop("readFrom", None)  # no replica without the container
    values["server"] = {"mode": "external", "host": "db.example.internal", "port": 5433,
                        "adminUser": "cloudadmin", "caCert": _ca_pem(), "sslmode": "verify-ca",
                        **server}
    values["adminPassword"] = model.SecretValue("from-config")
    return values


def test_external__no_container_resource_and_a_non_superuser_provider() -> None:
    g = build_graph("ext", external_values())
    for kind in (rt.DOCKER_CONTAINER, rt.DOCKER_REMOTE_IMAGE, rt.DOCKER_VOLUME,
                 rt.DOCKER_NETWORK, rt.TLS_PRIVATE_KEY, rt.HBA_RULES, rt.SERVER_SETTINGS):
        assert not g.resources(kind), kind
    (_, provider), = g.resources(rt.POSTGRES_PROVIDER)
    assert (provider["host"], int(provider["port"]), provider["username"]) == (
        "db.example.internal", 5433, "cloudadmin")
    # Provider inputs arrive as strings.
    assert provider["superuser"] in (False, "false") and provider["sslmode"] == "verify-ca"
    parsed = outputs.parse(g.outputs, "graph")
    assert parsed.ca_cert == _ca_pem() and parsed.container_name == ""
    assert (parsed.host, parsed.port) == ("db.example.internal", 5433)
    dsns = [parsed.admin_dsn, *(s.dsn for s in parsed.services.values())]
    assert all("@db.example.internal:5433/" in d and d.endswith("sslmode=verify-ca")
               for d in dsns)
    assert all(not s.pooled_dsn for s in parsed.services.values()) and not parsed.monitor_dsn
    assert not parsed.watchdog_dsn and not g.resources(rt.DATABASE_HARDENING)
    # The same roles, databases and bootstraps as the container stack of this layout, but the
    # exporter's monitor and the watchdog (no sidecar without the container's network).
    container = build_graph("ci")
    for kind in (rt.PG_ROLE, rt.PG_DATABASE, rt.PG_SCHEMA, rt.SCHEMA_BOOTSTRAP,
                 rt.PG_DEFAULT_PRIVILEGES):
        assert sorted(r.name for r, _ in g.resources(kind)) == sorted(
            r.name for r, _ in container.resources(kind)
            if not r.name.startswith(("monitor-", "replicator-", "watchdog-"))), kind


@pytest.mark.parametrize("server,key,message", [
    ({"host": None}, "pgplatform:server.host", "not a host name"),
    ({"sslmode": "require"}, "pgplatform:server.sslmode", "would not verify the server"),
    ({"caCert": "not a certificate"}, "pgplatform:server.caCert", "PEM"),
    ({"caCert": "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"},
     "pgplatform:server.caCert", "OpenSSL can read"),
    ({"hostPort": 15432}, "pgplatform:server.hostPort", "describes the container"),
    ({"pooler": {"enabled": True}}, "pgplatform:server.pooler", "describes the container"),
    ({"settings": {"work_mem": "8MB"}}, "pgplatform:server.settings", "parameter group"),
    ({"providerRoles": "rdsadmin"}, "pgplatform:server.providerRoles", "list of role names"),
], ids=["no-host", "unverified", "not-pem", "bad-pem", "host-port", "pooler", "settings",
        "provider-roles"])
def test_external__invalid_config_names_its_key(server: dict[str, Any], key: str,
                                                message: str) -> None:
    with pytest.raises(model.ConfigError) as err:
        model.from_mapping(external_values(**server), stack="ext")
    found = [p for p in err.value.problems if p.startswith(key + ":")]
    assert found and message in found[0], err.value.problems


def test_external__needs_the_admin_password_and_container_mode_refuses_its_keys() -> None:
    values = external_values()
    del values["adminPassword"]
    with pytest.raises(model.ConfigError, match="pgplatform:adminPassword: an external"):
        model.from_mapping(values, stack="ext")
    with pytest.raises(model.ConfigError, match=r"pgplatform:server.caCert: only for an "
                                                r"external server"):
        model.from_mapping({**values, "server": {"caCert": _ca_pem()}}, stack="ext")
    with pytest.raises(model.ConfigError, match="pgplatform:server.mode: 'cloud'"):
        model.from_mapping({**values, "server": {"mode": "cloud"}}, stack="ext")
