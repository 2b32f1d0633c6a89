"""The resource graph of each committed stack, under Pulumi mocks (no engine, no server)."""

from __future__ import annotations

import pytest

from harness.monitor import is_secret, reveal
from pgplatform import access, outputs, server_settings
from pgplatform import resource_types as rt
from pgplatform.components import server
from pgplatform.model import EXTENSIONS_SCHEMA, MONITOR_ROLE, REPLICATOR_ROLE, WATCHDOG_ROLE

from graph import COMMITTED_STACKS, Graph, committed_graph

pytestmark = pytest.mark.unit
ROLE, GRANT, DEFAULTS, SCHEMA = rt.PG_ROLE, rt.PG_GRANT, rt.PG_DEFAULT_PRIVILEGES, rt.PG_SCHEMA
CONTAINER, VOLUME = rt.DOCKER_CONTAINER, rt.DOCKER_VOLUME


@pytest.fixture(params=COMMITTED_STACKS)
def g(request: pytest.FixtureRequest) -> Graph:
    return committed_graph(request.param)


def test_graph__roles_are_exactly_the_models_identities(g: Graph) -> None:
    """Per service: NOLOGIN owner, app login, NOINHERIT migrator that becomes the owner at
    login, read-only login; per consumer its login; no privileged flag anywhere."""
    roles = {i["name"]: i for _, i in g.resources(ROLE)}
    assert set(roles) == set(g.cfg.roles)
    for spec in access.all_roles(g.cfg):
        r = roles[spec.name]
        assert bool(r.get("login")) == spec.login, f"{spec.name}: LOGIN"
        assert ("password" in r) == spec.login, f"{spec.name}: a password iff it logs in"
        for flag in ("superuser", "createDatabase", "createRole", "bypassRowLevelSecurity"):
            assert not r.get(flag), f"{spec.name}: {flag} set"
        # The replicas' login alone streams WAL.
        assert bool(r.get("replication")) == (spec.name == REPLICATOR_ROLE), spec.name
        assert r.get("inherit", True) == spec.inherit, f"{spec.name}: INHERIT"
        assert r.get("roles", []) == list(spec.member_of), f"{spec.name}: memberships"
        assert r.get("assumeRole") == spec.assume_role, f"{spec.name}: assumeRole"
        assert int(r.get("idleInTransactionSessionTimeout") or 0) == (
            access.IDLE_IN_TRANSACTION_TIMEOUT_MS if spec.login else 0), spec.name
    for svc in g.cfg.services:
        login, migrator = roles[svc.login_role], roles[svc.migrator_role]
        assert login["searchPaths"] == [*svc.schemas, EXTENSIONS_SCHEMA]
        assert int(login["connectionLimit"]) == svc.connection_limit
        assert int(login["statementTimeout"]) == svc.statement_timeout_ms
        assert migrator["inherit"] is False and migrator["roles"] == [svc.owner_role]
        assert migrator["assumeRole"] == svc.owner_role
        assert int(roles[svc.readonly_role]["statementTimeout"]) == (
            svc.readonly_statement_timeout_ms)
    read_only = sorted(r for _, i in g.resources(rt.READ_ONLY_SESSIONS) for r in i["roles"])
    assert read_only == sorted([*(s.readonly_role for s in g.cfg.services),
                                *(c.login_role for c in g.cfg.consumers),
                                *((MONITOR_ROLE,) if g.cfg.server.exporter_port else ()),
                                *((WATCHDOG_ROLE,) if g.cfg.server.has_watchdog else ())])
    # Logins that read another owner's schemas meet a row-security policy there as an error.
    no_row_security = sorted(r for _, i in g.resources(rt.ROW_SECURITY_OFF) for r in i["roles"])
    assert no_row_security == sorted([
        *(s.login_role for s in g.cfg.services if g.cfg.readable_by(s.name)),
        *(c.login_role for c in g.cfg.consumers)])


def test_graph__schemas_owned_by_the_service_owner_role(g: Graph) -> None:
    schemas = {(i["database"], i["name"]): (r, i) for r, i in g.resources(SCHEMA)}
    for svc in g.cfg.services:
        for schema in svc.schemas:
            reg, inputs = schemas[(svc.database, schema)]
            assert inputs["owner"] == svc.owner_role, (svc.name, schema)
            # `public` belongs to the database: never dropped with the service.
            assert reg.retain_on_delete == (g.cfg.keeps_data or schema == "public"), schema


