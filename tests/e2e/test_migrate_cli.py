"""`scripts/migrate` against the harness deploy: status, down, up, and bad input."""

from __future__ import annotations

import pytest

from e2e_support import CiDeployment, script

pytestmark = pytest.mark.e2e


def test_migrate_cli__status_down_up_round_trip(ci_deployment: CiDeployment) -> None:
    out = str(ci_deployment.outputs_file)
    status = script("migrate", "--outputs", out, "status", "--service", "rag")
    assert status.returncode == 0, status.stderr
    header, *lines, summary = status.stdout.splitlines()
    assert header.split()[:3] == ["service", "migration", "state"], status.stdout
    rows = [line.split() for line in lines]
    assert rows and all(r[0] == "rag" and r[2] == "applied" for r in rows), status.stdout
    assert summary == f"rag: {len(rows)} applied, 0 pending", status.stdout
    last = rows[-1][1]

    down = script("migrate", "--outputs", out, "down", "--service", "rag", "--steps", "1")
    assert down.returncode == 0 and f"rolled back {last}" in down.stdout, down.stdout
    after = script("migrate", "--outputs", out, "status", "--service", "rag").stdout
    assert f"{last}" in after and after.splitlines()[-1] == (
        f"rag: {len(rows) - 1} applied, 1 pending"), after

    up = script("migrate", "--outputs", out, "up", "--service", "rag")
    assert up.returncode == 0 and f"applied {last}" in up.stdout, up.stdout + up.stderr
    again = script("migrate", "--outputs", out, "up")
    assert again.returncode == 0 and "applied 0" not in again.stdout
    assert all(line.endswith(": 0 applied") for line in again.stdout.splitlines()), again.stdout


def test_migrate_cli__unknown_service_is_named(ci_deployment: CiDeployment) -> None:
    proc = script("migrate", "--outputs", str(ci_deployment.outputs_file), "up", "--service",
                  "ghost")
    assert proc.returncode == 2 and "unknown service(s) ['ghost']" in proc.stderr, proc.stderr
