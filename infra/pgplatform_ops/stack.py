"""A deployed stack as every operator tool sees it: its model and its outputs.

The outputs name their stack and carry an admin DSN per database, so the model is read from that
stack's file (`Pulumi.<stack>.yaml`, or the file the operator names) and every database is
reached from the outputs as they are.
"""

from __future__ import annotations

import argparse
import json
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from pgplatform import modules, outputs, paths, stack_config, tls
from pgplatform.migrate import runner
from pgplatform.model import POOLER_CONSOLE, ConfigError, PlatformConfig, ServiceConfig


class StackError(RuntimeError):
    pass


@dataclass(frozen=True, kw_only=True)
class DeployedStack:
    cfg: PlatformConfig
    outputs: outputs.StackOutputs[str]

    @property
    def name(self) -> str:
        return self.cfg.stack

    def verified(self, dsn: str) -> str:
        """`dsn` with the stack's CA as `sslrootcert`: every DSN this class hands out is."""
        return tls.with_ca(dsn, self.outputs.ca_cert)

    def admin_dsn(self, database: str = "postgres") -> str:
        if database == "postgres":
            return self.verified(self.outputs.admin_dsn)
        return self.verified(self.outputs.databases[database].admin_dsn)

    def service_dsn(self, service: str) -> str:
        return self.verified(self.outputs.services[service].dsn)

    def service_dsn_for(self, service: str, database: str) -> str:
        """The service's credentials aimed at another database (to prove it is refused)."""
        return make_conninfo(self.service_dsn(service), dbname=database)

    def migrator_dsn(self, service: str) -> str:
        return self.verified(self.outputs.services[service].migrator_dsn)

    def readonly_dsn(self, service: str) -> str:
        return self.verified(self.outputs.services[service].readonly_dsn)

    def pooled_dsn(self, service: str) -> str:
        """The app's login through the pooler ("" when the stack has none)."""
        dsn = self.outputs.services[service].pooled_dsn
        return self.verified(dsn) if dsn else ""

    def on_primary(self, dsn: str) -> str:
        """`dsn` aimed at the primary alone (a `readFrom: replica` DSN lists the replicas
        first)."""
        return make_conninfo(dsn, host=self.outputs.host, port=str(self.outputs.port),
                             target_session_attrs="any")

    def monitor_dsn(self, database: str = "postgres") -> str:
        """The exporter's login ("" when the stack has no exporter)."""
        if not self.outputs.monitor_dsn:
            return ""
        return make_conninfo(self.verified(self.outputs.monitor_dsn), dbname=database)

    def pooler_console_dsn(self) -> str:
        """The exporter's login on the pooler's console ("" when the stack publishes no
        pooler metrics)."""
        pooler = self.cfg.server.pooler
        if not self.outputs.monitor_dsn or pooler is None or not pooler.metrics_port:
            return ""
        return make_conninfo(self.monitor_dsn(), port=str(pooler.host_port),
                             dbname=POOLER_CONSOLE)

    def watchdog_dsn(self, database: str = "postgres") -> str:
        """The session watchdog's login ("" when the stack runs no container)."""
        if not self.outputs.watchdog_dsn:
            return ""
        return make_conninfo(self.verified(self.outputs.watchdog_dsn), dbname=database)

    def logins(self) -> list[tuple[str, str]]:
        """Every login the outputs give a DSN for, as (role, DSN aimed at the primary)."""
        out = [(role, self.on_primary(dsn)) for svc in self.cfg.services
               for role, dsn in ((svc.login_role, self.service_dsn(svc.name)),
                                 (svc.migrator_role, self.migrator_dsn(svc.name)),
                                 (svc.readonly_role, self.readonly_dsn(svc.name)))]
        out += [(c.login_role, self.on_primary(self.consumer_dsn(c.name)))
                for c in self.cfg.consumers]
        out += [(str(conninfo_to_dict(dsn)["user"]), dsn)
                for dsn in (self.monitor_dsn(), self.watchdog_dsn()) if dsn]
        return out

    def consumer_dsn(self, consumer: str) -> str:
        return self.verified(self.outputs.consumers[consumer].dsn)

    def migration_target(self, svc: ServiceConfig) -> runner.Target:
        """The runner's view of `svc`: its migrator, and the admin for the bookkeeping and
        the module's `[admin]` migrations."""
        return runner.Target(dsn=self.migrator_dsn(svc.name),
                             admin_dsn=self.admin_dsn(svc.database), service=svc.name,
                             schemas=svc.schemas, owner_role=svc.owner_role,
                             module=modules.load(self.cfg.sql_root, svc.module))


