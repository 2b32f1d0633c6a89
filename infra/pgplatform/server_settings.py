"""Server settings (`server.settings`) checked by name and type against the server's own
parameter list, before any resource exists.

The list is `settings_catalog.json`, read from a server of the image by
`pgplatform_ops.settings_catalog` (`scripts/settings-catalog`) and compared with the built image
by the integration suite: not a hand-copied list. A typo (`shared_buffer`) would otherwise pass
here and crash-loop the replaced container. A few settings weaken security or leak secrets into
the log; those are refused whatever their type says.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Callable, Mapping
from functools import cache
from pathlib import Path
from typing import Any

CATALOG = Path(__file__).resolve().parent / "settings_catalog.json"

_MEMORY_UNITS: dict[str, float] = {"B": 1, "kB": 1024, "MB": 1024**2, "GB": 1024**3,
                                   "TB": 1024**4}
_TIME_UNITS: dict[str, float] = {"us": 0.001, "ms": 1, "s": 1000, "min": 60_000,
                                 "h": 3_600_000, "d": 86_400_000}
# pg_settings.unit -> (unit family, the base unit's size in that family)
_BASE: dict[str, tuple[dict[str, float], float]] = {
    "B": (_MEMORY_UNITS, 1), "kB": (_MEMORY_UNITS, 1024), "8kB": (_MEMORY_UNITS, 8192),
    "MB": (_MEMORY_UNITS, 1024**2), "us": (_TIME_UNITS, 0.001), "ms": (_TIME_UNITS, 1),
    "s": (_TIME_UNITS, 1000), "min": (_TIME_UNITS, 60_000)}
_NUMBER = re.compile(r"(-?[0-9]+(?:\.[0-9]+)?)\s*([a-zA-Z]+)?")
_BOOLEANS = frozenset({"on", "off", "true", "false", "yes", "no", "1", "0"})

# Refused names and values, each with why. Passwords reach the log through statement logging
# (`ALTER ROLE ... PASSWORD` is DDL); the bundle owns where the server listens and who may
# connect; the rest loses data, runs commands or loads code.
_OFF_LIMITS = {
    "archive_command": "runs a shell command as the server (use a backup tool)",
    "archive_library": "loads code into the server",
    "restore_command": "runs a shell command as the server",
    "session_preload_libraries": "loads code into every session",
    "local_preload_libraries": "loads code into every session",
    "dynamic_library_path": "changes where the server loads code from",
    "allow_system_table_mods": "lets the superuser corrupt the catalog",
    "zero_damaged_pages": "silently destroys data",
    "ignore_system_indexes": "is a debugging switch",
    "listen_addresses": "is the bundle's (the container's network)",
    "port": "is the bundle's (server.hostPort publishes it)",
    "hba_file": "is the bundle's (its pg_hba)",
    "ident_file": "is the bundle's",
    "config_file": "is the bundle's",
    "data_directory": "is the bundle's (the data volume)",
    "ssl": "is the bundle's (TLS)",
    "ssl_cert_file": "is the bundle's (the stack's server certificate)",
    "ssl_key_file": "is the bundle's (the stack's server key)",
    "ssl_ca_file": "is the bundle's (TLS)",
    "ssl_crl_file": "is the bundle's (TLS)",
    "ssl_crl_dir": "is the bundle's (TLS)",
    "ssl_passphrase_command": "runs a shell command as the server",
    "log_line_prefix": "is the bundle's (scripts/status reads the role and database from it)",
    "ssl_passphrase_command_supports_reload": "is the bundle's (TLS)",
}
_REQUIRED: dict[str, tuple[Callable[[str], bool], str]] = {
    "log_statement": (lambda v: v == "none",
                      "logs `ALTER ROLE ... PASSWORD` with the password (only none)"),
    "log_min_duration_statement": (lambda v: v.strip() == "-1",
                                   "logs statements, passwords included (only -1)"),
    "log_min_duration_sample": (lambda v: v.strip() == "-1",
                                "logs statements, passwords included (only -1)"),
    "log_transaction_sample_rate": (lambda v: float(v) == 0,
                                    "logs statements, passwords included (only 0)"),
    "ssl_min_protocol_version": (lambda v: v in ("TLSv1.2", "TLSv1.3"),
                                 "allows broken TLS versions (only TLSv1.2, TLSv1.3)"),
    "password_encryption": (lambda v: v == "scram-sha-256",
                            "stores passwords as MD5 (only scram-sha-256)"),
    "fsync": (lambda v: v in ("on", "true", "yes", "1"), "loses committed data on a crash"),
    "full_page_writes": (lambda v: v in ("on", "true", "yes", "1"),
                         "corrupts data on a crash"),
    "shared_preload_libraries": (
        lambda v: {x.strip() for x in v.split(",") if x.strip()} <= {"pg_stat_statements",
                                                                     "auto_explain"},
        "loads code into the server (only pg_stat_statements, auto_explain)"),
}


def needs_restart(name: str) -> bool:
    """Whether PostgreSQL reads `name` only at start (context postmaster)."""
    return bool(catalog()[name]["context"] == "postmaster")


@cache
def catalog() -> Mapping[str, Mapping[str, Any]]:
    settings: Mapping[str, Mapping[str, Any]] = json.loads(CATALOG.read_text())["settings"]
    return settings


def problem(name: str, value: str) -> str | None:
    """Why `name = value` may not be set, or None."""
    known = catalog()
    spec = known.get(name)
    if spec is None:
        close = difflib.get_close_matches(name, list(known), n=1)
        return ("is not a PostgreSQL 17 setting" + (f". Did you mean {close[0]}?" if close
                                                      else "")
                + " Fix: use a name from pg_settings")
    if name in _OFF_LIMITS:
        return f"may not be set: it {_OFF_LIMITS[name]}"
    if spec["context"] == "internal":
        return "is read-only (fixed when PostgreSQL was built)"
    wrong = _type_problem(spec, value)
    if wrong:
        return wrong
    rule = _REQUIRED.get(name)
    if rule is not None:
        allowed, why = rule
        if not allowed(value.strip().lower() if spec["type"] in ("bool", "enum") else value):
            return f"{value!r} is refused: it {why}"
    return None


def _type_problem(spec: Mapping[str, Any], value: str) -> str | None:
    kind = spec["type"]
    if kind == "bool":
        return None if value.strip().lower() in _BOOLEANS else f"{value!r} is not on/off"
    if kind == "enum":
        choices = spec["enum"] or []
        # PostgreSQL reads enum values without regard to case (`TLSv1.2`, `tlsv1.2`).
        return (None if value.strip().lower() in {c.lower() for c in choices}
                else f"{value!r} is not one of {choices}")
    if kind in ("integer", "real"):
        return _number_problem(spec, value)
    return None  # string


def quantity(name: str, value: str) -> float | None:
    """A memory or time setting's value in bytes or milliseconds (a bare number counts in the
    setting's own unit: kB for work_mem, 8kB pages for shared_buffers, s for archive_timeout),
    or None for another setting or a malformed value. The server reports such values in a unit
    of its choosing ("1min" for "60s")."""
    spec = catalog().get(name)
    family = _BASE.get((spec or {}).get("unit") or "")
    m = _NUMBER.fullmatch(value.strip())
    if spec is None or family is None or m is None:
        return None
    units, own = family
    given = m.group(2)
    if given and given not in units:
        return None
    return float(m.group(1)) * (units[given] if given else own)


def size_in_bytes(name: str, value: str) -> int | None:
    """A memory setting's value in bytes, or None for another setting or a malformed value."""
    spec = catalog().get(name)
    family = _BASE.get((spec or {}).get("unit") or "")
    amount = quantity(name, value)
    if family is None or family[0] is not _MEMORY_UNITS or amount is None:
        return None
    return int(amount)


def _number_problem(spec: Mapping[str, Any], value: str) -> str | None:
    m = _NUMBER.fullmatch(value.strip())
    unit = spec["unit"]
    if not m or (spec["type"] == "integer" and "." in m.group(1) and not m.group(2)):
        return f"{value!r} is not {'an integer' if spec['type'] == 'integer' else 'a number'}" + (
            f" (in {unit}, or with a unit)" if unit else "")
    number, given = float(m.group(1)), m.group(2)
    if given:
        family = _BASE.get(unit or "")
        if family is None or given not in family[0]:
            units = sorted(family[0], key=family[0].__getitem__) if family else []
            return f"{value!r}: unit {given!r} does not apply" + (
                f" (use one of {units})" if units else " (the setting has no unit)")
        number = number * family[0][given] / family[1]
    low, high = float(spec["min"]), float(spec["max"])
    # -1 and 0 often mean "off"; both are within pg_settings' own bounds when allowed.
    if not low <= number <= high:
        return (f"{value!r} is outside {spec['min']}..{spec['max']}"
                + (f" {unit}" if unit else ""))
    return None
