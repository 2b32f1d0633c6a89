"""Server hardening visible through SQL: authentication, TLS, settings, extensions."""

from __future__ import annotations

import difflib
import ipaddress
from typing import Any

import psycopg
from psycopg.conninfo import make_conninfo

from pgplatform import hba, pitr, server_settings
from pgplatform.model import PlatformConfig
from pgplatform_ops.verify.catalog import DatabaseSnapshot
from pgplatform_ops.verify.findings import Finding
from pgplatform_ops.verify.ledger import LEDGER

Rule = tuple[str, tuple[str, ...], tuple[str, ...], str | None, str, tuple[str, ...]]


def _expected(rule: hba.HbaRule) -> Rule:
    address = rule.address if rule.address in (None, "all", "samenet") else str(
        ipaddress.ip_network(rule.address))
    return (rule.type, rule.databases, rule.users, address, rule.method, rule.options)


def _loaded(kind: str, dbs: list[str], users: list[str], address: str | None,
            netmask: str | None, method: str, options: list[str] | None) -> Rule:
    where = address if not netmask else str(ipaddress.ip_network(f"{address}/{netmask}"))
    # The view shows names bare, quoted or not (so `"all"` reads as the keyword would).
    return (kind, tuple(d.strip('"') for d in dbs), tuple(u.strip('"') for u in users), where,
            method, tuple(options or ()))


def authentication(cfg: PlatformConfig, conn: psycopg.Connection) -> list[Finding]:
    """SCRAM password storage, and pg_hba as the model generates it (pgplatform.hba) for the
    address this session arrives from, rule for rule, without a line the server refused."""
    out = []
    enc = conn.execute("SHOW password_encryption").fetchone()
    if not enc or enc[0] != "scram-sha-256":
        out.append(Finding(kind="password_encryption", object="server", role="",
                           expected="scram-sha-256", actual=str(enc and enc[0])))
    row: Any = conn.execute("SELECT host(inet_client_addr())").fetchone()
    want = [_expected(r) for r in hba.rules(cfg, row[0])]
    got: list[Rule] = []
    for line, kind, dbs, users, address, netmask, method, options, error in conn.execute(
            "SELECT line_number, type, database, user_name, address, netmask, auth_method, "
            "options, error FROM pg_hba_file_rules ORDER BY rule_number NULLS LAST, "
            "line_number"):
        if error:
            out.append(Finding(kind="pg_hba rule", object=f"pg_hba.conf line {line}", role="",
                               expected="a rule the server reads", actual=error))
            continue
        got.append(_loaded(kind, dbs, users, address, netmask, method, options))
    # First match wins, so order matters; one rule added by hand is one finding, not a shift of
    # every rule after it.
    shown_want, shown_got = [_show(r) for r in want], [_show(r) for r in got]
    matcher = difflib.SequenceMatcher(a=shown_want, b=shown_got, autojunk=False)
    for op, w1, w2, g1, g2 in matcher.get_opcodes():
        if op == "equal":
            continue
        for k in range(max(w2 - w1, g2 - g1)):
            w = shown_want[w1 + k] if w1 + k < w2 else "no such rule"
            g = shown_got[g1 + k] if g1 + k < g2 else "no such rule"
            out.append(Finding(kind="pg_hba rule", object=f"pg_hba rule {min(w1, g1) + k + 1}",
                               role="", expected=w, actual=g))
    return out


def _show(rule: Rule) -> str:
    kind, dbs, users, address, method, options = rule
    return " ".join(x for x in (kind, ",".join(dbs), ",".join(users), address or "", method,
                                *options) if x)


def tls_in_use(conn: psycopg.Connection) -> list[Finding]:
    """The server has TLS on, and this very session (verify-full) runs over it."""
    row: Any = conn.execute("SELECT current_setting('ssl'), (SELECT ssl FROM pg_stat_ssl "
                            "WHERE pid = pg_backend_pid())").fetchone()
    return [] if row == ("on", True) else [Finding(
        kind="tls", object="server", role="", expected="ssl = on, this session encrypted",
        actual=f"ssl = {row[0]}, this session encrypted: {row[1]}")]


def plaintext_refused(admin_dsn: str, admin: str) -> list[Finding]:
    """The admin's credentials over plaintext TCP: refused by pg_hba before any password."""
    try:
        psycopg.connect(make_conninfo(admin_dsn, sslmode="disable"), connect_timeout=5).close()
        actual = "connected"
    except psycopg.OperationalError as exc:
        LEDGER.record(make_conninfo(admin_dsn, sslmode="disable"), exc)
        actual = "" if hba.REJECTED in str(exc) else str(exc).strip()
    return [] if not actual else [Finding(kind="tls", object="admin over plaintext TCP",
                                          role=admin, expected=hba.REJECTED,
                                          actual=actual)]


def _same(name: str, want: str, got: str) -> bool:
    if want == got:
        return True
    # The server reports memory and time in its own unit ("16MB" for "16384kB", "1min" for
    # "60s").
    w = server_settings.quantity(name, want)
    return w is not None and w == server_settings.quantity(name, got)


def settings(cfg: PlatformConfig, conn: psycopg.Connection) -> list[Finding]:
    out = []
    expected = {**cfg.server.settings, "listen_addresses": "*",
                **(pitr.COMMAND_SETTINGS if cfg.server.pitr else {})}
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


def archiving(conn: psycopg.Connection) -> list[Finding]:
    """server.pitr: the newest attempt to archive a WAL segment did not fail (a success since
    a failure clears it). Verification does not wait for a segment: a new server may have
    archived none yet."""
    row = conn.execute("SELECT failed_count, last_failed_wal, last_failed_time, "
                       "last_archived_time FROM pg_stat_archiver").fetchone()
    assert row is not None
    failed, wal, failed_at, archived_at = row
    if failed_at is None or (archived_at is not None and archived_at >= failed_at):
        return []
    return [Finding(kind="WAL archiving", object="pg_stat_archiver", role="",
                    expected="the newest attempt archived",
                    actual=f"{wal} failed at {failed_at.isoformat()} ({failed} failures); the "
                           "server log has pgBackRest's error")]
