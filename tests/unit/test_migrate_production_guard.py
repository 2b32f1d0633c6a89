"""`scripts/migrate`: refusals that happen before any connection."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pgplatform_ops.migrate import cli

from graph import committed_graph

pytestmark = pytest.mark.unit


@pytest.fixture
def prod_outputs(tmp_path: Path) -> Path:
    """The outputs prod's program exports (under mocks: nothing listens behind its DSNs)."""
    path = tmp_path / "prod-outputs.json"
    path.write_text(json.dumps(committed_graph("prod").outputs))
    return path


@pytest.mark.parametrize(("extra", "says"), [
    ([], "refusing down on production stack 'prod'"),
    (["--confirm-production", "dev"], "names another stack"),
], ids=["unconfirmed", "wrong-stack"])
def test_migrate__down_on_production_is_refused_until_confirmed_by_name(
        prod_outputs: Path, capsys: pytest.CaptureFixture[str], extra: list[str], says: str
) -> None:
    code = cli.main(["--outputs", str(prod_outputs), "down", "--service", "rag",
                     "--steps", "2", *extra])
    err = capsys.readouterr().err
    assert code == 2, err
    assert says in err and "last 2 migration(s) of service 'rag'" in err, err
    assert "Fix: take a backup, then rerun with --confirm-production prod" in err, err
