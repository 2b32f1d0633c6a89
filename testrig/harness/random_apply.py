"""pulumi-random RandomPassword: generated at create, kept in state until replaced
(hashicorp/terraform-provider-random internal/provider/resource_password.go)."""

from __future__ import annotations

import secrets
import string
from typing import Any


def random_password(inputs: dict[str, Any]) -> dict[str, Any]:
    length = int(inputs.get("length", 16))
    alphabet = ""
    if inputs.get("upper", True):
        alphabet += string.ascii_uppercase
    if inputs.get("lower", True):
        alphabet += string.ascii_lowercase
    if inputs.get("numeric", True):
        alphabet += string.digits
    if inputs.get("special", True):
        alphabet += inputs.get("overrideSpecial") or "!@#$%&*()-_=+[]{}<>:?"
    result = "".join(secrets.choice(alphabet) for _ in range(length))
    return {**inputs, "result": result, "bcryptHash": ""}
