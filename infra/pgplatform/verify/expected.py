"""The expected-ACL matrix, derived from the model through `pgplatform.access` (the same specs
the program turns into Grant / DefaultPrivileges resources)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from pgplatform import access
from pgplatform.config import EXTENSIONS_SCHEMA, PlatformConfig
from pgplatform.migrate.runner import BOOKKEEPING_SCHEMA

Privs = frozenset[str]
NONE: Privs = frozenset()
# Relation kinds that take table privileges, and the one that takes sequence privileges.
TABLE_KINDS = ("r", "p", "v", "m", "f")
SEQUENCE_KIND = "S"


@dataclass(frozen=True, kw_only=True)
class ExpectedMatrix:
    roles: tuple[str, ...]
    """Every role the matrix speaks about: all service roles, and `public`."""
    databases: dict[tuple[str, str], Privs] = field(default_factory=dict)
    """(database, role) -> privileges on the database."""
    schemas: dict[tuple[str, str, str], Privs] = field(default_factory=dict)
    """(database, schema, role) -> privileges on the schema."""
    tables: dict[tuple[str, str, str], Privs] = field(default_factory=dict)
    """(database, service schema, role) -> privileges on each table of the schema."""
    sequences: dict[tuple[str, str, str], Privs] = field(default_factory=dict)
    functions: dict[tuple[str, str, str], Privs] = field(default_factory=dict)
    defaults: dict[tuple[str, str, str, str, str], Privs] = field(default_factory=dict)
    """(database, owner, schema or '-', object type r|S|f, role) -> default privileges."""
    schema_owner: dict[tuple[str, str], str] = field(default_factory=dict)
    """(database, service schema) -> owner role of the schema and every object in it."""

    def managed_schemas(self, database: str) -> list[str]:
        return sorted({s for (db, s, _) in self.schemas if db == database})

    def service_schemas(self, database: str) -> list[str]:
        return sorted(s for (db, s) in self.schema_owner if db == database)


_DEFAULT_KIND = {"table": "r", "sequence": "S", "function": "f"}


def derive(cfg: PlatformConfig) -> ExpectedMatrix:
    roles = sorted({r for s in cfg.services for r in (s.owner_role, s.login_role)})
    roles.append(access.PUBLIC)
    m = ExpectedMatrix(roles=tuple(roles))
    specs = [g for db in cfg.databases for g in access.database_grants(cfg, db.name)]
    specs += [g for s in cfg.services for g in access.service_grants(cfg, s)]
    grants: dict[tuple[str, ...], set[str]] = defaultdict(set)
    for g in specs:
        grants[(g.object_type, g.database, g.schema or "", g.role)] |= set(g.privileges)
    for db in cfg.databases:
        schemas = [s.schema for s in cfg.services_in(db.name)]
        schemas += ["public", EXTENSIONS_SCHEMA, BOOKKEEPING_SCHEMA]
        for role in roles:
            m.databases[(db.name, role)] = frozenset(grants.get(("database", db.name, "", role),
                                                                NONE))
            for schema in schemas:
                m.schemas[(db.name, schema, role)] = frozenset(
                    grants.get(("schema", db.name, schema, role), NONE))
        for svc in cfg.services_in(db.name):
            m.schema_owner[(db.name, svc.schema)] = svc.owner_role
            for role in roles:
                if role == svc.owner_role:
                    continue  # the owner's own privileges are implicit
                key = (db.name, svc.schema, role)
                m.tables[key] = frozenset(grants.get(("table", db.name, svc.schema, role), NONE))
                m.sequences[key] = frozenset(
                    grants.get(("sequence", db.name, svc.schema, role), NONE))
                m.functions[key] = NONE
    for svc in cfg.services:
        for d in access.service_default_privileges(cfg, svc):
            key = (d.database, d.owner, d.schema or "-", _DEFAULT_KIND[d.object_type], d.role)
            m.defaults[key] = frozenset(d.privileges)
            if d.object_type == "function" and d.schema == svc.schema:
                m.functions[(svc.database, svc.schema, d.role)] = frozenset(d.privileges)
    return m
