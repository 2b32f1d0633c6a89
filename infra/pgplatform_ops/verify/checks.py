"""Catalog checks: the live snapshot against the expected matrix. Each returns findings."""

from __future__ import annotations

from pgplatform.access import RoleSpec
from pgplatform.model import PlatformConfig
from pgplatform_ops.verify.catalog import (
    SEQUENCE_KIND,
    DatabaseRole,
    DatabaseSnapshot,
    DefaultEntry,
    DefaultKey,
    Membership,
    ObjectGrantee,
    ObjectKind,
    RoleAttrs,
    SchemaGrantee,
)
from pgplatform_ops.verify.expected import (
    NONE,
    ExpectedMatrix,
    Privs,
    SchemaRef,
    SchemaRole,
)
from pgplatform_ops.verify.findings import Finding, privs

_ROLE_FLAGS = ("superuser", "createrole", "createdb", "replication", "bypassrls")


def database_acl(m: ExpectedMatrix, actual: dict[DatabaseRole, set[str]], db: str,
                 role: str) -> list[Finding]:
    key = DatabaseRole(db, role)
    want, got = m.databases[key], frozenset(actual.get(key, ()))
    if want == got:
        return []
    return [Finding(kind="database privileges", object=f"database {db}", role=role,
                    expected=privs(want), actual=privs(got))]


def schema_acl(m: ExpectedMatrix, snap: DatabaseSnapshot, schema: str, role: str
               ) -> list[Finding]:
    if schema not in snap.schema_owner:
        return []  # a missing schema is reported once by schema_objects / ownership
    want = m.schemas[SchemaRole(snap.name, schema, role)]
    got = frozenset(snap.schemas.get(SchemaGrantee(schema, role), ()))
    if want == got:
        return []
    return [Finding(kind="schema privileges", object=f"schema {snap.name}.{schema}",
                    role=role, expected=privs(want), actual=privs(got))]


def foreign_grantees(m: ExpectedMatrix, snap: DatabaseSnapshot,
                     databases: dict[DatabaseRole, set[str]], admin: str) -> list[Finding]:
    """Grantees on a managed database or schema that the model does not know."""
    known = set(m.roles) | {admin}
    out = [Finding(kind="unmodelled grantee", object=f"database {snap.name}", role=k.role,
                   expected="no privileges", actual=privs(p))
           for k, p in databases.items() if k.database == snap.name and k.role not in known]
    out += [Finding(kind="unmodelled grantee", object=f"schema {snap.name}.{k.schema}",
                    role=k.role, expected="no privileges", actual=privs(p))
            for k, p in snap.schemas.items() if k.role not in known]
    return out


def schema_objects(m: ExpectedMatrix, snap: DatabaseSnapshot, schema: str) -> list[Finding]:
    """Ownership and exact ACL of every table, sequence and function of a service schema."""
    db = snap.name
    owner = m.schema_owner[SchemaRef(db, schema)]
    out: list[Finding] = []
    if schema not in snap.schema_owner:
        return [Finding(kind="missing schema", object=f"schema {db}.{schema}", role=owner,
                        expected="present", actual="absent")]
    if snap.schema_owner[schema] != owner:
        out.append(Finding(kind="schema owner", object=f"schema {db}.{schema}", role="",
                           expected=owner, actual=snap.schema_owner[schema]))
    grantees = {g.role for g in snap.relation_acl if g.schema == schema}
    grantees |= {g.role for g in snap.function_acl if g.schema == schema}
    roles = sorted((grantees | set(m.roles)) - {owner})
    for obj, rel in sorted(snap.relations.items()):
        if obj.schema != schema:
            continue
        # The snapshot holds only relations of TABLE_KINDS and SEQUENCE_KIND.
        kind: ObjectKind = "sequence" if rel.relkind == SEQUENCE_KIND else "table"
        out += _object(f"{kind} {db}.{schema}.{obj.name}", owner, rel.owner, roles,
                       m.objects(kind), snap.relation_acl, SchemaRef(db, schema), obj.name)
    for obj, fn_owner in sorted(snap.functions.items()):
        if obj.schema != schema:
            continue
        out += _object(f"function {db}.{obj.name}", owner, fn_owner, roles,
                       m.functions, snap.function_acl, SchemaRef(db, schema), obj.name)
    return out


def _object(label: str, owner: str, actual_owner: str, roles: list[str],
            expected: dict[SchemaRole, Privs], actual: dict[ObjectGrantee, set[str]],
            where: SchemaRef, name: str) -> list[Finding]:
    out = []
    if actual_owner != owner:
        out.append(Finding(kind="object owner", object=label, role="", expected=owner,
                           actual=actual_owner))
    for role in roles:
        w = expected.get(SchemaRole(where.database, where.schema, role), NONE)
        g = frozenset(actual.get(ObjectGrantee(where.schema, name, role), set()))
        if w != g:
            out.append(Finding(kind="object privileges", object=label, role=role,
                               expected=privs(w), actual=privs(g)))
    return out


