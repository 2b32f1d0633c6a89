"""The walls against a hostile neighbour as the model derives them (no server): who gets which
revoked built-in back, read-shared schemas, search paths of one owner, the pooler's client
shares, the watchdog's limits, and the policy that keeps them in the program."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from typing import Any

import pytest

from pgplatform import access, hardening, model, modules, paths, pooler, session_limits

pytestmark = pytest.mark.unit
sys.path.insert(0, str(paths.PROJECT_ROOT / "policy"))

from pgplatform_policy import walls as walls_policy  # noqa: E402


def _values(**server: Any) -> dict[str, Any]:
    return {
        "server": {"hostPort": 15432, **server},
        "databases": [{"name": "paddle", "extensions": ["vector"]}],
        "services": [{"name": "vector_store", "database": "paddle", "readers": ["rag"]},
                     {"name": "rag", "database": "paddle"},
                     {"name": "scheduler", "database": "paddle"}],
        "consumers": [{"name": "one", "database": "paddle", "reads": ["rag"]},
                      {"name": "many", "database": "paddle",
                       "reads": ["vector_store", "rag"]}],
    }


def _with_needs(tmp_path: Path, module: str, needs: str) -> Path:
    root = tmp_path / "sql"
    shutil.copytree(paths.SQL_ROOT, root)
    manifest = root / module / modules.MANIFEST
    manifest.write_text(f"needs = {needs}\n" + manifest.read_text())
    return root


def test_walls__owners_keep_session_settings_and_declared_needs_go_to_their_service(
        tmp_path: Path) -> None:
    root = _with_needs(tmp_path, "scheduler", '["notify", "advisory_locks"]')
    cfg = model.from_mapping(_values(), stack="t", sql_root=root)
    walls = access.database_walls(cfg, "paddle")
    assert walls.grants[hardening.NOTIFY] == ("scheduler_app", "scheduler_owner")
    assert walls.grants[hardening.ADVISORY_LOCKS] == ("scheduler_app", "scheduler_owner")
    assert walls.grants[hardening.SESSION_SETTINGS] == (
        "rag_owner", "scheduler_owner", "vector_store_owner")
    assert hardening.DYNAMIC_SQL not in walls.grants, "never given back"
    assert hardening.LARGE_OBJECTS not in walls.grants


def test_walls__an_unknown_need_is_refused_naming_the_manifest(tmp_path: Path) -> None:
    root = _with_needs(tmp_path, "rag", '["dynamic_sql"]')
    with pytest.raises(modules.ModuleError) as refused:
        modules.load(root, "rag")
    assert str(root / "rag" / modules.MANIFEST) in str(refused.value)
    assert "dynamic_sql" in str(refused.value) and "Fix:" in str(refused.value)


def test_walls__read_shared_schemas_are_those_another_owner_reads() -> None:
    cfg = model.from_mapping(_values(), stack="t")
    # vector_store has a reader (rag), rag has consumers; nobody reads scheduler.
    assert access.read_shared_schemas(cfg, "paddle") == ("rag", "vector_store")


def test_walls__a_search_path_holds_one_owners_schemas() -> None:
    cfg = model.from_mapping(_values(), stack="t")
    assert access.consumer_role(cfg, cfg.consumers[0]).search_path == ("rag", "extensions")
    assert access.consumer_role(cfg, cfg.consumers[1]).search_path == ("extensions",)
    specs = {r.name: r for r in access.all_roles(cfg)}
    assert specs["rag_app"].search_path == ("rag", "extensions"), "a reader reads qualified"
    # Logins reading another owner's tables meet its row-security policies as errors.
    assert {n for n, r in specs.items() if r.row_security_off} == {
        "rag_app", "one_consumer", "many_consumer"}
    assert specs["rag_app"].settings["row_security"] == "off"


def test_walls__pooler_shares_fit_its_client_slots() -> None:
    cfg = model.from_mapping(_values(pooler={"enabled": True, "maxClientConnections": 100}),
                             stack="t")
    assert pooler.client_limits(cfg) == {"vector_store": 33, "rag": 33, "scheduler": 33}
    values = _values(pooler={"enabled": True, "maxClientConnections": 100})
    values["services"][0]["poolerClientLimit"] = 60
    cfg = model.from_mapping(values, stack="t")
    assert pooler.client_limits(cfg) == {"vector_store": 60, "rag": 20, "scheduler": 20}
    text = pooler.config(cfg)
    assert "vector_store_app = pool_size=10 max_user_connections=10 " \
           "max_user_client_connections=60" in text


def test_walls__the_watchdog_holds_every_client_login_and_no_owner() -> None:
    cfg = model.from_mapping(_values(replicas=1), stack="t")
    limits = {x.role: x for x in session_limits.limits(access.all_roles(cfg))}
    assert set(limits) == {r.name for r in access.all_roles(cfg)
                           if r.login and not r.replication}
    app = limits["rag_app"]
    assert (app.statement_ms, app.idle_in_transaction_ms) == (
        cfg.service("rag").statement_timeout_ms, access.IDLE_IN_TRANSACTION_TIMEOUT_MS)
    assert app.transaction_ms == session_limits.TRANSACTION_LIMIT_MS
    migrator = limits["rag_migrator"]
    assert migrator.idle_in_transaction_ms == session_limits.MIGRATOR_RUN_LIMIT_MS, (
        "a runner's lock session sits in its transaction for the whole run")


class _R:
    def __init__(self, resource_type: str, name: str, props: dict[str, Any]) -> None:
        self.resource_type, self.name, self.props = resource_type, name, props
        self.urn = f"urn:pulumi:t::p::{resource_type}::{name}"


def _stack(*, hardened: bool, watchdog: bool, path: list[str]) -> list[_R]:
    from pgplatform_policy import tokens

    out = [_R(tokens.POSTGRES_SERVER, "postgres", {"production": False}),
           _R(tokens.SERVICE_ACCESS, "vector_store", {
               "service": "vector_store", "database": "paddle", "schemas": ["vector_store"],
               "loginRole": "vector_store_app"}),
           _R(tokens.SERVICE_ACCESS, "rag", {"service": "rag", "database": "paddle",
                                             "schemas": ["rag"], "loginRole": "rag_app"}),
           _R(tokens.CONSUMER_ACCESS, "many", {"consumer": "many", "database": "paddle",
                                               "loginRole": "many_consumer"}),
           _R(tokens.ROLE, "many-consumer-role", {"name": "many_consumer",
                                                  "searchPaths": path})]
    if hardened:
        out.append(_R(tokens.DATABASE_HARDENING, "paddle-hardening", {"database": "paddle"}))
    if watchdog:
        out.append(_R(tokens.SESSION_WATCHDOG, "watchdog", {"watchdogRole": "w"}))
    return out


def _violations(resources: list[_R]) -> list[str]:
    found: list[str] = []
    args: Any = type("Args", (), {"resources": resources})()
    walls_policy.validate(args, lambda message, _urn: found.append(message))
    return found


def test_walls_policy__a_hardened_stack_passes_and_each_gap_is_named() -> None:
    assert _violations(_stack(hardened=True, watchdog=True, path=["extensions"])) == []
    gaps = _violations(_stack(hardened=False, watchdog=False,
                              path=["vector_store", "rag", "extensions"]))
    assert len(gaps) == 3, gaps
    assert "database 'paddle' has no DatabaseHardening" in gaps[0]
    assert "no SessionWatchdog" in gaps[1]
    assert "['rag', 'vector_store']" in gaps[2] and "many_consumer" in gaps[2]
