"""Backup sets under a root (`scripts/backup STACK --root ROOT`): one directory per set in
ROOT/<stack>/, and each database's dumps kept in its `backup.keep` newest sets (the model's
`databases[].backup`, by priority): older sets lose that database's files, and a set left with
nothing is removed."""

from __future__ import annotations

import datetime
import shutil
from dataclasses import replace
from pathlib import Path

from pgplatform.model import PlatformConfig
from pgplatform.progress import Log
from pgplatform_ops.backup import manifest


def new_set(root: Path, stack: str, now: datetime.datetime) -> Path:
    return root / stack / now.strftime("%Y%m%dT%H%M%S%fZ")


def prune(stack_root: Path, cfg: PlatformConfig, log: Log) -> list[Path]:
    """Apply each database's `keep`; the files removed."""
    sets = sorted(((manifest.read(d), d) for d in stack_root.iterdir()
                   if (d / manifest.NAME).is_file()),
                  key=lambda found: found[0].taken_at, reverse=True)
    removed: list[Path] = []
    for db in cfg.databases:
        holding = [(m, d) for m, d in sets
                   if any(e.database == db.name for e in m.services.values())]
        for m, d in holding[db.backup.keep:]:
            gone = {name for name, e in m.services.items() if e.database == db.name}
            for name in sorted(gone):
                path = d / m.services[name].file
                path.unlink(missing_ok=True)
                removed.append(path)
            pruned = replace(m, services={n: e for n, e in m.services.items() if n not in gone})
            pruned.write(d)
            sets = [(pruned if s is m else s, dd) for s, dd in sets]
            log(f"backup: {d.name}: dropped {db.name} ({db.backup.priority}, keep "
                f"{db.backup.keep}): {', '.join(sorted(gone))}")
    for m, d in sets:
        if not m.services:
            shutil.rmtree(d)
            removed.append(d)
            log(f"backup: removed set {d.name}: nothing left to keep")
    return removed
