"""A managed database: the database, its `extensions` schema and extensions, PUBLIC fenced out."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_postgresql as postgresql

from pgplatform import resource_types
from pgplatform.access import GrantSpec
from pgplatform.components.acl_chain import AclChain
from pgplatform.components.grants import AclWriter
from pgplatform.model import EXTENSIONS_SCHEMA, DatabaseConfig


@dataclass(frozen=True, kw_only=True)
class ManagedDatabaseArgs:
    database: DatabaseConfig
    admin_user: str
    public_revokes: Sequence[GrantSpec]
    provider: pulumi.ProviderResource
    chain: AclChain
    owners: Sequence[pulumi.Resource]
    """Roles owning objects in this database: on destroy the database goes first, so the
    roles' objects (and default ACLs) are gone before the roles are dropped."""
    keep_data: bool
    after: Sequence[pulumi.Resource] = ()
    """What must precede the database itself (the placement guard, the parking of retained
    data)."""


class ManagedDatabase(pulumi.ComponentResource):
    """Built in two steps: the database first, its contents (`populate`) once whatever must
    happen between the two has been declared (the adoption of retained data, which needs every
    database and role of the stack)."""

    database: postgresql.Database
    extensions_schema: postgresql.Schema
    extensions: list[postgresql.Extension]
    ready: list[pulumi.Resource]
    """What a service in this database waits for before creating its schema and grants."""

    def __init__(self, name: str, args: ManagedDatabaseArgs,
                 opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(resource_types.MANAGED_DATABASE, name, None, opts)
        self._name, self._args = name, args
        self.database = postgresql.Database(
            f"{name}-database", name=args.database.name, owner=args.admin_user,
            opts=pulumi.ResourceOptions(parent=self, provider=args.provider,
                                        depends_on=[*args.owners, *args.after],
                                        retain_on_delete=args.keep_data))

    def populate(self, after: Sequence[pulumi.Resource]) -> None:
        name, args = self._name, self._args
        # Where data is kept, tables with `vector` columns outlive `destroy`: upstream's
        # `DROP EXTENSION ... RESTRICT` would fail on them, so the extension and its schema
        # are kept with them (and adopted again by `CREATE EXTENSION IF NOT EXISTS` and the
        # schema's existing-schema path on the next `up`).
        child = pulumi.ResourceOptions(parent=self, provider=args.provider,
                                       retain_on_delete=args.keep_data,
                                       depends_on=[self.database, *after])
        self.extensions_schema = postgresql.Schema(
            f"{name}-extensions-schema", name=EXTENSIONS_SCHEMA, database=self.database.name,
            owner=args.admin_user, opts=child)
        self.extensions = [
            postgresql.Extension(
                f"{name}-ext-{ext}", name=ext, database=self.database.name,
                schema=self.extensions_schema.name,
                opts=pulumi.ResourceOptions.merge(child, pulumi.ResourceOptions(
                    depends_on=[self.extensions_schema])))
            for ext in args.database.extensions
        ]
        acl = AclWriter(parent=self, provider=args.provider, chain=args.chain)
        revokes = [acl.grant(spec, [self.database, self.extensions_schema, *after])
                   for spec in args.public_revokes]
        self.ready = [self.database, self.extensions_schema, *self.extensions, *revokes, *after]
        self.register_outputs({"name": self.database.name})
