"""TLS and pg_hba in the resource graph: a CA and server certificate per stack, the server on
its own network with them, every connection the program makes or hands out verify-full, and
pg_hba rules generated from the model."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from harness.monitor import is_secret, reveal
from pgplatform import hba, outputs, pooler, tls
from pgplatform import resource_types as rt
from pgplatform.components import certificates, server
from pgplatform.model import (
    MONITOR_ROLE,
    POOLER_CONSOLE,
    POOLER_METRICS_PORT,
    POOLER_PORT,
    REPLICATOR_ROLE,
    WATCHDOG_ROLE,
    PlatformConfig,
)

from graph import COMMITTED_STACKS, GATEWAY, Graph, build_graph, committed_graph

pytestmark = pytest.mark.unit


@pytest.fixture(params=COMMITTED_STACKS)
def g(request: pytest.FixtureRequest) -> Graph:
    return committed_graph(request.param)


def _server_container(g: Graph) -> tuple[Any, dict[str, Any]]:
    (reg, inputs), = [(r, i) for r, i in g.resources(rt.DOCKER_CONTAINER)
                      if i["name"] == g.cfg.server.container_name]
    return reg, inputs


def test_tls__a_ca_and_a_server_certificate_for_the_published_address(g: Graph) -> None:
    (_, ca), = g.resources(rt.TLS_SELF_SIGNED_CERT)
    assert ca["isCaCertificate"] is True and set(ca["allowedUses"]) == {"cert_signing",
                                                                        "crl_signing"}
    s = g.cfg.server
    # Server certificates: the server's, the pooler's and the replicas' where there are
    # (clients verify all of them by the CA). Client certificates: each sidecar on the
    # server's network shows one to the server (pg_hba clientcert=verify-ca).
    servers = [s.container_name, *((s.pooler_name,) if s.pooler else ()),
               *(s.replica_name(i) for i in range(s.replicas))]
    clients = [*((s.exporter_name,) if s.exporter_port else ()),
               *((s.watchdog_name,) if s.has_watchdog else ()),
               *((s.pooler_name,) if s.pooler else ()),
               *(s.replica_name(i) for i in range(s.replicas))]
    requests = [i for _, i in g.resources(rt.TLS_CERT_REQUEST)]
    served = {i["subject"]["commonName"]: i for i in requests if i.get("dnsNames")}
    assert sorted(served) == sorted(servers)
    for name, request in served.items():
        # verify-full matches an IP host against IP SANs only.
        assert request["ipAddresses"] == [s.connect_host]
        assert request["dnsNames"] == list(s.tls_dns_names_of(name))
    assert sorted(i["subject"]["commonName"] for i in requests if not i.get("dnsNames")) == (
        sorted(clients))
    uses = sorted(tuple(i["allowedUses"]) for _, i in g.resources(rt.TLS_LOCALLY_SIGNED_CERT))
    assert uses == sorted([certificates.SERVER_USES] * len(servers)
                          + [certificates.CLIENT_USES] * len(clients))
    for _, cert in g.resources(rt.TLS_LOCALLY_SIGNED_CERT):
        assert int(cert["earlyRenewalHours"]) < int(cert["validityPeriodHours"])
    assert len(g.resources(rt.TLS_PRIVATE_KEY)) == 1 + len(servers) + len(clients)


def test_tls__the_server_gets_its_key_privately_and_turns_ssl_on(g: Graph) -> None:
    c = _server_container(g)[1]
    uploads = {u["file"]: u for u in reveal(c["uploads"])}
    key = uploads[f"{server.TLS_SOURCE}/server.key"]
    assert key["permissions"] == "0400" and "PRIVATE KEY" in key["content"]
    assert is_secret(c["uploads"]) or any(
        is_secret(u["content"]) for u in c["uploads"] if "server.key" in str(reveal(u)))
    assert "ssl=on" in c["command"]
    assert f"PGPLATFORM_TLS_DIR={server.TLS_DIR}" in c["envs"]


def test_tls__the_server_is_alone_on_its_own_network(g: Graph) -> None:
    (net_reg, net), = g.resources(rt.DOCKER_NETWORK)
    assert net["name"] == g.cfg.server.network_name
    container, c = _server_container(g)
    assert [n["name"] for n in c["networksAdvanced"]] == [g.cfg.server.network_name]
    assert g.depends_on(container.urn, net_reg.urn)


def test_tls__the_provider_and_every_dsn_verify_the_server(g: Graph) -> None:
    (_, provider), = g.resources(rt.POSTGRES_PROVIDER)
    assert provider["sslmode"] == tls.VERIFY_FULL
    assert Path(provider["sslrootcert"]).read_text().startswith("-----BEGIN CERTIFICATE-----")
    parsed = outputs.parse(g.outputs, "graph")
    assert parsed.ca_cert.startswith("-----BEGIN CERTIFICATE-----")
    assert not g.secret_outputs[outputs.CA_CERT], "the CA certificate is public"
    dsns = [parsed.admin_dsn, *(d.admin_dsn for d in parsed.databases.values()),
            *(x for s in parsed.services.values()
              for x in (s.dsn, s.migrator_dsn, s.readonly_dsn, s.pooled_dsn) if x),
            *(c.dsn for c in parsed.consumers.values())]
    assert dsns and all("?sslmode=verify-full" in d for d in dsns)
    # A readFrom: replica DSN lists the replicas, then the primary.
    assert all(d.endswith(("sslmode=verify-full", "target_session_attrs=prefer-standby"))
               for d in dsns)
    for typ in (rt.SERVER_SETTINGS, rt.HBA_RULES, rt.SCHEMA_BOOTSTRAP):
        for _, props in g.resources(typ):
            assert props["ca_cert"] == parsed.ca_cert, typ


def test_hba__the_resource_writes_the_models_rules_for_the_gateway(g: Graph) -> None:
    # The primary's, then each replica's (pg_hba is a file of each server, not replicated).
    regs = g.resources(rt.HBA_RULES)
    assert len(regs) == 1 + g.cfg.server.replicas
    for _, props in regs:
        assert reveal(props["lines"]) == [r.line() for r in hba.rules(g.cfg, GATEWAY)]
    (reg, props), = [(r, p) for r, p in regs if r.name == "postgres-hba"]
    (guard, _), = g.resources(rt.PLACEMENT_GUARD)
    assert g.depends_on(reg.urn, guard.urn), "a refused rename must leave pg_hba alone"
    for svc in g.cfg.services:
        (boot, _), = [(r, i) for r, i in g.resources(rt.SCHEMA_BOOTSTRAP)
                      if r.name == f"{svc.name}-bootstrap"]
        assert g.depends_on(boot.urn, reg.urn), f"{svc.name} migrates before its rule exists"


def _rules(cfg: PlatformConfig) -> list[hba.HbaRule]:
    return list(hba.rules(cfg, GATEWAY))


def test_hba__each_login_to_its_own_database_over_tls_and_everything_else_rejected(
        g: Graph) -> None:
    rules = _rules(g.cfg)
    assert (rules[1].type, rules[1].method) == ("hostnossl", "reject"), "plaintext first out"
    assert (rules[-1].type, rules[-1].databases, rules[-1].users, rules[-1].method) == (
        "host", ("all",), ("all",), "reject")
    monitor = [r for r in rules if r.users == (MONITOR_ROLE,)]
    if g.cfg.server.exporter_port:
        # The exporter's container, on the server's own network; statistics only.
        # From the host (its DSN), and from the exporter's container with its certificate.
        assert [(r.type, r.databases, r.address, r.options) for r in monitor] == [
            ("hostssl", ("all",), f"{GATEWAY}/32", ()),
            ("hostssl", ("all",), "samenet", hba.SIDECAR)]
    else:
        assert not monitor
    watchdog = [r for r in rules if r.users == (WATCHDOG_ROLE,)]
    # The watchdog's container (with its certificate) and its DSN from the host: `postgres`.
    assert [(r.type, r.databases, r.address, r.options) for r in watchdog] == ([
        ("hostssl", ("postgres",), f"{GATEWAY}/32", ()),
        ("hostssl", ("postgres",), "samenet", hba.SIDECAR)] if g.cfg.server.has_watchdog else [])
    monitor += watchdog
    replication = [r for r in rules if r.replication]
    assert [(r.type, r.users, r.address) for r in replication] == (
        [("hostssl", (REPLICATOR_ROLE,), "samenet")] if g.cfg.server.replicas else [])
    pooled = [r for r in rules if r.address == "samenet" and r not in monitor + replication]
    # The pooler's container, on the server's own network: each app login to its database.
    assert {(r.databases, r.users) for r in pooled} == {
        ((db,), roles) for db, roles in hba.pooled_logins_by_database(g.cfg).items()}
    assert {u for r in pooled for u in r.users} == {
        svc.login_role for svc in g.cfg.services if g.cfg.server.pooler}
    allowed = [r for r in rules if r.type == "hostssl" and r not in monitor + pooled + replication]
    assert {r.method for r in allowed} == {hba.SCRAM}
    admin = g.cfg.server.admin_user
    for r in allowed:
        if admin in r.users:
            assert r.users == (admin,)
            assert r.address in (f"{GATEWAY}/32", hba.CONTAINER_LOOPBACK)
        else:
            assert r.address == f"{GATEWAY}/32" and len(r.databases) == 1
    by_role = {u: r.databases[0] for r in allowed if admin not in r.users for u in r.users}
    for svc in g.cfg.services:
        for role in (svc.login_role, svc.migrator_role, svc.readonly_role):
            assert by_role.pop(role) == svc.database
    for c in g.cfg.consumers:
        assert by_role.pop(c.login_role) == c.database
    assert not by_role, f"rules for roles the model lacks: {by_role}"
    assert not [r for r in rules if r.type == "local" and r.method != "peer"]


def test_hba__names_are_quoted_so_a_database_called_all_is_only_itself() -> None:
    rule = hba.HbaRule(type="hostssl", databases=("all",), users=("replication", "x"),
                       address="10.0.0.1/32", method=hba.SCRAM)
    assert rule.line() == 'hostssl all "replication","x" 10.0.0.1/32 scram-sha-256'
    named = hba.HbaRule(type="hostssl", databases=("all", "b"), users=("x",),
                        address="10.0.0.1/32", method=hba.SCRAM)
    assert named.line().startswith('hostssl "all","b" "x"')


def test_hba__an_ipv6_gateway_gets_a_host_prefix() -> None:
    cfg = build_graph("ci").cfg
    assert {r.address for r in hba.rules(cfg, "fd00::1") if r.type == "hostssl"} >= {
        "fd00::1/128"}


def test_exporter__only_where_configured_on_the_servers_network_as_the_monitor(g: Graph
                                                                               ) -> None:
    exporters = [i for _, i in g.resources(rt.DOCKER_CONTAINER)
                 if i["name"] == g.cfg.server.exporter_name]
    if not g.cfg.server.exporter_port:
        assert not exporters and MONITOR_ROLE not in g.cfg.roles
        return
    (c,) = exporters
    assert c["ports"] == [{"internal": 9187, "external": g.cfg.server.exporter_port,
                           "ip": g.cfg.server.bind_address}]
    assert [n["name"] for n in c["networksAdvanced"]] == [g.cfg.server.network_name]
    uploads = c["uploads"] if isinstance(c["uploads"], list) else [c["uploads"]]
    assert is_secret(c["uploads"]) or any(
        is_secret(u["content"]) for u in uploads if "password" in str(reveal(u)["file"]))
    password = next(u for u in reveal(c["uploads"]) if u["file"].endswith("/password"))
    assert password["permissions"] == "0400"
    assert f"DATA_SOURCE_USER={MONITOR_ROLE}" in c["envs"]
    assert any("sslmode=verify-full" in e for e in c["envs"] if e.startswith("DATA_SOURCE_URI"))
    (role,) = [i for _, i in g.resources(rt.PG_ROLE) if i["name"] == MONITOR_ROLE]
    assert role["roles"] == ["pg_monitor"] and role["login"] is True
    assert g.outputs[outputs.METRICS_URL] == g.cfg.server.metrics_url


def test_pooler__only_where_configured_on_the_servers_network_with_verifiers_only(g: Graph
                                                                                 ) -> None:
    s = g.cfg.server
    poolers = [(r, i) for r, i in g.resources(rt.DOCKER_CONTAINER) if i["name"] == s.pooler_name]
    parsed = outputs.parse(g.outputs, "graph")
    if s.pooler is None:
        assert not poolers and all(not o.pooled_dsn for o in parsed.services.values())
        return
    (reg, c), = poolers
    assert c["ports"] == [{"internal": POOLER_PORT, "external": s.pooler.host_port,
                           "ip": s.bind_address}]
    assert [n["name"] for n in c["networksAdvanced"]] == [s.network_name]
    uploads = {u["file"].rsplit("/", 1)[1]: u for u in reveal(c["uploads"])}
    assert uploads[pooler.CONFIG_FILE]["content"] == pooler.config(g.cfg)
    assert uploads[pooler.HBA_FILE]["content"] == pooler.hba(g.cfg)
    assert {f: u["permissions"] for f, u in uploads.items()} == {
        pooler.CONFIG_FILE: "0400", pooler.HBA_FILE: "0400", pooler.USERLIST_FILE: "0400",
        pooler.KEY_FILE: "0400",
        pooler.CERT_FILE: "0444", pooler.CA_FILE: "0444", pooler.CLIENT_CERT_FILE: "0444",
        pooler.CLIENT_KEY_FILE: "0400"}
    # The verifiers the roles were created with; no password of any login.
    verifiers = {i["name"]: reveal(i["password"]) for _, i in g.resources(rt.PG_ROLE)
                 if i.get("password")}
    stats = pooler.stats_login(g.cfg)
    assert uploads[pooler.USERLIST_FILE]["content"] == pooler.userlist(
        {role: verifiers[role] for role in [*(svc.login_role for svc in g.cfg.services),
                                            *([stats] if stats else [])]})
    # GraphMocks' generated passwords.
    passwords = [f"pw-{r.name}" for r, _ in g.resources(rt.RANDOM_PASSWORD)]
    assert passwords
    assert not [p for p in passwords if any(p in u["content"] for u in uploads.values())]
    for svc in g.cfg.services:
        dsn = parsed.services[svc.name].pooled_dsn
        assert f"@{s.connect_host}:{s.pooler.host_port}/{svc.database}?" in dsn
        assert dsn.startswith(f"postgresql://{svc.login_role}:")
    (hba_reg, _), = [(r, p) for r, p in g.resources(rt.HBA_RULES) if r.name == "postgres-hba"]
    assert g.depends_on(reg.urn, hba_reg.urn), "clients would meet the server's old rules"


def test_pooler_metrics__the_monitor_reads_the_console_over_tls_published_on_bind_only(
        g: Graph) -> None:
    s = g.cfg.server
    found = [i for _, i in g.resources(rt.DOCKER_CONTAINER) if i["name"] == s.pooler_metrics_name]
    if not s.pooler_metrics_port:
        assert not found and pooler.stats_login(g.cfg) is None
        assert "stats_users = \n" in pooler.config(g.cfg) if s.pooler else True
        return
    (c,) = found
    assert c["ports"] == [{"internal": POOLER_METRICS_PORT, "external": s.pooler_metrics_port,
                           "ip": s.bind_address}]
    assert [n["name"] for n in c["networksAdvanced"]] == [s.network_name]
    (pooler_inputs,) = [i for _, i in g.resources(rt.DOCKER_CONTAINER)
                        if i["name"] == s.pooler_name]
    assert c["image"] == pooler_inputs["image"]
    uploads = {u["file"].rsplit("/", 1)[1]: u for u in reveal(c["uploads"])}
    assert {f: u["permissions"] for f, u in uploads.items()} == {"pgpass": "0400",
                                                                  "ca.pem": "0444"}
    assert is_secret(c["uploads"]) or any(is_secret(u["content"]) for u in c["uploads"])
    # GraphMocks' generated password of the monitor.
    (password,) = [f"pw-{r.name}" for r, _ in g.resources(rt.RANDOM_PASSWORD)
                   if r.name.endswith("-monitor-password")]
    assert uploads["pgpass"]["content"] == (
        f"{s.pooler_name}:{POOLER_PORT}:{POOLER_CONSOLE}:{MONITOR_ROLE}:{password}\n")
    (conn,) = [a for a in c["command"] if a.startswith("--pgBouncer.connectionString=")]
    assert "sslmode=verify-full" in conn and f"@{s.pooler_name}:" in conn
    assert f"/{POOLER_CONSOLE}?" in conn and ":" not in conn.split("//", 1)[1].split("@")[0]
    # The monitor is the console's one stats user, with one slot beside the services' shares.
    config = pooler.config(g.cfg)
    assert f"stats_users = {MONITOR_ROLE}\n" in config and "admin_users = \n" in config
    assert s.pooler is not None
    assert (f"max_client_conn = {s.pooler.max_client_connections + pooler.STATS_CLIENT_SLOTS}\n"
            in config)
    assert (f"{MONITOR_ROLE} = max_user_client_connections={pooler.STATS_CLIENT_SLOTS}"
            in config)
    assert (f"hostssl {POOLER_CONSOLE} {MONITOR_ROLE} all scram-sha-256"
            in pooler.hba(g.cfg).splitlines())
