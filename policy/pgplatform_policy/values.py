"""Reading resource properties as policies receive them: secrets, unknowns, proxies.

The engine sends a policy pack each resource's properties with secrets still marked (wire
format: a map holding the signature key and `value`). pulumi-policy's Python SDK (1.x) drops
that mark before validations run: `Analyze` and `AnalyzeStack` deserialize with
`proxy_secrets=False`, so `args.props["password"]` is the bare string whether or not the program
made it a secret (pulumi/pulumi-policy#241). Only remediations see `pulumi_policy.Secret`.

`keep_secret_markers()` swaps the SDK's deserializer for one that keeps each secret as a
`pulumi_policy.Secret` around its value, so validations can tell. The pack's `__main__` calls it
before serving; it fails loudly rather than run the secret policy blind if the SDK changes.

Every reader here accepts both marks: `Secret` (what the pack sees at run time) and the wire map
(what Pulumi mocks record), and treats the unknown-value sentinels like the SDK's own proxy does.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, cast

from pulumi_policy import Secret
from pulumi_policy import deserialize as sdk_deserialize
from pulumi_policy import policy as sdk_policy
from pulumi_policy import proxy as sdk_proxy
from pulumi_policy.proxy import UnknownValueError

SIG_KEY = sdk_deserialize.SPECIAL_SIG_KEY
SECRET_SIG = sdk_deserialize.SPECIAL_SECRET_SIG

_UNKNOWNS = frozenset({
    sdk_proxy.UNKNOWN_BOOLEAN_VALUE, sdk_proxy.UNKNOWN_NUMBER_VALUE,
    sdk_proxy.UNKNOWN_STRING_VALUE, sdk_proxy.UNKNOWN_ARRAY_VALUE,
    sdk_proxy.UNKNOWN_ASSET_VALUE, sdk_proxy.UNKNOWN_ARCHIVE_VALUE,
    sdk_proxy.UNKNOWN_OBJECT_VALUE,
})


def is_secret(value: Any) -> bool:
    """Whether `value` is marked secret (a `pulumi_policy.Secret` or a wire-format secret)."""
    if isinstance(value, Secret):
        return True
    if isinstance(value, Mapping) and SIG_KEY in value:
        return bool(value[SIG_KEY] == SECRET_SIG)
    return False


def is_unknown(value: Any) -> bool:
    return isinstance(value, str) and value in _UNKNOWNS


def plain(value: Any, path: str = "") -> Any:
    """`value` without its secret mark (one level); raises `UnknownValueError`, as the SDK's
    proxy does, for a value that cannot be known during preview."""
    while is_secret(value):
        value = value.value if isinstance(value, Secret) else value["value"]
    if is_unknown(value):
        raise UnknownValueError(value, [p for p in path.split(".") if p])
    return value


def get(props: Mapping[str, Any], key: str, default: Any = None) -> Any:
    """`props[key]` without its secret mark, or `default` when absent or null."""
    if key not in props:
        return default
    value = plain(props[key], key)
    return default if value is None else value


def items(value: Any, path: str = "") -> list[Any]:
    """The elements of a list property (empty when absent), each still possibly marked."""
    value = plain(value, path)
    if value is None:
        return []
    if isinstance(value, Sequence) and not isinstance(value, str):
        return [value[i] for i in range(len(value))]
    raise TypeError(f"{path}: expected a list, got {type(value).__name__}")


def truthy(value: Any) -> bool:
    """Booleans as resources carry them (`true`, or the string "true" in provider config)."""
    value = plain(value)
    if isinstance(value, str):
        return value.strip().lower() == "true"
    return bool(value)


def _keep(prop: Any) -> Any:
    if isinstance(prop, list):
        return [_keep(e) for e in prop]
    if isinstance(prop, dict):
        if prop.get(SIG_KEY) == SECRET_SIG:
            return Secret(_keep(prop["value"]))
        if SIG_KEY in prop:  # assets and archives: the SDK's own reading
            return sdk_deserialize._deserialize_property(prop)
        return {k: _keep(v) for k, v in prop.items()}
    return prop


def deserialize_keeping_secrets(props: dict[str, Any],
                                proxy_secrets: bool = False) -> dict[str, Any]:
    """Drop-in for the SDK's `deserialize_properties` that keeps secrets as `Secret`.

    Remediations (`proxy_secrets=True`) keep the SDK's own secret-preserving proxies."""
    if proxy_secrets:
        return _ORIGINAL(props, True)
    return {k: _keep(v) for k, v in props.items()}


_ORIGINAL: Callable[..., dict[str, Any]] = sdk_deserialize.deserialize_properties


def keep_secret_markers() -> Callable[..., dict[str, Any]]:
    """Make the SDK hand validations secrets as `Secret`; returns what it replaced."""
    previous = getattr(sdk_policy, "deserialize_properties", None)
    if previous is None or not callable(previous):
        raise RuntimeError(
            "pulumi_policy.policy.deserialize_properties is gone: this pulumi-policy version "
            "reads properties differently, and the passwords-are-secrets policy cannot tell a "
            "secret from a plain value. Adapt pgplatform_policy/values.py to it.")
    # The SDK calls it through its module global, which its stubs do not export.
    setattr(sdk_policy, "deserialize_properties", deserialize_keeping_secrets)  # noqa: B010
    return cast(Callable[..., dict[str, Any]], previous)
