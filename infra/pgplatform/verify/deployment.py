"""What the verification suite checks against: the model of a stack and its deployed outputs."""

from __future__ import annotations

import json
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pgplatform import config, outputs
from pgplatform.verify.expected import ExpectedMatrix, derive

PROJECT_ROOT = Path(__file__).resolve().parents[3]


class DeploymentError(RuntimeError):
    pass


@dataclass(frozen=True, kw_only=True)
class Deployment:
    cfg: config.PlatformConfig
    outputs: dict[str, Any]
    matrix: ExpectedMatrix

    @property
    def admin_dsn(self) -> str:
        return str(self.outputs[outputs.ADMIN_DSN])

    def admin_dsn_for(self, database: str) -> str:
        return re.sub(r"/postgres\?", f"/{database}?", self.admin_dsn, count=1)

    def service_dsn(self, service: str) -> str:
        return str(self.outputs[outputs.SERVICES][service][outputs.SERVICE_DSN])


def pulumi_outputs(stack: str) -> dict[str, Any]:
    proc = subprocess.run(["pulumi", "stack", "output", "--json", "--show-secrets", "--stack",
                           stack], cwd=PROJECT_ROOT, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise DeploymentError(f"verify: `pulumi stack output --stack {stack}` failed: "
                              f"{proc.stderr.strip()}")
    return dict(json.loads(proc.stdout))


def _stack_for(values: dict[str, Any]) -> str:
    """The committed stack whose container name and port match these outputs."""
    matches = []
    for path in sorted(PROJECT_ROOT.glob("Pulumi.*.yaml")):
        stack = path.name[len("Pulumi."):-len(".yaml")]
        try:
            cfg = config.from_stack_file(PROJECT_ROOT, stack)
        except config.ConfigError:
            continue
        if (cfg.server.container_name == values.get(outputs.CONTAINER_NAME)
                and cfg.server.host_port == values.get(outputs.PORT)):
            matches.append(stack)
    if len(matches) != 1:
        raise DeploymentError(
            f"verify: cannot tell which stack produced these outputs (matches: {matches}). "
            "Fix: pass --stack NAME or --stack-file PATH")
    return matches[0]


def load(*, outputs_file: Path | None = None, stack: str | None = None,
         stack_file: Path | None = None) -> Deployment:
    if outputs_file is not None:
        if not outputs_file.is_file():
            raise DeploymentError(f"verify: outputs file {outputs_file} not found")
        values = json.loads(outputs_file.read_text())
    elif stack is not None:
        values = pulumi_outputs(stack)
    else:
        raise DeploymentError("verify: pass --outputs FILE or a stack name")
    missing = [k for k in outputs.STACK_KEYS if k not in values]
    if missing:
        raise DeploymentError(f"verify: outputs lack keys {missing}: not a pgplatform stack")
    if stack_file is not None:
        cfg = config.from_mapping(config.read_stack_values(stack_file),
                                  stack=stack or stack_file.stem.split(".", 1)[-1])
    else:
        cfg = config.from_stack_file(PROJECT_ROOT, stack or _stack_for(values))
    return Deployment(cfg=cfg, outputs=values, matrix=derive(cfg))
