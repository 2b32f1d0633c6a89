"""`server.mode: external`: the ci layout deployed by the harness onto a stand-in for a managed
server (`external_server.py`: the admin has CREATEROLE and CREATEDB, not superuser), then
verified end to end. No image, volume, network or container is created; pulumi-postgresql runs
with `superuser = false` and borrows each owner role as upstream does (withRolesGranted)."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Any

import psycopg
import pytest
from external_server import ExternalServer, managed_server
from psycopg.conninfo import make_conninfo
from row_checksums import FILLED, damage, sums

from harness.engine import state_path
from harness.state import HarnessState
from pgplatform import paths, stack_config
from pgplatform import resource_types as rt
from pgplatform_ops.stack import load

from e2e_support import docker_available, harness_stack, script

pytestmark = pytest.mark.e2e

STACK = "ciexternal"
PORT = 15497
# What needs the container, and nothing else.
SKIPPED_ON_EXTERNAL = {
    "test_server__pg_hba_as_modelled", "test_server__settings_in_effect",
    "test_container__postgres_runs_as_user_postgres",
    "test_container__data_directory_on_the_named_volume",
    "test_container__postgres_listens_inside",
    "test_host__port_published_only_on_the_configured_address",
    "test_probes__maintenance_databases_refuse_every_login",
    # No exporter and no pooler without a container network.
    "test_probes__monitor_reads_statistics_only", "test_pooler__config_and_hba_as_modelled",
    "test_replicas__standby_streaming_read_only_with_its_lag",
    "test_pooler__userlist_holds_the_servers_verifiers_of_pooled_logins_only",
    "test_pooler__pgbouncer_runs_as_postgres",
    "test_pooler__pooled_dsn_reaches_its_database_over_tls",
    "test_pooler__its_exporter_runs_unprivileged_and_reads_the_console",
    # Its admin is no superuser: no built-in taken from PUBLIC, no event trigger, no watchdog.
    "test_walls__revoked_built_ins_only_where_declared",
    "test_walls__guard_trigger_fires_for_every_role",
    "test_probes__watchdog_ends_sessions_only_through_its_function",
    # Its WAL and backups are the provider's.
    "test_server__wal_archiving_not_failing",
}


def _values(server: ExternalServer) -> dict[str, Any]:
    values = stack_config.read_stack_values(paths.stack_file("ci"))
    for item in (*values["services"], *values["consumers"]):
        item.pop("readFrom", None)  # no replica without the container
    values["server"] = {"mode": "external", "host": server.host, "port": server.port,
                        "adminUser": server.admin_user, "caCert": server.ca_cert,
                        "providerRoles": ["postgres"]}
    # The engine would decrypt it; the harness reads the plaintext from its environment.
    values["adminPassword"] = {"secure": "v1:decrypted-by-the-harness-from-its-environment"}
    return values


def _skipped(report: str) -> set[str]:
    section = report.split("| skipped check | why |", 1)[1]
    return {line.split("`")[1] for line in section.splitlines() if line.startswith("| `")}


def test_external__deploys_and_verifies_on_a_managed_style_server(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        record_property: Any) -> None:
    if not docker_available():
        pytest.skip("no Docker engine answers: the stand-in managed server is a container")
    import docker

    with managed_server("pgplatform-external-test", PORT) as server:
        monkeypatch.setenv("PGPLATFORM_HARNESS_SECRET_ADMINPASSWORD", server.admin_password)
        with psycopg.connect(server.admin_dsn()) as conn:
            assert conn.execute("SELECT rolsuper, rolcreaterole, rolcreatedb FROM pg_roles "
                                "WHERE rolname = current_user").fetchone() == (False, True, True)
        containers = {c.name for c in docker.from_env().containers.list(all=True)}
        with harness_stack(STACK, _values(server), tmp_path) as (stack_file, outs):
            applied = HarnessState.load(state_path(paths.PROJECT_ROOT, STACK)).resources
            kinds = Counter(a.type for a in applied.values())
            record_property("external_resources", len(applied))
            print(f"external deploy: {len(applied)} resources: {dict(sorted(kinds.items()))}")
            assert not {rt.DOCKER_CONTAINER, rt.DOCKER_REMOTE_IMAGE, rt.DOCKER_VOLUME,
                        rt.DOCKER_NETWORK, rt.TLS_PRIVATE_KEY, rt.HBA_RULES,
                        rt.SERVER_SETTINGS} & set(kinds), kinds
            assert {c.name for c in docker.from_env().containers.list(all=True)} == containers
            (provider,) = [a for a in applied.values() if a.type == rt.POSTGRES_PROVIDER]
            assert provider.inputs["superuser"] in (False, "false"), provider.inputs

            deployed = load(outputs_file=outs, stack_file=stack_file)
            assert deployed.outputs.container_name == ""
            assert deployed.outputs.ca_cert == server.ca_cert
            # A service's login works in its database and is refused by another one.
            with psycopg.connect(deployed.service_dsn("rag")) as conn:
                assert conn.execute("SELECT current_user, current_database()").fetchone() == (
                    "rag_app", "paddle")
            with pytest.raises(psycopg.OperationalError, match="permission denied for database"):
                psycopg.connect(make_conninfo(deployed.service_dsn("rag"),
                                              dbname="flipsync")).close()

            verify = script("verify", "--outputs", str(outs), "--stack-file", str(stack_file),
                            "--junit", str(tmp_path / "verify.xml"),
                            "--markdown", str(tmp_path / "verify.md"))
            report = (tmp_path / "verify.md").read_text()
            print(report)
            assert verify.returncode == 0, report + verify.stdout[-3000:] + verify.stderr[-2000:]
            assert _skipped(report) == SKIPPED_ON_EXTERNAL, report
            # Day two on the managed server: a service backed up, damaged, restored (as its
            # migrator; no superuser), proven by checksums of its rows; status reads sizes.
            rag = deployed.cfg.service("rag")
            with psycopg.connect(deployed.service_dsn("rag")) as conn:
                conn.execute(FILLED["rag"])
            before = sums(deployed, rag)
            backup = script("backup", "--outputs", str(outs), "--stack-file", str(stack_file),
                            "--service", "rag", "--to", str(tmp_path / "set"))
            assert backup.returncode == 0, backup.stdout[-3000:] + backup.stderr[-3000:]
            damage(deployed, rag)
            assert sums(deployed, rag) != before
            restore = script("restore", "--outputs", str(outs), "--stack-file",
                             str(stack_file), "--service", "rag", "--from",
                             str(tmp_path / "set"))
            assert restore.returncode == 0, restore.stdout[-3000:] + restore.stderr[-3000:]
            assert sums(deployed, rag) == before
            status = script("status", "--outputs", str(outs), "--stack-file", str(stack_file),
                            "--json", str(tmp_path / "status.json"))
            assert status.returncode == 0, status.stdout[-3000:] + status.stderr[-3000:]
            assert "not known (external server" in status.stdout, status.stdout
            # Lifecycle: a second up changes nothing; destroy keeps the data (roles and
            # databases retained on the provider's server); the next up adopts it.
            again = script("harness", "up", STACK, str(outs), "--stack-file", str(stack_file))
            assert again.returncode == 0, again.stdout[-3000:] + again.stderr[-3000:]
            assert re.search(r": 0 created, 0 updated, 0 replaced, 0 deleted", again.stdout), \
                again.stdout[-2000:]
            down = script("harness", "down", STACK)
            assert down.returncode == 0, down.stdout[-3000:] + down.stderr[-3000:]
            up = script("harness", "up", STACK, str(outs), "--stack-file", str(stack_file))
            assert up.returncode == 0, up.stdout[-3000:] + up.stderr[-3000:]
            deployed = load(outputs_file=outs, stack_file=stack_file)  # new passwords
            assert sums(deployed, rag) == before, "the rows kept through destroy and up"
            verify = script("verify", "--outputs", str(outs), "--stack-file", str(stack_file),
                            "--junit", str(tmp_path / "verify2.xml"),
                            "--markdown", str(tmp_path / "verify2.md"))
            assert verify.returncode == 0, (tmp_path / "verify2.md").read_text()
            # The provider's temporary grants are gone: the admin holds ADMIN OPTION only.
            with psycopg.connect(server.admin_dsn()) as conn:
                left = conn.execute(
                    "SELECT r.rolname FROM pg_auth_members m JOIN pg_roles r ON r.oid = "
                    "m.roleid WHERE m.member = 'cloudadmin'::regrole AND (m.set_option OR "
                    "m.inherit_option) AND r.rolname !~ '^pg_'").fetchall()
            assert left == [], left
