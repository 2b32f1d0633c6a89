"""The stack's CA certificate where libpq wants it: a file.

libpq (and lib/pq under pulumi-postgresql) reads `sslrootcert` from a path only, while the CA
lives in the Pulumi state (pulumi-tls) and the stack outputs (`ca_cert`). Every process that
connects (the program, a dynamic provider, a tool) writes the PEM it was handed to one file
named by its digest, so the same CA is always the same path and a rotated CA a new one.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from psycopg.conninfo import make_conninfo

VERIFY_FULL = "verify-full"
"""Every DSN the bundle hands out: TLS, the server's certificate chained to the stack's CA and
naming the host the client dialled."""


class TlsError(ValueError):
    pass


def _cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "pgplatform"


def ca_file(ca_pem: str) -> str:
    """The path of a file holding `ca_pem` (a public certificate: readable by all)."""
    if "-----BEGIN CERTIFICATE-----" not in ca_pem:
        raise TlsError("tls: the stack's CA certificate is not a PEM certificate. Fix: pass "
                       "the `ca_cert` output of a stack deployed by this version")
    digest = hashlib.sha256(ca_pem.encode()).hexdigest()[:24]
    path = _cache_dir() / f"ca-{digest}.pem"
    if not path.is_file() or path.read_text() != ca_pem:
        path.parent.mkdir(parents=True, exist_ok=True)
        # Written whole, then renamed: a concurrent reader sees no file or the full one.
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".ca-")
        with os.fdopen(fd, "w") as f:
            f.write(ca_pem)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    return str(path)


def with_ca(dsn: str, ca_pem: str) -> str:
    """`dsn` verifying the server against `ca_pem`, in its own form: a URL stays a URL (what
    SQLAlchemy and most clients parse), key=value stays key=value."""
    path = ca_file(ca_pem)
    url = urlsplit(dsn)
    if url.scheme not in ("postgresql", "postgres"):
        return make_conninfo(dsn, sslrootcert=path)
    query = [(k, v) for k, v in parse_qsl(url.query, keep_blank_values=True)
             if k != "sslrootcert"]
    return urlunsplit(url._replace(query=urlencode([*query, ("sslrootcert", path)])))
