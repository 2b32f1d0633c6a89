"""Server hardening visible through SQL: authentication, listen address, settings, extensions."""

from __future__ import annotations

import psycopg

from pgplatform import server_settings
from pgplatform.model import PlatformConfig
from pgplatform_ops.verify.catalog import DatabaseSnapshot
from pgplatform_ops.verify.findings import Finding

ALLOWED_AUTH = {"host": {"scram-sha-256"}, "hostssl": {"scram-sha-256"},
                "hostnossl": {"scram-sha-256"}, "hostgssenc": {"scram-sha-256"},
                "hostnogssenc": {"scram-sha-256"},
                # The unix socket inside the container: the OS user must match (no password
                # travels, nothing is trusted).
                "local": {"peer", "scram-sha-256"}}


def authentication(conn: psycopg.Connection) -> list[Finding]:
    out = []
    enc = conn.execute("SHOW password_encryption").fetchone()
    if not enc or enc[0] != "scram-sha-256":
        out.append(Finding(kind="password_encryption", object="server", role="",
                           expected="scram-sha-256", actual=str(enc and enc[0])))
    for line, kind, dbs, users, address, method, error in conn.execute(
            "SELECT line_number, type, database, user_name, address, auth_method, error "
            "FROM pg_hba_file_rules ORDER BY line_number"):
        if error or method not in ALLOWED_AUTH.get(kind, set()):
            out.append(Finding(
                kind="pg_hba rule", object=f"pg_hba.conf line {line}: {kind} {dbs} {users} "
                f"{address or ''}".rstrip(), role="",
                expected=f"auth {' or '.join(sorted(ALLOWED_AUTH.get(kind, {'-'})))}",
                actual=error or method))
    return out


def _same(name: str, want: str, got: str) -> bool:
    if want == got:
        return True
    # The server reports memory in its own unit ("16MB" for "16384kB").
    w = server_settings.size_in_bytes(name, want)
    return w is not None and w == server_settings.size_in_bytes(name, got)


def settings(cfg: PlatformConfig, conn: psycopg.Connection) -> list[Finding]:
    out = []
    expected = {**cfg.server.settings, "listen_addresses": "*"}
    for name, want in sorted(expected.items()):
        row = conn.execute("SELECT current_setting(%s, true)", (name,)).fetchone()
        got = row[0] if row else None
        if got is None or not _same(name, str(want), got):
            out.append(Finding(kind="server setting", object=f"setting {name}", role="",
                               expected=str(want), actual=str(got)))
    return out


def extensions(cfg: PlatformConfig, snap: DatabaseSnapshot) -> list[Finding]:
    out = []
    for ext in cfg.database(snap.name).extensions:
        obj = f"extension {snap.name}.{ext}"
        got = snap.extensions.get(ext)
        if got is None:
            out.append(Finding(kind="extension", object=obj, role="", expected="installed",
                               actual="absent"))
            continue
        version, schema, default = got
        if version != default:
            out.append(Finding(kind="extension version", object=obj, role="",
                               expected=str(default), actual=version))
        if schema != "extensions":
            out.append(Finding(kind="extension schema", object=obj, role="",
                               expected="extensions", actual=schema))
    return out
