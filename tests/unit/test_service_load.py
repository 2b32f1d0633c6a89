"""Per-service load: the roles each service's statements are counted under, in status and in
the exporter's query (which names them by the model's suffixes)."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
import yaml

from pgplatform import model, paths, stack_config
from pgplatform.model import CONSUMER_SUFFIX, ROLE_SUFFIXES
from pgplatform_ops.status import load

pytestmark = pytest.mark.unit


def test_load__every_role_of_the_model_counts_under_its_service() -> None:
    cfg = stack_config.for_stack("dev")
    owner = load.services_of(SimpleNamespace(cfg=cfg))  # type: ignore[arg-type]
    for svc in cfg.services:
        for role in svc.roles:
            assert owner[role] == svc.name
    for c in cfg.consumers:
        assert owner[c.login_role] == c.name
    for role in (model.MONITOR_ROLE, model.WATCHDOG_ROLE, model.REPLICATOR_ROLE,
                 cfg.server.admin_user):
        assert owner[role] == load.PLATFORM


def test_load__the_exporters_service_label_strips_exactly_the_models_suffixes() -> None:
    queries = yaml.safe_load((paths.DOCKER_CONTEXT / "exporter" / "queries.yaml").read_text())
    pattern = re.search(r"regexp_replace\(r\.rolname, '([^']+)'",
                        queries["pgplatform_statements"]["query"])
    assert pattern is not None
    suffixes = set(re.fullmatch(r"_\((.*)\)\$", pattern.group(1)).group(1).split("|"))  # type: ignore[union-attr]
    assert {f"_{s}" for s in suffixes} == {*ROLE_SUFFIXES, CONSUMER_SUFFIX}


def test_load__pg_stat_statements_is_preloaded_beside_a_stacks_own_libraries() -> None:
    base = {"databases": [{"name": "app", "extensions": []}],
            "services": [{"name": "rag", "database": "app"}]}
    plain = model.from_mapping(base, stack="t").server
    assert plain.settings["shared_preload_libraries"] == model.STATEMENT_STATS
    assert "shared_preload_libraries" in plain.restart_settings
    mine = model.from_mapping({**base, "server": {"settings": {
        "shared_preload_libraries": "auto_explain"}}}, stack="t").server
    assert mine.settings["shared_preload_libraries"] == "pg_stat_statements,auto_explain"
