"""Every privilege the platform grants, derived from the model.

The program turns these specs into pulumi-postgresql resources and the verification suite
compares the live catalog against the same specs, so a grant is described exactly once.
Privilege lists are sorted so that the specs compare equal to what the catalog reports.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, NamedTuple

from pgplatform.model import EXTENSIONS_SCHEMA, PlatformConfig, ServiceConfig

PUBLIC = "public"
DML = ("DELETE", "INSERT", "SELECT", "UPDATE")
SEQUENCE_USE = ("SELECT", "USAGE")
READ = ("SELECT",)
USAGE = ("USAGE",)
CONNECT = ("CONNECT",)
EXECUTE = ("EXECUTE",)

GrantObject = Literal["database", "schema", "table", "sequence", "function"]
DefaultObject = Literal["table", "sequence", "function"]


class CatalogRow(NamedTuple):
    """The catalog row an ACL resource rewrites: the database's pg_database row, a schema's
    pg_namespace row, the relations of a schema, or an owner's pg_default_acl rows."""

    kind: Literal["database", "schema", "objects", "functions", "default"]
    database: str
    name: str


@dataclass(frozen=True, kw_only=True)
class GrantSpec:
    """One pulumi-postgresql Grant: privileges of `role` on objects of `object_type`.

    For table/sequence grants the target is every object in `schema` (objects=[]); an empty
    `privileges` revokes everything (used for PUBLIC).
    """

    name: str
    role: str
    database: str
    object_type: GrantObject
    schema: str | None
    privileges: tuple[str, ...]
    after_bootstrap: bool = False

    @property
    def catalog_row(self) -> CatalogRow:
        """Grants sharing a row must not run in parallel ("tuple concurrently updated",
        terraform-provider-postgresql#178)."""
        if self.object_type == "database":
            return CatalogRow("database", self.database, "")
        if self.object_type == "schema":
            return CatalogRow("schema", self.database, self.schema or "")
        if self.object_type == "function":
            return CatalogRow("functions", self.database, self.schema or "")
        return CatalogRow("objects", self.database, self.schema or "")


@dataclass(frozen=True, kw_only=True)
class DefaultPrivilegeSpec:
    """Privileges `role` gets on objects that `owner` creates later (in `schema`, or
    database-wide when schema is None)."""

    name: str
    owner: str
    role: str
    database: str
    schema: str | None
    object_type: DefaultObject
    privileges: tuple[str, ...]

    @property
    def catalog_row(self) -> CatalogRow:
        return CatalogRow("default", self.database, self.owner)


def database_grants(database: str) -> list[GrantSpec]:
    """PUBLIC loses CONNECT/TEMP on the database and USAGE on its `public` schema."""
    return [
        GrantSpec(name=f"{database}-public-database", role=PUBLIC, database=database,
                  object_type="database", schema=None, privileges=()),
        GrantSpec(name=f"{database}-public-schema-public", role=PUBLIC, database=database,
                  object_type="schema", schema="public", privileges=()),
    ]


def service_grants(cfg: PlatformConfig, svc: ServiceConfig) -> list[GrantSpec]:
    """Grants on `svc`'s database and schema: its own roles, then its declared readers."""
    n, db = svc.name, svc.database
    specs = [
        GrantSpec(name=f"{n}-login-connect", role=svc.login_role, database=db,
                  object_type="database", schema=None, privileges=CONNECT),
        GrantSpec(name=f"{n}-owner-extensions", role=svc.owner_role, database=db,
                  object_type="schema", schema=EXTENSIONS_SCHEMA, privileges=USAGE),
        GrantSpec(name=f"{n}-login-extensions", role=svc.login_role, database=db,
                  object_type="schema", schema=EXTENSIONS_SCHEMA, privileges=USAGE),
        GrantSpec(name=f"{n}-login-schema", role=svc.login_role, database=db,
                  object_type="schema", schema=svc.schema, privileges=USAGE),
        # Existing objects (e.g. tables a migration adopted from `public`); objects the owner
        # creates later are covered by the default privileges below.
        GrantSpec(name=f"{n}-login-tables", role=svc.login_role, database=db,
                  object_type="table", schema=svc.schema, privileges=DML, after_bootstrap=True),
        GrantSpec(name=f"{n}-login-sequences", role=svc.login_role, database=db,
                  object_type="sequence", schema=svc.schema, privileges=SEQUENCE_USE,
                  after_bootstrap=True),
        # Functions that exist before the default privileges do (kept through `destroy`, or
        # adopted) get the EXECUTE those would have given.
        GrantSpec(name=f"{n}-login-functions", role=svc.login_role, database=db,
                  object_type="function", schema=svc.schema, privileges=EXECUTE,
                  after_bootstrap=True),
    ]
    for reader in sorted(svc.readers):
        r = cfg.service(reader)
        specs += [
            GrantSpec(name=f"{n}-reader-{reader}-schema", role=r.login_role, database=db,
                      object_type="schema", schema=svc.schema, privileges=USAGE),
            GrantSpec(name=f"{n}-reader-{reader}-tables", role=r.login_role, database=db,
                      object_type="table", schema=svc.schema, privileges=READ,
                      after_bootstrap=True),
        ]
    return specs


def service_default_privileges(cfg: PlatformConfig, svc: ServiceConfig
                               ) -> list[DefaultPrivilegeSpec]:
    n, db, owner, schema = svc.name, svc.database, svc.owner_role, svc.schema
    specs = [
        DefaultPrivilegeSpec(name=f"{n}-default-tables", owner=owner, role=svc.login_role,
                             database=db, schema=schema, object_type="table", privileges=DML),
        DefaultPrivilegeSpec(name=f"{n}-default-sequences", owner=owner, role=svc.login_role,
                             database=db, schema=schema, object_type="sequence",
                             privileges=SEQUENCE_USE),
        DefaultPrivilegeSpec(name=f"{n}-default-functions", owner=owner, role=svc.login_role,
                             database=db, schema=schema, object_type="function",
                             privileges=EXECUTE),
        # Functions are executable by PUBLIC unless the owner's database-wide default says
        # otherwise; schema USAGE already fences them, this keeps the ACLs exact.
        DefaultPrivilegeSpec(name=f"{n}-default-functions-public", owner=owner, role=PUBLIC,
                             database=db, schema=None, object_type="function", privileges=()),
    ]
    for reader in sorted(svc.readers):
        specs.append(
            DefaultPrivilegeSpec(name=f"{n}-default-reader-{reader}-tables", owner=owner,
                                 role=cfg.service(reader).login_role, database=db,
                                 schema=schema, object_type="table", privileges=READ))
    return specs
