"""pulumi-random RandomPassword: generated once, then stable for as long as the state keeps it."""

from __future__ import annotations

import secrets
import string
from typing import Any


def random_password(inputs: dict[str, Any], previous: dict[str, Any] | None
                    ) -> tuple[dict[str, Any], bool]:
    if previous is not None and previous.get("length") == inputs.get("length"):
        return previous, False
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
    return {**inputs, "result": result, "bcryptHash": ""}, True