def test_graph__the_service_taking_public_waits_for_its_databases_other_bootstraps(
        g: Graph) -> None:
    regs = g.monitor.registrations
    takers = [s for s in g.cfg.services if "public" in s.schemas]
    assert takers or g.cfg.stack not in ("dev", "ci"), "the stack has no service in public"
    for svc in takers:
        public = next(r for r, i in g.resources(SCHEMA)
                      if (i["database"], i["name"]) == (svc.database, "public"))
        for other in g.cfg.services_in(svc.database):
            if other.name != svc.name:
                boot = next(r for r in regs.values() if r.name == f"{other.name}-bootstrap")
                assert g.depends_on(public.urn, boot.urn), f"{svc.name} after {other.name}"


def test_graph__no_grant_crosses_services_except_declared_readers(g: Graph) -> None:
    """Logins and owners in their own service (readers read); migrators get CONNECT only;
    read-only logins and consumers read only their schemas, in their one database."""
    home = {r: s for s in g.cfg.services for r in (s.owner_role, s.login_role, s.readonly_role)}
    migrators = {s.migrator_role: s for s in g.cfg.services}
    consumers = {c.login_role: c for c in g.cfg.consumers}
    monitored = {db.name for db in g.cfg.databases} | {"postgres"}
    for reg, grant in g.resources(GRANT) + g.resources(DEFAULTS):
        role, db, schema = grant["role"], grant["database"], grant.get("schema")
        where = f"{reg.name}: {role} on {db}.{schema}"
        privileges = set(grant["privileges"])
        if role == access.PUBLIC:
            assert not privileges, f"{where}: PUBLIC must get nothing"
            continue
        if role in migrators:
            assert (grant["objectType"], db, privileges) == (
                "database", migrators[role].database, {"CONNECT"}), where
            continue
        if role == MONITOR_ROLE:
            # The exporter reads each database's sizes: CONNECT, and pg_monitor's statistics.
            assert grant["objectType"] == "database" and db in monitored, where
            assert privileges == {"CONNECT"}, where
            continue
        if role == WATCHDOG_ROLE:
            assert (grant["objectType"], db, privileges) == (
                "database", access.WATCHDOG_DATABASE, {"CONNECT"}), where
            continue
        if role in consumers:
            c = consumers[role]
            assert db == c.database and privileges <= {"CONNECT", "USAGE", "SELECT"}, where
            assert schema in (None, EXTENSIONS_SCHEMA, *g.cfg.schemas_read_by(c)), where
            continue
        svc = home.get(role)
        assert svc is not None, f"{where}: grantee is not a role of the model"
        assert db == svc.database, f"{where}: grant outside the service's database"
        if role == svc.readonly_role:
            assert privileges <= {"CONNECT", "USAGE", "SELECT"}, f"{where}: read-only login"
        if schema in (None, EXTENSIONS_SCHEMA, *svc.schemas):
            continue
        target = next(s for s in g.cfg.services_in(db) if schema in s.schemas)
        assert svc.name in target.readers, f"{where}: {svc.name} is not a declared reader"
        assert privileges <= {"USAGE", "SELECT"}, f"{where}: readers only read"


def test_graph__only_owner_roles_get_a_scratch_space_and_only_in_their_database(
    g: Graph,
) -> None:
    temporary = sorted((i["role"], i["database"]) for _, i in g.resources(GRANT)
                       if i["objectType"] == "database" and "TEMPORARY" in i["privileges"])
    assert temporary == sorted((s.owner_role, s.database) for s in g.cfg.services)
    assert all(i["privileges"] == ["TEMPORARY"] for _, i in g.resources(GRANT)
               if i["objectType"] == "database" and i["role"].endswith("_owner"))


def test_graph__logins_connect_only_to_their_own_database(g: Graph) -> None:
    connects = [(i["role"], i["database"]) for _, i in g.resources(GRANT)
                if i["objectType"] == "database" and "CONNECT" in i["privileges"]]
    expected = [(r, s.database) for s in g.cfg.services
                for r in (s.login_role, s.migrator_role, s.readonly_role)]
    expected += [(c.login_role, c.database) for c in g.cfg.consumers]
    if g.cfg.server.exporter_port:
        expected += [(MONITOR_ROLE, db) for db in ("postgres", *(d.name for d in
                                                                g.cfg.databases))]
    if g.cfg.server.has_watchdog:
        expected.append((WATCHDOG_ROLE, access.WATCHDOG_DATABASE))
    assert sorted(connects) == sorted(expected)
    for role, _ in connects:
        grant = next(i for _, i in g.resources(GRANT)
                     if i["role"] == role and i["objectType"] == "database")
        assert grant["privileges"] == ["CONNECT"]


def test_graph__public_gets_nothing_on_each_database_and_its_public_schema(g: Graph) -> None:
    revoked = {(i["database"], i["objectType"], i.get("schema")) for _, i in g.resources(GRANT)
               if i["role"] == access.PUBLIC and not i["privileges"]}
    for name in [*(db.name for db in g.cfg.databases), *access.SERVER_DATABASES]:
        assert (name, "database", None) in revoked, name
    for db in g.cfg.databases:
        assert (db.name, "schema", "public") in revoked, db.name


