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

MIGRATION_FILE = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")
MANIFEST = "module.toml"
FIXTURE = "fixture.sql"


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


@dataclass(frozen=True, kw_only=True)
class Module:
    name: str
    path: Path
    description: str
    extensions: tuple[str, ...]
    migrations: tuple[Migration, ...]
    indexes: tuple[DeclaredIndex, ...]

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
    return Module(
        name=name,
        path=path,
        description=str(manifest.get("description", "")),
        extensions=tuple(manifest.get("extensions", ())),
        migrations=tuple(migrations),
        indexes=tuple(_index(i, str(manifest_path)) for i in manifest.get("index", ())),
    )
