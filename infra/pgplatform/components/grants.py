"""pulumi-postgresql Grant / DefaultPrivileges resources from the access specs."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_postgresql as postgresql

from pgplatform.access import DefaultPrivilegeSpec, GrantSpec
from pgplatform.components.acl_chain import AclChain


@dataclass(frozen=True, kw_only=True)
class AclWriter:
    """Makes a component's ACL resources: its children, on its provider, chained by the
    catalog row they rewrite."""

    parent: pulumi.Resource
    provider: pulumi.ProviderResource
    chain: AclChain

    def _options(self, depends_on: Sequence[pulumi.Resource]) -> pulumi.ResourceOptions:
        return pulumi.ResourceOptions(parent=self.parent, provider=self.provider,
                                      depends_on=list(depends_on))

    def grant(self, spec: GrantSpec, depends_on: Sequence[pulumi.Resource] = ()
              ) -> postgresql.Grant:
        # objects=[]: every object of that type in the schema, now (not later ones).
        objects: list[str] | None = (
            [] if spec.object_type in ("table", "sequence", "function") else None)
        return self.chain.append(spec.catalog_row, self._options(depends_on),
                                 lambda opts: postgresql.Grant(
                                     spec.name, role=spec.role, database=spec.database,
                                     object_type=spec.object_type, schema=spec.schema,
                                     objects=objects, privileges=list(spec.privileges),
                                     opts=opts))

    def default_privileges(self, spec: DefaultPrivilegeSpec,
                           depends_on: Sequence[pulumi.Resource] = ()
                           ) -> postgresql.DefaultPrivileges:
        return self.chain.append(spec.catalog_row, self._options(depends_on),
                                 lambda opts: postgresql.DefaultPrivileges(
                                     spec.name, owner=spec.owner, role=spec.role,
                                     database=spec.database, schema=spec.schema,
                                     object_type=spec.object_type,
                                     privileges=list(spec.privileges), opts=opts))
