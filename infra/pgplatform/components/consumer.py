"""A consumer's access: read-only grants on the schemas of the services it reads, now and
(default privileges) for what their owners create later."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi

from pgplatform import resource_types
from pgplatform.access import DefaultPrivilegeSpec, GrantSpec
from pgplatform.components.acl_chain import AclChain
from pgplatform.components.grants import AclWriter
from pgplatform.components.identity import Identity
from pgplatform.model import ConsumerConfig


@dataclass(frozen=True, kw_only=True)
class ConsumerAccessArgs:
    consumer: ConsumerConfig
    schemas: Sequence[str]
    identity: Identity
    grants: Sequence[GrantSpec]
    default_privileges: Sequence[DefaultPrivilegeSpec]
    services_ready: Sequence[pulumi.Resource]
    """The schemas and bootstraps of the services it reads: the existing tables it is
    granted SELECT on are the ones their migrations made."""
    provider: pulumi.ProviderResource
    chain: AclChain


class ConsumerAccess(pulumi.ComponentResource):
    def __init__(self, name: str, args: ConsumerAccessArgs,
                 opts: pulumi.ResourceOptions | None = None) -> None:
        c = args.consumer
        model = {"consumer": c.name, "database": c.database, "loginRole": c.login_role,
                 "reads": list(c.reads), "schemas": list(args.schemas)}
        super().__init__(resource_types.CONSUMER_ACCESS, name, model, opts)
        acl = AclWriter(parent=self, provider=args.provider, chain=args.chain)
        before = [*args.identity.roles, *args.services_ready]
        for spec in args.grants:
            acl.grant(spec, before)
        for default in args.default_privileges:
            acl.default_privileges(default, before)
        self.register_outputs(model)
