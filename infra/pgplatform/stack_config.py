"""Where a stack's `pgplatform:*` values come from: the running stack's Pulumi config, or a
`Pulumi.<stack>.yaml` read without the engine. Both end in `model.from_mapping`."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from pgplatform import model, paths
from pgplatform.model import KEYS, NAMESPACE, ConfigError, PlatformConfig, SecretValue


def from_pulumi() -> PlatformConfig:
    """The running stack's config (real engine or mocks)."""
    import pulumi
    from pulumi.runtime.config import get_config, is_config_secret

    values: dict[str, Any] = {}
    for key in KEYS:
        raw = get_config(f"{NAMESPACE}:{key}")
        if raw is None:
            continue
        # A secret stays marked as one, so the model can refuse a plain adminPassword.
        values[key] = (SecretValue(raw) if is_config_secret(f"{NAMESPACE}:{key}")
                       else pulumi.Config(NAMESPACE).get_object(key))
    return model.from_mapping(values, stack=pulumi.get_stack())


def read_stack_values(path: Path) -> dict[str, Any]:
    """The `pgplatform:*` values of a Pulumi.<stack>.yaml, prefix removed."""
    if not path.is_file():
        raise ConfigError([f"{path}: stack file not found. Fix: create it or pick another stack"])
    try:
        doc = yaml.safe_load(path.read_text()) or {}
    except yaml.YAMLError as exc:
        raise ConfigError([f"{path}: not valid YAML: {exc}. Fix: correct the YAML"]) from exc
    config = doc.get("config") if isinstance(doc, Mapping) else None
    if not isinstance(config or {}, Mapping):
        raise ConfigError([f"{path}: 'config' must be a mapping. Fix: put the keys under config:"])
    prefix = NAMESPACE + ":"
    return {k[len(prefix):]: _secure(v) for k, v in (config or {}).items()
            if str(k).startswith(prefix)}


def _secure(value: Any) -> Any:
    """`{secure: <ciphertext>}` is a secret only the engine can decrypt."""
    if isinstance(value, Mapping) and set(value) == {"secure"}:
        return SecretValue(None)
    return value


def stack_name_of(path: Path) -> str:
    """`Pulumi.<stack>.yaml` (or `<stack>.yaml`) names its stack."""
    return path.name.removesuffix(".yaml").removeprefix("Pulumi.")


def from_stack_file(path: Path, stack: str | None = None) -> PlatformConfig:
    return model.from_mapping(read_stack_values(path), stack=stack or stack_name_of(path))


def for_stack(stack: str, root: Path = paths.PROJECT_ROOT) -> PlatformConfig:
    """The committed stack `stack` of the project."""
    return from_stack_file(paths.stack_file(stack, root), stack)


def write_stack_file(path: Path, values: Mapping[str, Any]) -> None:
    """A stack file holding `values` under the `pgplatform:` namespace."""
    doc = {"config": {f"{NAMESPACE}:{k}": v for k, v in values.items()}}
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