def default_privileges(m: ExpectedMatrix, snap: DatabaseSnapshot) -> list[Finding]:
    db = snap.name
    want = {k.default: v for k, v in m.defaults.items() if k.database == db}
    owners = {k.owner for k in want}
    actual = {k: frozenset(v) for k, v in snap.defaults.items() if k.owner in owners}
    for owner in owners:
        # Without a database-wide entry, functions fall back to the built-in PUBLIC EXECUTE.
        if DefaultEntry(owner, "-", "f") not in snap.default_entries:
            actual[DefaultKey(owner, "-", "f", "public")] = frozenset({"EXECUTE"})
    out = []
    for key in sorted(set(want) | set(actual)):
        w, a = want.get(key, NONE), actual.get(key, NONE)
        if w != a:
            where = "database-wide" if key.schema == "-" else f"in schema {key.schema}"
            out.append(Finding(kind="default privileges",
                               object=f"{db}: objects of type {key.objtype} created by "
                                      f"{key.owner} {where}",
                               role=key.role, expected=privs(w), actual=privs(a)))
    return out


def role_attributes(spec: RoleSpec, roles: dict[str, RoleAttrs]) -> list[Finding]:
    """The role exists with exactly the attributes and settings the model gives it."""
    name = spec.name
    attrs = roles.get(name)
    if attrs is None:
        return [Finding(kind="missing role", object=f"role {name}", role=name,
                        expected="present", actual="absent")]
    out = []
    for flag in _ROLE_FLAGS:
        want = flag == "replication" and spec.replication
        if getattr(attrs, flag) != want:
            out.append(Finding(kind="role attribute", object=f"role {name}", role=name,
                               expected=flag.upper() if want else f"NO{flag.upper()}",
                               actual=flag.upper() if getattr(attrs, flag)
                               else f"NO{flag.upper()}"))
    for what, want, got in (("LOGIN", spec.login, attrs.login),
                            ("INHERIT", spec.inherit, attrs.inherit)):
        if want != got:
            out.append(Finding(kind="role attribute", object=f"role {name}", role=name,
                               expected=what if want else f"NO{what}",
                               actual=what if got else f"NO{what}"))
    if spec.login and attrs.connection_limit != spec.connection_limit:
        out.append(Finding(kind="role attribute", object=f"role {name}", role=name,
                           expected=f"CONNECTION LIMIT {spec.connection_limit}",
                           actual=f"CONNECTION LIMIT {attrs.connection_limit}"))
    # search_path aside (its text depends on quoting), every setting the model names and no
    # other that changes what the role may do.
    got_settings = {k: v for k, v in attrs.settings.items() if k != "search_path"}
    for key in sorted(set(spec.settings) | set(got_settings)):
        want_v, got_v = spec.settings.get(key), got_settings.get(key)
        if want_v != got_v:
            out.append(Finding(kind="role setting", object=f"role {name}", role=name,
                               expected=f"{key}={want_v}" if want_v else f"no {key}",
                               actual=f"{key}={got_v}" if got_v else f"no {key}"))
    return out


def unmanaged_roles(cfg: PlatformConfig, roles: dict[str, RoleAttrs]) -> list[Finding]:
    known = set(cfg.roles)
    known.add(cfg.server.admin_user)
    if cfg.server.external is not None:
        known.update(cfg.server.external.provider_roles)
    return [Finding(kind="unmanaged role", object=f"role {name}", role=name,
                    expected="only roles of the model"
                    + (" and server.providerRoles" if cfg.server.is_external else ""),
                    actual="role exists")
            for name in sorted(set(roles) - known)]


def memberships(specs: tuple[RoleSpec, ...], members: set[Membership], *,
                external_admin: str | None = None, self_grant: str = "") -> list[Finding]:
    """Exactly the memberships of the model (each migrator in its owner role: SET, not
    INHERIT, not ADMIN), nothing else.

    On an external server the admin created every role with CREATEROLE, so PostgreSQL 16+
    made it a member of each with ADMIN OPTION only, plus a membership with the options of
    the server's `createrole_self_grant` (`self_grant`) if set; a membership the
    provider's temporary grants (withRolesGranted) left behind is a finding. Memberships among
    roles outside the model (the admin's in pg_monitor, the provider's own) are the
    provider's."""
    want = {Membership(role, s.name, inherit=s.inherit, set=True, admin=False)
            for s in specs for role in s.member_of}
    if external_admin is not None:
        ours = {s.name for s in specs}
        opts = {o.strip().lower() for o in self_grant.split(",") if o.strip()}
        for role in ours:
            want.add(Membership(role, external_admin, inherit=False, set=False, admin=True))
            if opts:
                want.add(Membership(role, external_admin, inherit="inherit" in opts,
                                    set="set" in opts, admin=False))
        members = {m for m in members if m.role in ours or m.member in ours}
    out = [Finding(kind="role membership", object=f"role {m.role}", role=m.member,
                   expected="no membership",
                   actual=f"{m.member} is a member of {m.role} ({_options(m)})")
           for m in sorted(members - want)]
    out += [Finding(kind="role membership", object=f"role {m.role}", role=m.member,
                    expected=f"{m.member} is a member of {m.role} ({_options(m)})",
                    actual="not that membership")
            for m in sorted(want - members)]
    return out


def _options(m: Membership) -> str:
    return ", ".join(f"{k} {'TRUE' if v else 'FALSE'}"
                     for k, v in (("INHERIT", m.inherit), ("SET", m.set), ("ADMIN", m.admin)))