def test_graph__login_role_gets_dml_only_on_own_schema(g: Graph) -> None:
    for svc in g.cfg.services:
        for schema in svc.schemas:
            mine = [i for _, i in g.resources(GRANT) + g.resources(DEFAULTS)
                    if i["role"] == svc.login_role and i.get("schema") == schema]
            by_type = {i["objectType"]: set(i["privileges"]) for i in mine}
            assert by_type["table"] == set(access.DML), (svc.name, schema)
            assert by_type["schema"] == {"USAGE"}, f"{svc.name}: login role must not CREATE"
            assert "TRUNCATE" not in by_type["table"] and "REFERENCES" not in by_type["table"]


def test_graph__provider_waits_for_the_healthy_container(g: Graph) -> None:
    provider = next(r for r in g.monitor.registrations.values()
                    if r.type == rt.POSTGRES_PROVIDER)
    container, inputs = g.resources(CONTAINER)[0]
    assert g.depends_on(provider.urn, container.urn)
    assert inputs["wait"] is True and inputs["healthcheck"]["tests"][0] == "CMD-SHELL"
    assert "psql -h 127.0.0.1" in inputs["healthcheck"]["tests"][1]
    for reg in g.monitor.registrations.values():
        if reg.type.startswith("postgresql:"):
            assert reg.provider.startswith(provider.urn), f"{reg.name}: not on the provider"


def test_graph__port_bound_to_loopback_and_shm_fits_maintenance_work_mem(g: Graph) -> None:
    _, c = g.resources(CONTAINER)[0]
    assert c["ports"] == [{"internal": 5432, "external": g.cfg.server.host_port,
                           "ip": "127.0.0.1"}]
    mwm = server_settings.size_in_bytes("maintenance_work_mem",
                                        g.cfg.server.settings["maintenance_work_mem"])
    assert mwm is not None and int(c["shmSize"]) * 1024**2 >= mwm
    assert not any("PASSWORD=" in e for e in c["envs"]), "password must come from a file"
    # Only what PostgreSQL reads at start is on the command line (a change replaces the
    # container); the rest is reloaded in place.
    on_command = {c["command"][i + 1].split("=", 1)[0] for i, arg in enumerate(c["command"])
                  if arg == "-c"}
    _, reloaded = g.one(rt.SERVER_SETTINGS, "postgres-settings")
    tls_args = {a.split("=", 1)[0] for a in server.TLS_ARGS if a != "-c"}
    # Archiving, the bundle's own (server.pitr), on the primary's command line alone.
    tls_args |= {"archive_mode", "archive_command"} if g.cfg.server.pitr else set()
    assert on_command - tls_args == set(g.cfg.server.restart_settings)
    assert "shared_buffers" in on_command
    assert reveal(reloaded["settings"]) == g.cfg.server.reload_settings
    assert (on_command - tls_args) | set(reveal(reloaded["settings"])) == set(
        g.cfg.server.settings)
    # Replaced or destroyed, PostgreSQL gets a fast shutdown, not upstream's SIGKILL.
    assert c["stopSignal"] == "SIGINT" and int(c["destroyGraceSeconds"]) >= 30


def test_graph__secrets_are_secret(g: Graph) -> None:
    assert g.secret_outputs[outputs.ADMIN_DSN]
    for db in g.cfg.databases:
        assert g.secret_outputs[f"{outputs.DATABASES}.{db.name}.{outputs.DATABASE_ADMIN_DSN}"]
    for svc in g.cfg.services:
        for key in (outputs.SERVICE_DSN, outputs.SERVICE_MIGRATOR_DSN,
                    outputs.SERVICE_READONLY_DSN):
            assert g.secret_outputs[f"{outputs.SERVICES}.{svc.name}.{key}"], key
        for kind in ("login", "migrator", "readonly"):
            _, login = g.one(ROLE, f"{svc.name}-{kind}-role")
            assert is_secret(login["password"]), f"{svc.name} {kind}: password is not secret"
            # The server gets a SCRAM verifier, never the password (pgplatform.scram).
            assert str(reveal(login["password"])).startswith("SCRAM-SHA-256$4096:"), (
                f"{svc.name} {kind}: the Role's password is not a SCRAM verifier")
    for consumer in g.cfg.consumers:
        assert g.secret_outputs[f"{outputs.CONSUMERS}.{consumer.name}.{outputs.CONSUMER_DSN}"]
    _, c = g.resources(CONTAINER)[0]
    uploads = c["uploads"]
    assert is_secret(uploads) or all(is_secret(u["content"]) for u in uploads), (
        "the password file's content is not a secret")
    revealed = {k for k, v in g.secret_outputs.items() if not v}
    assert all("dsn" not in k for k in revealed)


