"""Catalog checks: the live snapshot against the expected matrix. Each returns findings."""

from __future__ import annotations

from collections.abc import Callable

from pgplatform.config import PlatformConfig, ServiceConfig
from pgplatform.verify.catalog import DatabaseSnapshot, RoleAttrs
from pgplatform.verify.expected import NONE, SEQUENCE_KIND, TABLE_KINDS, ExpectedMatrix, Privs
from pgplatform.verify.findings import Finding, privs

_ROLE_FLAGS = ("superuser", "createrole", "createdb", "replication", "bypassrls")


def database_acl(m: ExpectedMatrix, actual: dict[tuple[str, str], set[str]], db: str,
                 role: str) -> list[Finding]:
    want, got = m.databases[(db, role)], frozenset(actual.get((db, role), ()))
    if want == got:
        return []
    return [Finding(kind="database privileges", object=f"database {db}", role=role,
                    expected=privs(want), actual=privs(got))]


def schema_acl(m: ExpectedMatrix, snap: DatabaseSnapshot, schema: str, role: str
               ) -> list[Finding]:
    if schema not in snap.schema_owner:
        return []  # a missing schema is reported once by schema_objects / ownership
    want = m.schemas[(snap.name, schema, role)]
    got = frozenset(snap.schemas.get((schema, role), ()))
    if want == got:
        return []
    return [Finding(kind="schema privileges", object=f"schema {snap.name}.{schema}",
                    role=role, expected=privs(want), actual=privs(got))]


def foreign_grantees(m: ExpectedMatrix, snap: DatabaseSnapshot,
                     databases: dict[tuple[str, str], set[str]], admin: str) -> list[Finding]:
    """Grantees on a managed database or schema that the model does not know."""
    known = set(m.roles) | {admin}
    out = [Finding(kind="unmodelled grantee", object=f"database {snap.name}", role=role,
                   expected="no privileges", actual=privs(p))
           for (db, role), p in databases.items() if db == snap.name and role not in known]
    out += [Finding(kind="unmodelled grantee", object=f"schema {snap.name}.{schema}",
                    role=role, expected="no privileges", actual=privs(p))
            for (schema, role), p in snap.schemas.items() if role not in known]
    return out


def schema_objects(m: ExpectedMatrix, snap: DatabaseSnapshot, schema: str) -> list[Finding]:
    """Ownership and exact ACL of every table, sequence and function of a service schema."""
    db = snap.name
    owner = m.schema_owner[(db, schema)]
    out: list[Finding] = []
    if schema not in snap.schema_owner:
        return [Finding(kind="missing schema", object=f"schema {db}.{schema}", role=owner,
                        expected="present", actual="absent")]
    if snap.schema_owner[schema] != owner:
        out.append(Finding(kind="schema owner", object=f"schema {db}.{schema}", role="",
                           expected=owner, actual=snap.schema_owner[schema]))
    grantees = {r for (nsp, _, r) in snap.relation_acl if nsp == schema}
    grantees |= {r for (nsp, _, r) in snap.function_acl if nsp == schema}
    roles = sorted((grantees | set(m.roles)) - {owner})
    for (nsp, rel), (kind, rel_owner) in sorted(snap.relations.items()):
        if nsp == schema:
            table = m.tables if kind in TABLE_KINDS else m.sequences
            out += _object(
                f"{'sequence' if kind == SEQUENCE_KIND else 'table'} {db}.{schema}.{rel}",
                owner, rel_owner, roles, lambda r, t=table: t.get((db, schema, r), NONE),
                lambda r, rel=rel: snap.relation_acl.get((schema, rel, r), set()))
    for (nsp, fn), fn_owner in sorted(snap.functions.items()):
        if nsp == schema:
            out += _object(f"function {db}.{fn}", owner, fn_owner, roles,
                           lambda r: m.functions.get((db, schema, r), NONE),
                           lambda r, fn=fn: snap.function_acl.get((schema, fn, r), set()))
    return out


def _object(obj: str, owner: str, actual_owner: str, roles: list[str],
            want: Callable[[str], Privs], got: Callable[[str], set[str]]) -> list[Finding]:
    out = []
    if actual_owner != owner:
        out.append(Finding(kind="object owner", object=obj, role="", expected=owner,
                           actual=actual_owner))
    for role in roles:
        w, g = want(role), frozenset(got(role))
        if w != g:
            out.append(Finding(kind="object privileges", object=obj, role=role,
                               expected=privs(w), actual=privs(g)))
    return out


def default_privileges(m: ExpectedMatrix, snap: DatabaseSnapshot) -> list[Finding]:
    db = snap.name
    owners = {o for (d, o, *_rest) in m.defaults if d == db}
    actual = {k: frozenset(v) for k, v in snap.defaults.items() if k[0] in owners}
    for owner in owners:
        # Without a database-wide entry, functions fall back to the built-in PUBLIC EXECUTE.
        if (owner, "-", "f") not in snap.default_entries:
            actual[(owner, "-", "f", "public")] = frozenset({"EXECUTE"})
    want = {k[1:]: v for k, v in m.defaults.items() if k[0] == db}
    out = []
    for key in sorted(set(want) | set(actual)):
        w, a = want.get(key, NONE), actual.get(key, NONE)
        if w != a:
            owner, schema, kind, role = key
            where = "database-wide" if schema == "-" else f"in schema {schema}"
            out.append(Finding(kind="default privileges",
                               object=f"{db}: objects of type {kind} created by {owner} {where}",
                               role=role, expected=privs(w), actual=privs(a)))
    return out


def role_attributes(svc: ServiceConfig, roles: dict[str, RoleAttrs]) -> list[Finding]:
    out = []
    for name, login in ((svc.owner_role, False), (svc.login_role, True)):
        attrs = roles.get(name)
        if attrs is None:
            out.append(Finding(kind="missing role", object=f"role {name}", role=name,
                               expected="present", actual="absent"))
            continue
        for flag in _ROLE_FLAGS:
            if getattr(attrs, flag):
                out.append(Finding(kind="role attribute", object=f"role {name}", role=name,
                                   expected=f"NO{flag.upper()}", actual=flag.upper()))
        if attrs.login != login:
            out.append(Finding(kind="role attribute", object=f"role {name}", role=name,
                               expected="LOGIN" if login else "NOLOGIN",
                               actual="LOGIN" if attrs.login else "NOLOGIN"))
    return out


def unmanaged_roles(cfg: PlatformConfig, roles: dict[str, RoleAttrs]) -> list[Finding]:
    known = {r for s in cfg.services for r in (s.owner_role, s.login_role)}
    known.add(cfg.server.admin_user)
    return [Finding(kind="unmanaged role", object=f"role {name}", role=name,
                    expected="only roles of the model", actual="role exists")
            for name in sorted(set(roles) - known)]


def memberships(cfg: PlatformConfig, members: set[tuple[str, str]]) -> list[Finding]:
    # The model grants no role memberships at all.
    return [Finding(kind="role membership", object=f"role {role}", role=member,
                    expected="no membership", actual=f"{member} is a member of {role}")
            for role, member in sorted(members)]
