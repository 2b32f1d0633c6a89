"""SCRAM-SHA-256 verifiers, computed here so that no role's password reaches the server.

pulumi-postgresql's Role sends `CREATE ROLE ... PASSWORD '<password>'` (and `ALTER ROLE` on a
change; terraform-provider-postgresql resource_postgresql_role.go @ff936b9). Given a verifier
(`SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>`), PostgreSQL stores it as it is
(`password_encryption` leaves pre-hashed values alone). So when such a statement fails, and
the server logs it (`log_min_error_statement`), the log holds a verifier, not a password.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

ITERATIONS = 4096  # PostgreSQL's scram_iterations default
PREFIX = "SCRAM-SHA-256$"


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def verifier(role: str, password: str) -> str:
    """The verifier PostgreSQL would store for `password` (RFC 5802 / 7677).

    The salt is derived from the role and the password rather than drawn at random, so the
    verifier is the same on every `up` (no diff, no ALTER ROLE) without a salt kept in state.
    The passwords are 32 random alphanumerics (about 190 bits): the salt only has to differ
    between roles and passwords, which this one does."""
    # Generated passwords are ASCII: SASLprep, which PostgreSQL applies first, leaves them be.
    salt = hashlib.sha256(b"pgplatform-scram-salt\0" + role.encode() + b"\0"
                          + password.encode()).digest()[:16]
    salted = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, ITERATIONS)
    client_key = hmac.new(salted, b"Client Key", hashlib.sha256).digest()
    server_key = hmac.new(salted, b"Server Key", hashlib.sha256).digest()
    stored_key = hashlib.sha256(client_key).digest()
    return f"{PREFIX}{ITERATIONS}:{_b64(salt)}${_b64(stored_key)}:{_b64(server_key)}"
