"""The real Pulumi CLI on a local file backend: `pulumi preview` then `pulumi up` of the ci
stack, then the same isolation the harness e2e proves, then `pulumi destroy`.

Runs where the `pulumi` CLI and a Docker engine are present; skips with the reason otherwise
(the CLI cannot be installed on the CI machines of this project: no internet).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest

from pgplatform import outputs, paths, stack_config
from pgplatform_ops.stack import DeployedStack

pytestmark = pytest.mark.e2e
STACK = "ci"


def _why_not() -> str | None:
    if shutil.which("pulumi") is None:
        return "the pulumi CLI is not installed (https://www.pulumi.com/docs/install/)"
    try:
        import docker

        docker.from_env().ping()
    except Exception as exc:
        return f"no Docker engine answers ({type(exc).__name__})"
    return None


@pytest.fixture(scope="module")
def pulumi_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    reason = _why_not()
    if reason:
        pytest.skip(reason)
    backend = tmp_path_factory.mktemp("pulumi-backend")
    env = {**os.environ, "PULUMI_BACKEND_URL": f"file://{backend}",
           "PULUMI_CONFIG_PASSPHRASE": "pgplatform-e2e", "PULUMI_SKIP_UPDATE_CHECK": "1"}
    run(env, "stack", "init", STACK, "--secrets-provider", "passphrase")
    try:
        yield env
    finally:
        run(env, "destroy", "--yes", "--stack", STACK, check=False)
        run(env, "stack", "rm", "--yes", "--force", STACK, check=False)


def run(env: dict[str, str], *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(["pulumi", *args, "--non-interactive"], cwd=paths.PROJECT_ROOT, env=env,
                          capture_output=True, text=True, timeout=1200)
    if check:
        assert proc.returncode == 0, f"pulumi {' '.join(args)}:\n{proc.stdout}\n{proc.stderr}"
    return proc


def test_pulumi__preview_then_up_then_isolation(pulumi_env: dict[str, str]) -> None:
    preview = run(pulumi_env, "preview", "--diff", "--stack", STACK)
    assert "+ " in preview.stdout
    run(pulumi_env, "up", "--yes", "--stack", STACK)
    shown = run(pulumi_env, "stack", "output", "--json", "--show-secrets", "--stack", STACK)
    got: dict[str, Any] = json.loads(shown.stdout)
    assert set(got) == set(outputs.STACK_KEYS)
    deployed = DeployedStack(cfg=stack_config.for_stack(STACK),
                             outputs=outputs.parse(got, "pulumi stack output"))
    for svc in deployed.cfg.services:
        with psycopg.connect(deployed.service_dsn(svc.name)) as c:
            assert c.execute("SELECT current_user").fetchone() == (svc.login_role,)
        for other in deployed.cfg.services:
            if other.database != svc.database:
                with pytest.raises(psycopg.OperationalError, match="permission denied"):
                    psycopg.connect(deployed.service_dsn_for(svc.name, other.database))
    again = run(pulumi_env, "preview", "--expect-no-changes", "--stack", STACK)
    assert again.returncode == 0
