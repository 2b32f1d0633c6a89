"""Backup sets refused before anything is restored: a missing or broken manifest, a file whose
checksum or size is not the manifest's, another stack's set unless named, other schemas."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from pgplatform import outputs
from pgplatform.model import BackupPolicy
from pgplatform_ops.backup import manifest, restore, retention
from pgplatform_ops.stack import DeployedStack

from graph import committed_graph

pytestmark = pytest.mark.unit


def _set(tmp_path: Path) -> tuple[manifest.Manifest, Path]:
    dump = tmp_path / "rag.dump"
    dump.write_bytes(b"PGDMP fake dump")
    entry = manifest.ServiceBackup(file="rag.dump", sha256=manifest.sha256(dump),
                                   bytes=dump.stat().st_size, database="paddle",
                                   schemas=["rag"], rows={"rag.rag_sessions": 3},
                                   migrations=[manifest.Migration(
                                       version=1, name="create", checksum="abc",
                                       applied_at="2026-11-29T00:00:00+00:00",
                                       duration_ms=5)])
    taken = manifest.Manifest(stack="ci", taken_at="2026-11-29T00:00:00+00:00",
                              server_version="17.7", services={"rag": entry})
    taken.write(tmp_path)
    return taken, dump


@pytest.fixture(scope="module")
def deployed() -> DeployedStack:
    g = committed_graph("ci")
    return DeployedStack(cfg=g.cfg, outputs=outputs.parse(g.outputs, "graph"))


def test_manifest__round_trips(tmp_path: Path) -> None:
    taken, _ = _set(tmp_path)
    assert manifest.read(tmp_path) == taken


def test_manifest__missing_or_not_a_manifest_is_named(tmp_path: Path) -> None:
    with pytest.raises(manifest.ManifestError, match="manifest.json not found"):
        manifest.read(tmp_path)
    (tmp_path / manifest.NAME).write_text('{"stack": "ci"}')
    with pytest.raises(manifest.ManifestError, match="not a backup manifest"):
        manifest.read(tmp_path)


def test_manifest__a_changed_or_missing_file_is_refused(tmp_path: Path) -> None:
    taken, dump = _set(tmp_path)
    entry = taken.services["rag"]
    assert manifest.verified_file(tmp_path, "rag", entry) == dump
    dump.write_bytes(b"PGDMP fake dumq")
    with pytest.raises(manifest.ManifestError, match="does not match the manifest"):
        manifest.verified_file(tmp_path, "rag", entry)
    with pytest.raises(manifest.ManifestError, match="missing"):
        manifest.verified_file(tmp_path, "rag", replace(entry, file="../rag.dump"))


def test_restore__another_stacks_set_needs_its_name(tmp_path: Path,
                                                   deployed: DeployedStack) -> None:
    taken, _ = _set(tmp_path)
    rag = deployed.cfg.service("rag")
    assert restore.check(deployed, rag, taken, None) == taken.services["rag"]
    prod = replace(taken, stack="prod")
    with pytest.raises(restore.RestoreError, match="--from-stack prod"):
        restore.check(deployed, rag, prod, None)
    assert restore.check(deployed, rag, prod, "prod") == taken.services["rag"]
    with pytest.raises(restore.RestoreError, match="not 'staging'"):
        restore.check(deployed, rag, prod, "staging")


def test_restore__other_schemas_or_services_are_refused(tmp_path: Path,
                                                       deployed: DeployedStack) -> None:
    taken, _ = _set(tmp_path)
    with pytest.raises(restore.RestoreError, match="no service 'vector_store'"):
        restore.check(deployed, deployed.cfg.service("vector_store"), taken, None)
    moved = replace(taken, services={"rag": replace(taken.services["rag"],
                                                    schemas=["rag_old"])})
    with pytest.raises(restore.RestoreError, match="holds schemas"):
        restore.check(deployed, deployed.cfg.service("rag"), moved, None)


def _fake_set(root: Path, day: int, services: dict[str, str]) -> Path:
    """A set taken on 2026-11-<day> holding `services` (name -> database)."""
    d = root / f"202611{day:02d}"
    d.mkdir(parents=True)
    entries = {}
    for name, database in services.items():
        f = d / f"{name}.dump"
        f.write_bytes(name.encode())
        entries[name] = manifest.ServiceBackup(file=f.name, sha256=manifest.sha256(f),
                                               bytes=f.stat().st_size, database=database,
                                               schemas=[name], rows={})
    manifest.Manifest(stack="ci", taken_at=f"2026-11-{day:02d}T00:00:00+00:00",
                      server_version="17", services=entries).write(d)
    return d


def test_retention__each_database_keeps_its_newest_sets(tmp_path: Path,
                                                        deployed: DeployedStack) -> None:
    """flipsync (critical) keeps 30 sets; the agents' database (important) a smaller keep;
    a set whose every database aged out goes."""
    cfg = deployed.cfg
    dbs = tuple(replace(db, backup=BackupPolicy(priority="important", keep=2))
                if db.name == "ai_agent_persistence" else db for db in cfg.databases)
    cfg = replace(cfg, databases=dbs)
    both = {"flipsync_app": "flipsync", "agent_persistence": "ai_agent_persistence"}
    sets = [_fake_set(tmp_path, day, both) for day in (1, 2, 3)]
    only_agents = _fake_set(tmp_path, 4, {"agent_persistence": "ai_agent_persistence"})
    logged: list[str] = []
    removed = retention.prune(tmp_path, cfg, logged.append)
    # Newest first: day 4 and day 3 keep the agents' dumps; days 2 and 1 lose theirs.
    assert sorted(p.name for p in removed) == ["agent_persistence.dump"] * 2
    for d in sets[:2]:
        assert set(manifest.read(d).services) == {"flipsync_app"}
        assert not (d / "agent_persistence.dump").exists()
    assert set(manifest.read(sets[2]).services) == set(both)
    assert set(manifest.read(only_agents).services) == {"agent_persistence"}
    assert any("ai_agent_persistence (important, keep 2)" in line for line in logged)

    cfg = replace(cfg, databases=tuple(replace(db, backup=BackupPolicy(keep=1))
                                       for db in cfg.databases))
    removed = retention.prune(tmp_path, cfg, logged.append)
    assert not sets[0].exists() and not sets[1].exists(), "sets with nothing left are removed"
    assert manifest.read(sets[2]).services.keys() == {"flipsync_app"}
    assert manifest.read(only_agents).services.keys() == {"agent_persistence"}