def pulumi_outputs(stack: str) -> dict[str, Any]:
    try:
        proc = subprocess.run(["pulumi", "stack", "output", "--json", "--show-secrets",
                               "--stack", stack], cwd=paths.PROJECT_ROOT, capture_output=True,
                              text=True, check=False)
    except FileNotFoundError as exc:
        raise StackError(f"stack {stack}: no `pulumi` CLI here to read its outputs. Fix: "
                         "`scripts/toolchain` (or deploy with `scripts/up`), or pass "
                         "--outputs FILE") from exc
    if proc.returncode != 0:
        raise StackError(f"stack: `pulumi stack output --stack {stack}` failed: "
                         f"{proc.stderr.strip()}")
    return dict(json.loads(proc.stdout))


def _read_outputs(outputs_file: Path | None, stack: str | None) -> outputs.StackOutputs[str]:
    try:
        return _parse_outputs(outputs_file, stack)
    except outputs.OutputsError as exc:
        raise StackError(str(exc)) from exc


def _parse_outputs(outputs_file: Path | None, stack: str | None) -> outputs.StackOutputs[str]:
    if outputs_file is not None:
        if not outputs_file.is_file():
            raise StackError(f"stack: outputs file {outputs_file} not found. Fix: pass the file "
                             "`scripts/harness up` or `pulumi stack output --json "
                             "--show-secrets` wrote")
        try:
            return outputs.parse(json.loads(outputs_file.read_text()), str(outputs_file))
        except json.JSONDecodeError as exc:
            raise StackError(f"stack: {outputs_file} is not JSON: {exc}") from exc
    if stack is not None:
        return outputs.parse(pulumi_outputs(stack), f"stack {stack}")
    raise StackError("stack: pass a stack name or --outputs FILE")


def _agree(cfg: PlatformConfig, outs: outputs.StackOutputs[str]) -> None:
    """The model read now must describe the deploy the outputs came from."""
    problems = []
    for what, modelled, deployed in (
        ("services", {s.name for s in cfg.services}, set(outs.services)),
        ("databases", {d.name for d in cfg.databases}, set(outs.databases)),
        ("consumers", {c.name for c in cfg.consumers}, set(outs.consumers)),
    ):
        if modelled != deployed:
            problems.append(f"{what}: model has {sorted(modelled - deployed)} that the outputs "
                            f"lack, outputs have {sorted(deployed - modelled)} that the model "
                            "lacks")
    if problems:
        raise StackError(f"stack {cfg.stack}: the stack file and the outputs disagree: "
                         + "; ".join(problems) + ". Fix: deploy the stack file (pulumi up) or "
                         "pass the stack file it was deployed from")


def load(*, outputs_file: Path | None = None, stack: str | None = None,
         stack_file: Path | None = None) -> DeployedStack:
    """The stack behind `outputs_file` (or `pulumi stack output` of `stack`), its model from
    `stack_file` or else the project's file of the stack the outputs name."""
    outs = _read_outputs(outputs_file, stack)
    if stack is not None and stack != outs.stack:
        raise StackError(f"stack: the outputs are of stack {outs.stack!r}, not {stack!r}. "
                         "Fix: pass the matching stack or outputs file")
    try:
        cfg = (stack_config.from_stack_file(stack_file, outs.stack) if stack_file is not None
               else stack_config.for_stack(outs.stack))
    except ConfigError as exc:
        raise StackError(str(exc)) from exc
    _agree(cfg, outs)
    return DeployedStack(cfg=cfg, outputs=outs)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """How every operator tool names its stack: a stack name, or an outputs file."""
    parser.add_argument("stack", nargs="?", help="read outputs with `pulumi stack output`")
    parser.add_argument("--outputs", type=Path, help="stack outputs JSON (e.g. the harness's)")
    parser.add_argument("--stack-file", type=Path, help="model from this YAML instead")


def from_arguments(args: argparse.Namespace, *, check_server: bool = True) -> DeployedStack:
    """`check_server=False` for a tool that refuses some requests before any connection; it
    calls `reachable` itself once those are through."""
    deployed = load(outputs_file=args.outputs, stack=args.stack, stack_file=args.stack_file)
    if check_server:
        reachable(deployed)
    return deployed


CA_MISMATCH = "certificate verify failed"


def reachable(deployed: DeployedStack) -> None:
    """One admin session before a tool starts: the conditions every later connection would
    meet, said once with their fix instead of once per connection."""
    try:
        psycopg.connect(deployed.admin_dsn(), connect_timeout=5).close()
    except psycopg.OperationalError as exc:
        text = str(exc)
        if CA_MISMATCH in text:
            raise StackError(
                f"stack {deployed.name}: the outputs' CA does not match the server's "
                "certificate: re-read the outputs (the stack was redeployed?)") from exc
        if "Connection refused" in text or "timeout expired" in text:
            raise StackError(
                f"stack {deployed.name}: no server answers at the outputs' address "
                f"({text.strip().splitlines()[0]}). Fix: deploy or start the stack "
                f"(`scripts/up {deployed.name}`), or pass the outputs of the stack that "
                "runs") from exc
        raise
