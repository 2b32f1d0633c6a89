"""The live catalog, read in a handful of batched queries per database."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Literal, NamedTuple

import psycopg

from pgplatform.access import DefaultObject

ObjectKind = Literal["table", "sequence", "function"]
DefaultObjtype = Literal["r", "S", "f"]
"""pg_default_acl.defaclobjtype of tables, sequences and functions."""
DEFAULT_KIND: dict[DefaultObject, DefaultObjtype] = {"table": "r", "sequence": "S",
                                                     "function": "f"}
# Relation kinds that take table privileges, and the one that takes sequence privileges.
TABLE_KINDS = ("r", "p", "v", "m", "f")
SEQUENCE_KIND = "S"

_ROLES = """
SELECT rolname, rolsuper, rolcreaterole, rolcreatedb, rolreplication, rolbypassrls, rolcanlogin,
       rolinherit, rolconnlimit, coalesce(rolconfig, '{}')
FROM pg_roles WHERE rolname !~ '^pg_'"""
_MEMBERS = """
SELECT r.rolname, m.rolname, am.inherit_option, am.set_option, am.admin_option
FROM pg_auth_members am
JOIN pg_roles r ON r.oid = am.roleid JOIN pg_roles m ON m.oid = am.member
WHERE r.rolname !~ '^pg_' OR m.rolname !~ '^pg_'"""
# Owner privileges are implicit and left out; grantee 0 is PUBLIC.
_DATABASES = """
SELECT d.datname, coalesce(r.rolname, 'public'), g.privilege_type
FROM pg_database d, aclexplode(coalesce(d.datacl, acldefault('d', d.datdba))) g
LEFT JOIN pg_roles r ON r.oid = g.grantee
WHERE g.grantee <> d.datdba"""
_SCHEMAS = """
SELECT n.nspname, pg_get_userbyid(n.nspowner), coalesce(r.rolname, 'public'), g.privilege_type
FROM pg_namespace n
LEFT JOIN LATERAL aclexplode(coalesce(n.nspacl, acldefault('n', n.nspowner))) g
       ON g.grantee <> n.nspowner
LEFT JOIN pg_roles r ON r.oid = g.grantee
WHERE n.nspname = ANY(%(schemas)s)"""
_RELATIONS = """
SELECT n.nspname, c.relname, c.relkind::text, pg_get_userbyid(c.relowner),
       coalesce(r.rolname, 'public'), g.privilege_type,
       (SELECT a.attname FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0
          AND NOT a.attisdropped AND a.attgenerated = '' ORDER BY a.attnum LIMIT 1),
       (SELECT array_agg(a.attname::text ORDER BY a.attnum) FROM pg_attribute a
        WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
          AND a.attgenerated = '' AND a.attidentity <> 'a')
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN LATERAL aclexplode(coalesce(c.relacl, acldefault(
       CASE WHEN c.relkind = 'S' THEN 's' ELSE 'r' END::"char", c.relowner))) g
       ON g.grantee <> c.relowner
LEFT JOIN pg_roles r ON r.oid = g.grantee
WHERE n.nspname = ANY(%(schemas)s) AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')"""
_FUNCTIONS = """
SELECT n.nspname, p.oid::regprocedure::text, pg_get_userbyid(p.proowner),
       coalesce(r.rolname, 'public'), g.privilege_type
FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
LEFT JOIN LATERAL aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) g
       ON g.grantee <> p.proowner
LEFT JOIN pg_roles r ON r.oid = g.grantee
WHERE n.nspname = ANY(%(schemas)s)"""
_DEFAULT_ACL = """
SELECT pg_get_userbyid(d.defaclrole), coalesce(n.nspname, '-'), d.defaclobjtype::text,
       coalesce(r.rolname, 'public'), g.privilege_type
FROM pg_default_acl d LEFT JOIN pg_namespace n ON n.oid = d.defaclnamespace
LEFT JOIN LATERAL aclexplode(d.defaclacl) g ON g.grantee <> d.defaclrole
LEFT JOIN pg_roles r ON r.oid = g.grantee"""
_INDEXES = """
SELECT n.nspname, ic.relname, t.relname, am.amname, opc.opcname, i.indisvalid, i.indisready
FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_class t ON t.oid = i.indrelid
JOIN pg_namespace n ON n.oid = ic.relnamespace JOIN pg_am am ON am.oid = ic.relam
LEFT JOIN pg_opclass opc ON opc.oid = i.indclass[0]
WHERE n.nspname = ANY(%(schemas)s)"""
_EXTENSIONS = """
SELECT e.extname, e.extversion, n.nspname, a.default_version FROM pg_extension e
JOIN pg_namespace n ON n.oid = e.extnamespace
LEFT JOIN pg_available_extensions a ON a.name = e.extname"""


class DatabaseRole(NamedTuple):
    database: str
    role: str


class Membership(NamedTuple):
    role: str
    member: str
    inherit: bool = True
    set: bool = True
    admin: bool = False


class SchemaGrantee(NamedTuple):
    schema: str
    role: str


class ObjectName(NamedTuple):
    schema: str
    name: str
    """A relation's name, or a function's signature (`regprocedure`)."""


class ObjectGrantee(NamedTuple):
    schema: str
    name: str
    role: str


class Relation(NamedTuple):
    relkind: str
    owner: str


