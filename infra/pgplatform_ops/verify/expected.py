"""The expected-ACL matrix, derived from the model through `pgplatform.access` (the same specs
the program turns into Grant / DefaultPrivileges resources)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import NamedTuple

from pgplatform import access
from pgplatform.model import (
    BOOKKEEPING_SCHEMA,
    EXTENSIONS_SCHEMA,
    PUBLIC_SCHEMA,
    PlatformConfig,
)
from pgplatform_ops.verify.catalog import DEFAULT_KIND, DatabaseRole, DefaultKey, ObjectKind

Privs = frozenset[str]
NONE: Privs = frozenset()


class SchemaRef(NamedTuple):
    database: str
    schema: str


class SchemaRole(NamedTuple):
    database: str
    schema: str
    role: str


class ExpectedDefault(NamedTuple):
    database: str
    default: DefaultKey


@dataclass(frozen=True, kw_only=True)
class ExpectedMatrix:
    roles: tuple[str, ...]
    """Every role the matrix speaks about: all service roles, and `public`."""
    databases: dict[DatabaseRole, Privs] = field(default_factory=dict)
    schemas: dict[SchemaRole, Privs] = field(default_factory=dict)
    """Privileges on each managed schema (service schemas, public, extensions, bookkeeping)."""
    tables: dict[SchemaRole, Privs] = field(default_factory=dict)
    """Privileges on each table of a service schema."""
    sequences: dict[SchemaRole, Privs] = field(default_factory=dict)
    functions: dict[SchemaRole, Privs] = field(default_factory=dict)
    defaults: dict[ExpectedDefault, Privs] = field(default_factory=dict)
    schema_owner: dict[SchemaRef, str] = field(default_factory=dict)
    """Owner role of each service schema and of every object in it."""

    def managed_schemas(self, database: str) -> list[str]:
        return sorted({k.schema for k in self.schemas if k.database == database})

    def service_schemas(self, database: str) -> list[str]:
        return sorted(k.schema for k in self.schema_owner if k.database == database)

    def objects(self, kind: ObjectKind) -> dict[SchemaRole, Privs]:
        return {"table": self.tables, "sequence": self.sequences,
                "function": self.functions}[kind]


def derive(cfg: PlatformConfig) -> ExpectedMatrix:
    roles = sorted(cfg.roles)
    roles.append(access.PUBLIC)
    m = ExpectedMatrix(roles=tuple(roles))
    specs = [g for db in cfg.databases for g in access.database_grants(db.name)]
    specs += [g for s in cfg.services for g in access.service_grants(cfg, s)]
    specs += [g for c in cfg.consumers for g in access.consumer_grants(cfg, c)]
    specs += access.monitor_grants(cfg)
    grants: dict[tuple[str, str, str, str], set[str]] = defaultdict(set)
    for g in specs:
        grants[(g.object_type, g.database, g.schema or "", g.role)] |= set(g.privileges)

    def granted(kind: str, database: str, schema: str, role: str) -> Privs:
        return frozenset(grants.get((kind, database, schema, role), NONE))

    for db in cfg.databases:
        # `public` is managed in every database, whether a service took it or not.
        schemas = list(dict.fromkeys([*(x for s in cfg.services_in(db.name) for x in s.schemas),
                                      PUBLIC_SCHEMA, EXTENSIONS_SCHEMA, BOOKKEEPING_SCHEMA]))
        for role in roles:
            m.databases[DatabaseRole(db.name, role)] = granted("database", db.name, "", role)
            for schema in schemas:
                m.schemas[SchemaRole(db.name, schema, role)] = granted("schema", db.name,
                                                                       schema, role)
        for svc in cfg.services_in(db.name):
            for schema in svc.schemas:
                m.schema_owner[SchemaRef(db.name, schema)] = svc.owner_role
                for role in roles:
                    if role == svc.owner_role:
                        continue  # the owner's own privileges are implicit
                    key = SchemaRole(db.name, schema, role)
                    m.tables[key] = granted("table", db.name, schema, role)
                    m.sequences[key] = granted("sequence", db.name, schema, role)
                    m.functions[key] = NONE
    for svc in cfg.services:
        # Kept by the migration runner: the owner reaches its rows of the bookkeeping.
        m.schemas[SchemaRole(svc.database, BOOKKEEPING_SCHEMA, svc.owner_role)] = frozenset(
            access.BOOKKEEPING_SCHEMA_PRIVILEGES)
    defaults = [d for s in cfg.services for d in access.service_default_privileges(cfg, s)]
    defaults += [d for c in cfg.consumers for d in access.consumer_default_privileges(cfg, c)]
    for d in defaults:
        default = DefaultKey(owner=d.owner, schema=d.schema or "-",
                             objtype=DEFAULT_KIND[d.object_type], role=d.role)
        m.defaults[ExpectedDefault(d.database, default)] = frozenset(d.privileges)
        if d.object_type == "function" and d.schema is not None:
            m.functions[SchemaRole(d.database, d.schema, d.role)] = frozenset(d.privileges)
    return m
