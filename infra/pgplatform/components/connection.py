"""How a dynamic resource carries a connection: the DSN (secret) and the stack's CA (public),
side by side in its properties. The provider process rebuilds the verified DSN from both, so a
resource keeps working where the program never ran (`pulumi destroy` on another machine)."""

from __future__ import annotations

from typing import Any

import pulumi

from pgplatform import tls

CA_CERT = "ca_cert"


def props(ca_cert: pulumi.Input[str], **dsns: pulumi.Input[str]) -> dict[str, Any]:
    return {**{key: pulumi.Output.secret(dsn) for key, dsn in dsns.items()}, CA_CERT: ca_cert}


def dsn(properties: dict[str, Any], key: str = "dsn") -> str:
    """The DSN under `key`, verifying the server against the resource's CA. State written
    before the server had TLS has no CA: its DSN is used as it is."""
    ca = properties.get(CA_CERT)
    return tls.with_ca(properties[key], ca) if ca else str(properties[key])