class DefaultEntry(NamedTuple):
    owner: str
    schema: str
    """The schema, or '-' for a database-wide entry."""
    objtype: str


class DefaultKey(NamedTuple):
    owner: str
    schema: str
    objtype: str
    role: str


class Extension(NamedTuple):
    version: str
    schema: str
    default_version: str | None


@dataclass(frozen=True, kw_only=True)
class RoleAttrs:
    superuser: bool
    createrole: bool
    createdb: bool
    replication: bool
    bypassrls: bool
    login: bool
    inherit: bool = True
    connection_limit: int = -1
    settings: dict[str, str] = field(default_factory=dict)
    """rolconfig (database-independent settings), name -> value."""


@dataclass(frozen=True, kw_only=True)
class Index:
    schema: str
    name: str
    table: str
    method: str
    opclass: str | None
    valid: bool
    ready: bool


@dataclass(kw_only=True)
class DatabaseSnapshot:
    name: str
    schema_owner: dict[str, str] = field(default_factory=dict)
    schemas: dict[SchemaGrantee, set[str]] = field(default_factory=lambda: defaultdict(set))
    relations: dict[ObjectName, Relation] = field(default_factory=dict)
    first_column: dict[ObjectName, str] = field(default_factory=dict)
    insert_columns: dict[ObjectName, list[str]] = field(default_factory=dict)
    """Columns an INSERT may name: neither generated nor GENERATED ALWAYS AS IDENTITY."""
    relation_acl: dict[ObjectGrantee, set[str]] = field(
        default_factory=lambda: defaultdict(set))
    functions: dict[ObjectName, str] = field(default_factory=dict)
    """function -> owner"""
    function_acl: dict[ObjectGrantee, set[str]] = field(
        default_factory=lambda: defaultdict(set))
    defaults: dict[DefaultKey, set[str]] = field(default_factory=lambda: defaultdict(set))
    default_entries: set[DefaultEntry] = field(default_factory=set)
    indexes: dict[ObjectName, Index] = field(default_factory=dict)
    extensions: dict[str, Extension] = field(default_factory=dict)

    def insertable_columns(self, schema: str, table: str) -> list[str]:
        return self.insert_columns.get(ObjectName(schema, table), [])

    def tables(self, schema: str) -> list[str]:
        return sorted(o.name for o, rel in self.relations.items()
                      if o.schema == schema and rel.relkind in ("r", "p"))


@dataclass(kw_only=True)
class ServerSnapshot:
    roles: dict[str, RoleAttrs]
    memberships: set[Membership]
    databases: dict[DatabaseRole, set[str]]
    per_database: dict[str, DatabaseSnapshot]


def read_server(admin_conn: psycopg.Connection
                ) -> tuple[dict[str, RoleAttrs], set[Membership], dict[DatabaseRole, set[str]]]:
    roles = {r[0]: RoleAttrs(superuser=r[1], createrole=r[2], createdb=r[3], replication=r[4],
                             bypassrls=r[5], login=r[6], inherit=r[7], connection_limit=r[8],
                             settings=dict(c.split("=", 1) for c in r[9]))
             for r in admin_conn.execute(_ROLES)}
    members = {Membership(*r) for r in admin_conn.execute(_MEMBERS)}
    dbs: dict[DatabaseRole, set[str]] = defaultdict(set)
    for datname, role, priv in admin_conn.execute(_DATABASES):
        dbs[DatabaseRole(datname, role)].add(priv)
    return roles, members, dbs


def read_database(conn: psycopg.Connection, name: str, schemas: list[str],
                  service_schemas: list[str]) -> DatabaseSnapshot:
    snap = DatabaseSnapshot(name=name)
    for nsp, owner, role, priv in conn.execute(_SCHEMAS, {"schemas": schemas}):
        snap.schema_owner[nsp] = owner
        if priv is not None:
            snap.schemas[SchemaGrantee(nsp, role)].add(priv)
    args = {"schemas": service_schemas}
    for nsp, rel, kind, owner, role, priv, column, insertable in conn.execute(_RELATIONS, args):
        snap.relations[ObjectName(nsp, rel)] = Relation(kind, owner)
        if column:
            snap.first_column[ObjectName(nsp, rel)] = column
        if insertable:
            snap.insert_columns[ObjectName(nsp, rel)] = insertable
        if priv is not None:
            snap.relation_acl[ObjectGrantee(nsp, rel, role)].add(priv)
    for nsp, fn, owner, role, priv in conn.execute(_FUNCTIONS, args):
        snap.functions[ObjectName(nsp, fn)] = owner
        if priv is not None:
            snap.function_acl[ObjectGrantee(nsp, fn, role)].add(priv)
    for owner, nsp, kind, role, priv in conn.execute(_DEFAULT_ACL):
        snap.default_entries.add(DefaultEntry(owner, nsp, kind))
        if priv is not None:
            snap.defaults[DefaultKey(owner, nsp, kind, role)].add(priv)
    for row in conn.execute(_INDEXES, args):
        snap.indexes[ObjectName(row[0], row[1])] = Index(
            schema=row[0], name=row[1], table=row[2], method=row[3], opclass=row[4],
            valid=row[5], ready=row[6])
    for ext, version, nsp, default in conn.execute(_EXTENSIONS):
        snap.extensions[ext] = Extension(version, nsp, default)
    return snap
