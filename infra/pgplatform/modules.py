"""SQL service modules on disk: `sql/<module>/NNNN_<verb>_<object>.sql` (+ `.down.sql`) and
`module.toml` (extensions it needs, the performance indexes it declares with one query each).

No Pulumi here: the migration runner, the program and the verification suite all read modules
through this file.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pgplatform.hardening import GRANTABLE

MIGRATION_FILE = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")
MANIFEST = "module.toml"
FIXTURE = "fixture.sql"
# The marker earlier versions honoured inside SQL; a file still carrying it is refused, so no
# one believes it works (or that it is the way to get the admin's rights).
RETIRED_ADMIN_MARKER = "pgplatform:run-as=admin"


class ModuleError(ValueError):
    pass


@dataclass(frozen=True, kw_only=True)
class Migration:
    version: int
    name: str
    path: Path
    down_path: Path | None

    @property
    def id(self) -> str:
        return f"{self.version:04d}_{self.name}"

    @property
    def sql(self) -> str:
        return self.path.read_text()

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.path.read_bytes()).hexdigest()


@dataclass(frozen=True, kw_only=True)
class DeclaredIndex:
    name: str
    table: str
    method: str
    opclass: str | None
    query: str
    schema: str | None = None
    """Its schema, for a module whose service owns several; None means the primary one."""


@dataclass(frozen=True, kw_only=True)
class Module:
    name: str
    path: Path
    description: str
    extensions: tuple[str, ...]
    migrations: tuple[Migration, ...]
    indexes: tuple[DeclaredIndex, ...]
    admin_migrations: frozenset[int] = frozenset()
    """Versions whose up and down files run as the admin (`[admin]` in module.toml)."""
    admin_reason: str = ""
    """Why they need the admin: reviewed with the module, like config."""
    schemas: tuple[str, ...] = ()
    """The schemas its schema-qualified SQL writes to (`schemas` in module.toml), which a
    service running it must own, the first as its primary; empty for a module of unqualified
    names, which runs in whatever schema its service owns."""
    needs: frozenset[str] = frozenset()
    """Built-ins revoked from PUBLIC that its service's logins get back (`needs` in
    module.toml: notify, advisory_locks, large_objects, session_settings; see
    `pgplatform.hardening`)."""

    @property
    def required_schemas(self) -> frozenset[str]:
        """Every schema it names: its declared ones and those of its indexes."""
        return frozenset(self.schemas) | {i.schema for i in self.indexes if i.schema}

    @property
    def checksum(self) -> str:
        """One digest over every migration file (up and down): changes when any file does."""
        h = hashlib.sha256()
        for m in self.migrations:
            h.update(m.id.encode())
            h.update(m.checksum.encode())
            if m.down_path is not None:
                h.update(hashlib.sha256(m.down_path.read_bytes()).digest())
        return h.hexdigest()

    @property
    def fixture(self) -> Path | None:
        path = self.path / FIXTURE
        return path if path.is_file() else None


def available(root: Path) -> frozenset[str]:
    if not root.is_dir():
        return frozenset()
    return frozenset(
        p.name for p in root.iterdir()
        if p.is_dir() and any(MIGRATION_FILE.match(f.name) for f in p.iterdir())
    )


def _index(raw: Mapping[str, Any], where: str) -> DeclaredIndex:
    try:
        return DeclaredIndex(
            name=str(raw["name"]), table=str(raw["table"]), method=str(raw["method"]),
            opclass=str(raw["opclass"]) if raw.get("opclass") else None, query=str(raw["query"]),
            schema=str(raw["schema"]) if raw.get("schema") else None,
        )
    except KeyError as exc:
        raise ModuleError(f"{where}: [[index]] is missing key {exc.args[0]!r}") from exc


def load(root: Path, name: str) -> Module:
    path = root.resolve() / name
    if not path.is_dir():
        raise ModuleError(f"sql module {name!r}: no directory {path}")
    migrations: list[Migration] = []
    for f in sorted(path.iterdir()):
        m = MIGRATION_FILE.match(f.name)
        if not m:
            continue
        down = f.with_name(f.name[: -len(".sql")] + ".down.sql")
        migrations.append(Migration(version=int(m.group(1)), name=m.group(2), path=f,
                                    down_path=down if down.is_file() else None))
    versions = [m.version for m in migrations]
    if len(set(versions)) != len(versions):
        raise ModuleError(f"sql module {name!r}: two migration files share a version number")
    if not migrations:
        raise ModuleError(f"sql module {name!r}: no migration files NNNN_<name>.sql in {path}")
    manifest: dict[str, Any] = {}
    manifest_path = path / MANIFEST
    if manifest_path.is_file():
        try:
            manifest = tomllib.loads(manifest_path.read_text())
        except tomllib.TOMLDecodeError as exc:
            raise ModuleError(f"{manifest_path}: invalid TOML: {exc}") from exc
    for f in sorted(path.glob("*.sql")):
        if RETIRED_ADMIN_MARKER in f.read_text():
            raise ModuleError(f"{f}: carries {RETIRED_ADMIN_MARKER!r}, which is not honoured. "
                              f"Fix: remove it and list the migration under [admin] in "
                              f"{manifest_path} with the reason it needs the admin")
    admin_versions, reason = _admin(manifest, migrations, manifest_path)
    return Module(
        name=name,
        path=path,
        description=str(manifest.get("description", "")),
        extensions=tuple(manifest.get("extensions", ())),
        migrations=tuple(migrations),
        indexes=tuple(_index(i, str(manifest_path)) for i in manifest.get("index", ())),
        admin_migrations=admin_versions,
        admin_reason=reason,
        schemas=_schemas(manifest, manifest_path),
        needs=_needs(manifest, manifest_path),
    )


def _needs(manifest: Mapping[str, Any], where: Path) -> frozenset[str]:
    raw = manifest.get("needs", [])
    if not isinstance(raw, list) or not all(isinstance(n, str) for n in raw):
        raise ModuleError(f"{where}: needs must be a list of names among {sorted(GRANTABLE)}")
    unknown = sorted(set(raw) - GRANTABLE)
    if unknown:
        raise ModuleError(f"{where}: needs names {unknown}, which the platform does not give "
                          f"back. Fix: use names among {sorted(GRANTABLE)}")
    return frozenset(raw)


def _schemas(manifest: Mapping[str, Any], where: Path) -> tuple[str, ...]:
    raw = manifest.get("schemas", [])
    if not isinstance(raw, list) or not all(isinstance(s, str) and s for s in raw):
        raise ModuleError(f"{where}: schemas must be a list of schema names")
    return tuple(raw)


def _admin(manifest: Mapping[str, Any], migrations: list[Migration], where: Path
           ) -> tuple[frozenset[int], str]:
    """`[admin] migrations = ["NNNN_name", ...], reason = "..."`: the migrations that run as
    the admin (CREATE EXTENSION aside, which the program does), each by its full id."""
    raw = manifest.get("admin")
    if raw is None:
        return frozenset(), ""
    ids = raw.get("migrations") if isinstance(raw, Mapping) else None
    reason = raw.get("reason") if isinstance(raw, Mapping) else None
    if not isinstance(ids, list) or not ids or not all(isinstance(i, str) for i in ids):
        raise ModuleError(f"{where}: [admin].migrations must list migration ids "
                          "(e.g. \"0001_adopt_tables\")")
    if not isinstance(reason, str) or not reason.strip():
        raise ModuleError(f"{where}: [admin].reason must say why these migrations need the "
                          "admin's rights")
    by_id = {m.id: m.version for m in migrations}
    unknown = sorted(set(ids) - set(by_id))
    if unknown:
        raise ModuleError(f"{where}: [admin].migrations names {unknown}, which are not "
                          f"migrations of this module. Fix: use ids among {sorted(by_id)}")
    return frozenset(by_id[i] for i in ids), reason.strip()
