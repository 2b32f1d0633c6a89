"""server.pitr in the resource graph (under Pulumi mocks): the repository volume kept like the
data volume, its key a generated secret, archiving on the primary only."""

from __future__ import annotations

import pytest

from harness.monitor import is_secret, reveal
from pgplatform import outputs, pitr
from pgplatform import resource_types as rt

from graph import COMMITTED_STACKS, committed_graph

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("stack", COMMITTED_STACKS)
def test_pitr__repository_volume_is_kept_and_protected_like_the_data_volume(stack: str) -> None:
    g = committed_graph(stack)
    volumes = {i["name"]: r for r, i in g.resources(rt.DOCKER_VOLUME)}
    s = g.cfg.server
    if s.pitr is None:
        assert s.pitr_volume not in volumes
        assert not g.resources(rt.RANDOM_PASSWORD) or all(
            r.name != "pitr-passphrase" for r, _ in g.resources(rt.RANDOM_PASSWORD))
        assert g.outputs[outputs.PITR_PASSPHRASE] == ""
        return
    data, repo = volumes[s.volume_name], volumes[s.pitr_volume]
    assert (repo.retain_on_delete, repo.protect) == (data.retain_on_delete, data.protect)
    key, _ = g.one(rt.RANDOM_PASSWORD, "pitr-passphrase")
    assert key.protect == data.protect
    assert g.secret_outputs[outputs.PITR_PASSPHRASE]


def test_pitr__prod_and_dev_archive_and_prod_protects_the_repository() -> None:
    assert committed_graph("dev").cfg.server.pitr is not None
    prod = committed_graph("prod")
    assert prod.cfg.server.pitr is not None
    repo = next(r for r, i in prod.resources(rt.DOCKER_VOLUME)
                if i["name"] == prod.cfg.server.pitr_volume)
    assert repo.protect and repo.retain_on_delete


def test_pitr__primary_archives_through_the_bundles_script_and_replicas_do_not() -> None:
    g = committed_graph("dev")
    containers = {i["name"]: i for _, i in g.resources(rt.DOCKER_CONTAINER)}
    primary = containers[g.cfg.server.container_name]
    assert "archive_mode=on" in primary["command"]
    assert f"archive_command={pitr.ARCHIVE_SCRIPT} %p" in primary["command"]
    assert any(v["containerPath"] == pitr.REPO_DIR and v["volumeName"] ==
               g.cfg.server.pitr_volume for v in primary["volumes"])
    # The key travels as a secret, root-only; never in the environment.
    assert is_secret(primary["uploads"])
    uploads = {u["file"]: u for u in reveal(primary["uploads"])}
    conf = uploads[pitr.CONF_SOURCE]
    assert conf["permissions"] == "0400"
    assert "repo1-cipher-pass=pw-pitr-passphrase" in reveal(conf["content"])
    assert not any("pw-pitr-passphrase" in e for e in primary["envs"])
    for i in range(g.cfg.server.replicas):
        replica = containers[g.cfg.server.replica_name(i)]
        assert not any(a.startswith("archive_") for a in replica["command"])
        assert not any(v["containerPath"] == pitr.REPO_DIR for v in replica["volumes"])
    # archive_timeout is an ordinary reloadable setting: applied in place, verified.
    assert g.cfg.server.reload_settings["archive_timeout"] == "60s"
