"""A service's schemas and access: the schemas owned by its owner role, grants and default
privileges for its identities and declared readers, and its SQL bootstrap."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pulumi
import pulumi_postgresql as postgresql

from pgplatform import access, modules, resource_types
from pgplatform.access import DefaultPrivilegeSpec, GrantSpec
from pgplatform.components.acl_chain import AclChain
from pgplatform.components.bootstrap import SchemaBootstrap, SchemaBootstrapArgs
from pgplatform.components.grants import AclWriter
from pgplatform.components.identity import Identity
from pgplatform.components.lifecycle import ServiceRetirement
from pgplatform.model import PUBLIC_SCHEMA, ServiceConfig


@dataclass(frozen=True, kw_only=True)
class ServiceAccessArgs:
    service: ServiceConfig
    identity: Identity
    reader_identities: Sequence[Identity]
    grants: Sequence[GrantSpec]
    default_privileges: Sequence[DefaultPrivilegeSpec]
    database_ready: Sequence[pulumi.Resource]
    admin_dsn: pulumi.Input[str]
    """Admin DSN of the service's database: the bootstrap keeps the migration bookkeeping and
    runs the migrations the module declares as the admin's with it."""
    migrator_dsn: pulumi.Input[str]
    """The migrator's DSN: every other migration runs through it."""
    ca_cert: pulumi.Input[str]
    sql_root: Path
    provider: pulumi.ProviderResource
    chain: AclChain
    keep_data: bool
    after: Sequence[pulumi.Resource] = ()
    """What its schemas wait for (the service taking `public` waits for the bootstraps of its
    database's other services)."""


class ServiceAccess(pulumi.ComponentResource):
    schemas: list[postgresql.Schema]
    bootstrap: SchemaBootstrap

    def __init__(self, name: str, args: ServiceAccessArgs,
                 opts: pulumi.ResourceOptions | None = None) -> None:
        svc = args.service
        # The model's view of the service, visible to policy packs (declared readers included).
        model = {"service": svc.name, "database": svc.database, "schemas": list(svc.schemas),
                 "ownerRole": svc.owner_role, "loginRole": svc.login_role,
                 "migratorRole": svc.migrator_role, "readonlyRole": svc.readonly_role,
                 "readers": sorted(svc.readers)}
        super().__init__(resource_types.SERVICE_ACCESS, name, model, opts)
        after_roles: list[pulumi.Resource] = [*args.database_ready, *args.identity.roles]
        if not args.keep_data:
            # Deleted after the schemas and before the roles, it clears what the roles still
            # own in this database, so that removing the service can drop them; and before
            # the database's extensions, which `DROP EXTENSION ... RESTRICT` (upstream) cannot
            # drop while the tables of a retained `public` still use them.
            after_roles.append(ServiceRetirement(
                f"{name}-retirement", args.admin_dsn, args.ca_cert, svc.database, svc.name,
                list(svc.roles),
                pulumi.ResourceOptions(parent=self, depends_on=[*args.identity.roles,
                                                                *args.database_ready])))
        after_roles += args.after
        self.schemas = [
            postgresql.Schema(
                access.per_schema(f"{name}-schema", svc, schema),
                name=schema, database=svc.database, owner=args.identity.role["owner"].name,
                # Only a stack that may lose its data lets `destroy` drop a non-empty schema.
                drop_cascade=not args.keep_data,
                opts=pulumi.ResourceOptions(
                    parent=self, provider=args.provider, depends_on=after_roles,
                    # `public` belongs to the database, which fences PUBLIC out of it
                    # (access.database_grants): upstream's delete would DROP it under that
                    # revoke. The retirement hands it back to pg_database_owner instead.
                    retain_on_delete=args.keep_data or schema == PUBLIC_SCHEMA))
            for schema in svc.schemas
        ]
        roles = [r for ident in (args.identity, *args.reader_identities) for r in ident.roles]
        before = [*self.schemas, *roles]
        acl = AclWriter(parent=self, provider=args.provider, chain=args.chain)
        pre = [acl.grant(s, before) for s in args.grants if not s.after_bootstrap]
        defaults = [acl.default_privileges(s, before) for s in args.default_privileges]
        self.bootstrap = SchemaBootstrap(
            f"{name}-bootstrap",
            SchemaBootstrapArgs(
                admin_dsn=args.admin_dsn, migrator_dsn=args.migrator_dsn, ca_cert=args.ca_cert,
                service=svc.name, schemas=svc.schemas,
                owner_role=svc.owner_role, module=modules.load(args.sql_root, svc.module),
                sql_root=args.sql_root),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[*before, *pre, *defaults]),
        )
        for s in args.grants:
            if s.after_bootstrap:
                acl.grant(s, [*before, self.bootstrap])
        # Stack policies see a component's registered outputs, not its inputs: the model's
        # plain names, known in the preview of a new service too (a Schema's name output is
        # unknown until it exists, and a policy that meets an unknown value does not run).
        self.register_outputs(model)
