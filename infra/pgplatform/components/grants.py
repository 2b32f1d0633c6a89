"""pulumi-postgresql Grant / DefaultPrivileges resources from the access specs."""

from __future__ import annotations

from collections.abc import Sequence

import pulumi
import pulumi_postgresql as postgresql

from pgplatform.access import DefaultPrivilegeSpec, GrantSpec
from pgplatform.components.acl_chain import AclChain


def _options(parent: pulumi.Resource, provider: pulumi.ProviderResource,
             depends_on: Sequence[pulumi.Resource]) -> pulumi.ResourceOptions:
    return pulumi.ResourceOptions(parent=parent, provider=provider, depends_on=list(depends_on))


def grant(spec: GrantSpec, *, parent: pulumi.Resource, provider: pulumi.ProviderResource,
          chain: AclChain, depends_on: Sequence[pulumi.Resource] = ()) -> postgresql.Grant:
    return chain.append(spec.catalog_row, _options(parent, provider, depends_on),
                        lambda opts: postgresql.Grant(
                            spec.name, role=spec.role, database=spec.database,
                            object_type=spec.object_type, schema=spec.schema,
                            objects=[] if spec.object_type in ("table", "sequence") else None,
                            privileges=list(spec.privileges), opts=opts))


def default_privileges(
    spec: DefaultPrivilegeSpec, *, parent: pulumi.Resource, provider: pulumi.ProviderResource,
    chain: AclChain, depends_on: Sequence[pulumi.Resource] = (),
) -> postgresql.DefaultPrivileges:
    return chain.append(spec.catalog_row, _options(parent, provider, depends_on),
                        lambda opts: postgresql.DefaultPrivileges(
                            spec.name, owner=spec.owner, role=spec.role,
                            database=spec.database, schema=spec.schema,
                            object_type=spec.object_type, privileges=list(spec.privileges),
                            opts=opts))
