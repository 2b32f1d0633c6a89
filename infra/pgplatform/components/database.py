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


class ManagedDatabase(pulumi.ComponentResource):
    database: postgresql.Database
    extensions_schema: postgresql.Schema
    extensions: list[postgresql.Extension]
    ready: list[pulumi.Resource]
    """What a service in this database waits for before creating its schema and grants."""

    def __init__(self, name: str, args: ManagedDatabaseArgs,
                 opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(resource_types.MANAGED_DATABASE, name, None, opts)
        db = args.database
        child = pulumi.ResourceOptions(parent=self, provider=args.provider)
        self.database = postgresql.Database(
            f"{name}-database", name=db.name, owner=args.admin_user,
            opts=pulumi.ResourceOptions.merge(child, pulumi.ResourceOptions(
                depends_on=list(args.owners), retain_on_delete=args.keep_data)))
        self.extensions_schema = postgresql.Schema(
            f"{name}-extensions-schema", name=EXTENSIONS_SCHEMA, database=self.database.name,
            owner=args.admin_user, opts=child)
        self.extensions = [
            postgresql.Extension(
                f"{name}-ext-{ext}", name=ext, database=self.database.name,
                schema=self.extensions_schema.name,
                opts=pulumi.ResourceOptions.merge(child, pulumi.ResourceOptions(
                    depends_on=[self.extensions_schema])))
            for ext in db.extensions
        ]
        acl = AclWriter(parent=self, provider=args.provider, chain=args.chain)
        revokes = [acl.grant(spec, [self.database, self.extensions_schema])
                   for spec in args.public_revokes]
        self.ready = [self.database, self.extensions_schema, *self.extensions, *revokes]
        self.register_outputs({"name": self.database.name})
