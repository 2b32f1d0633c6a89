"""Generated topologies: N services spread over databases, cycling through every SQL module,
with some declared readers. Used to measure bootstrap and verification at scale
(`python -m pgplatform_ops.bench.topology 100 --out Pulumi.topo100.yaml`)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from pgplatform import modules, paths, stack_config


def generate(services: int, *, host_port: int = 15470, per_database: int = 10,
             container_name: str | None = None, sql_root: Path | None = None
             ) -> dict[str, Any]:
    """Stack values (the `pgplatform:*` keys without prefix) for `services` services."""
    root = sql_root or paths.SQL_ROOT
    names = sorted(modules.available(root))
    n_db = max(1, -(-services // per_database))
    databases = [{"name": f"topo_db_{i:02d}", "extensions": ["vector"]} for i in range(n_db)]
    svcs: list[dict[str, Any]] = []
    for i in range(services):
        module = modules.load(root, names[i % len(names)])
        # Small limits: every login's limit must fit max_connections at once.
        svc: dict[str, Any] = {"name": f"topo_svc_{i:03d}",
                               "database": f"topo_db_{i // per_database:02d}",
                               "module": module.name, "connectionLimit": 4,
                               "readonlyConnectionLimit": 2}
        if module.schemas:  # schema-qualified SQL: its schemas, once per database
            svc["schemas"] = list(module.schemas)
        # Every fifth service is read by the next one in its database.
        if i % 5 == 0 and i + 1 < services and (i + 1) // per_database == i // per_database:
            svc["readers"] = [f"topo_svc_{i + 1:03d}"]
        svcs.append(svc)
    return {
        "server": {"image": "build", "hostPort": host_port, "memoryMb": 4096, "shmSizeMb": 512,
                   "allowVolumeDeletion": True,
                   "containerName": container_name or f"pgplatform-topo{services}",
                   "settings": {"max_connections": 10 * services + 100, "shared_buffers": "512MB",
                                "maintenance_work_mem": "256MB", "work_mem": "16MB",
                                "effective_cache_size": "2GB", "hnsw.ef_search": 100}},
        "databases": databases,
        "services": svcs,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pgplatform_ops.bench.topology",
                                     description=__doc__)
    parser.add_argument("services", type=int)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--port", type=int, default=15470)
    args = parser.parse_args(argv)
    stack_config.write_stack_file(args.out, generate(args.services, host_port=args.port))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
