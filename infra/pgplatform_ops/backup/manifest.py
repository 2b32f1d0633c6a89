"""`manifest.json` of a backup set: what was taken, from where, and how to know the files are
the ones taken."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

NAME = "manifest.json"


class ManifestError(ValueError):
    pass


@dataclass(frozen=True, kw_only=True)
class Migration:
    version: int
    name: str
    checksum: str
    applied_at: str
    duration_ms: int


@dataclass(frozen=True, kw_only=True)
class ServiceBackup:
    file: str
    sha256: str
    bytes: int
    database: str
    schemas: list[str]
    rows: dict[str, int]
    """Rows per table (`schema.table`) when taken."""
    migrations: list[Migration] = field(default_factory=list)
    """The service's rows of the migration bookkeeping when taken."""


@dataclass(frozen=True, kw_only=True)
class Manifest:
    stack: str
    taken_at: str
    server_version: str
    services: dict[str, ServiceBackup]
    databases: dict[str, Any] = field(default_factory=dict)

    def write(self, directory: Path) -> Path:
        path = directory / NAME
        path.write_text(json.dumps(asdict(self), indent=2, sort_keys=True) + "\n")
        return path


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def read(directory: Path) -> Manifest:
    path = directory / NAME
    if not path.is_file():
        raise ManifestError(f"restore: {path} not found. Fix: pass the directory "
                            "`scripts/backup --to` wrote")
    try:
        raw = json.loads(path.read_text())
        services = {
            name: ServiceBackup(**{**s, "migrations": [Migration(**m)
                                                       for m in s.get("migrations", [])]})
            for name, s in raw["services"].items()}
        return Manifest(stack=raw["stack"], taken_at=raw["taken_at"],
                        server_version=raw["server_version"], services=services,
                        databases=raw.get("databases", {}))
    except (json.JSONDecodeError, KeyError, TypeError) as exc:
        raise ManifestError(f"restore: {path} is not a backup manifest ({exc})") from exc


def verified_file(directory: Path, service: str, entry: ServiceBackup) -> Path:
    """The service's dump, refused unless its checksum and size are the manifest's."""
    path = directory / entry.file
    if path.parent != directory or not path.is_file():
        raise ManifestError(f"restore: {service}: {entry.file} is missing from {directory}")
    digest = sha256(path)
    if digest != entry.sha256 or path.stat().st_size != entry.bytes:
        raise ManifestError(f"restore: {service}: {path} does not match the manifest (sha256 "
                            f"{digest}, manifest {entry.sha256}): refusing a damaged or "
                            "altered file")
    return path