def test_graph__outputs_have_the_documented_shape(g: Graph) -> None:
    assert set(g.outputs) == set(outputs.STACK_KEYS)
    assert g.outputs[outputs.STACK] == g.cfg.stack
    assert isinstance(g.outputs[outputs.PORT], int)
    assert set(g.outputs[outputs.SERVICES]) == {s.name for s in g.cfg.services}
    for svc in g.outputs[outputs.SERVICES].values():
        assert set(svc) == set(outputs.SERVICE_KEYS)
    assert set(g.outputs[outputs.DATABASES]) == {d.name for d in g.cfg.databases}
    for db in g.outputs[outputs.DATABASES].values():
        assert set(db) == set(outputs.DATABASE_KEYS)
    parsed = outputs.parse(g.outputs, "graph")
    assert parsed.exports() == g.outputs, "parse is the inverse of exports"
    for name, db in parsed.databases.items():
        assert db.admin_dsn.endswith(f"/{name}?sslmode=verify-full"), name


def test_graph__bootstrap_runs_after_schema_roles_and_default_privileges(g: Graph) -> None:
    regs = g.monitor.registrations
    for svc in g.cfg.services:
        boot = next(r for r in regs.values() if r.name == f"{svc.name}-bootstrap")
        schema, _ = g.one(SCHEMA, f"{svc.name}-schema")
        assert g.depends_on(boot.urn, schema.urn)
        for d in access.service_default_privileges(g.cfg, svc):
            reg, _ = g.one(DEFAULTS, d.name)
            assert g.depends_on(boot.urn, reg.urn), f"{boot.name} before {reg.name}"
        for spec in access.service_grants(g.cfg, svc):
            reg, _ = g.one(GRANT, spec.name)
            assert g.depends_on(reg.urn, boot.urn) == spec.after_bootstrap, spec.name


def test_graph__consumer_grants_follow_the_bootstraps_of_what_they_read(g: Graph) -> None:
    regs = g.monitor.registrations
    for c in g.cfg.consumers:
        boots = [next(r for r in regs.values() if r.name == f"{name}-bootstrap")
                 for name in c.reads]
        names = [(GRANT, s.name) for s in access.consumer_grants(g.cfg, c)]
        names += [(DEFAULTS, d.name) for d in access.consumer_default_privileges(g.cfg, c)]
        for typ, name in names:
            reg, _ = g.one(typ, name)
            assert all(g.depends_on(reg.urn, b.urn) for b in boots), name


def test_graph__grants_on_one_catalog_row_never_run_in_parallel(g: Graph) -> None:
    """The race of design.md §2: every pair sharing a catalog row is ordered."""
    specs: list[access.GrantSpec | access.DefaultPrivilegeSpec] = [
        s for db in g.cfg.databases for s in access.database_grants(db.name)]
    specs += [s for svc in g.cfg.services for s in access.service_grants(g.cfg, svc)]
    specs += [s for svc in g.cfg.services for s in access.service_default_privileges(g.cfg, svc)]
    urns = {r.name: r.urn for r in g.monitor.registrations.values()}
    rows: dict[access.CatalogRow, list[str]] = {}
    for spec in specs:
        rows.setdefault(spec.catalog_row, []).append(urns[spec.name])
    for row, members in rows.items():
        for i, a in enumerate(members):
            for b in members[i + 1:]:
                assert g.depends_on(a, b) or g.depends_on(b, a), f"{row}: {a} || {b}"


def test_graph__data_volume_protection_follows_the_stack() -> None:
    for stack in COMMITTED_STACKS:
        g = committed_graph(stack)
        vol, _ = g.resources(VOLUME)[0]
        keep = not g.cfg.server.allow_volume_deletion
        assert vol.retain_on_delete == keep, stack
        assert vol.protect == (g.cfg.server.production and keep), stack
    assert committed_graph("prod").resources(VOLUME)[0][0].protect


def test_graph__retirement_runs_before_the_extensions_go_on_destroy() -> None:
    """Where deletion is allowed, a service's retirement drops what its roles own (the tables
    of a `public` that is retained, not dropped) before `DROP EXTENSION ... RESTRICT` runs."""
    g = committed_graph("ci")
    regs = g.monitor.registrations
    for svc in g.cfg.services:
        retirement = next(r for r in regs.values() if r.name == f"{svc.name}-retirement")
        for ext in g.cfg.database(svc.database).extensions:
            reg, _ = g.one(rt.PG_EXTENSION, f"{svc.database}-ext-{ext}")
            assert g.depends_on(retirement.urn, reg.urn), f"{svc.name} before {ext} goes"
