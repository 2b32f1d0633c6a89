"""PostgreSQL's own client tools (pg_dump, pg_restore, psql) run from the server's image, so
they are the server's version whatever the host has: a throwaway container on the host's
network reaching the published port like any client (TLS verify-full against the stack's CA,
from the gateway pg_hba admits), the password in its environment, never on a command line."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path

from psycopg.conninfo import conninfo_to_dict, make_conninfo

import docker
from pgplatform_ops import containers, images
from pgplatform_ops.stack import DeployedStack

WORK = "/backup"
CA = "/tls/ca.pem"


class ToolError(RuntimeError):
    pass


def run(deployed: DeployedStack, dsn: str, argv: Sequence[str], work: Path) -> str:
    """`argv` (its last argument the conninfo placeholder `{dsn}`) with `work` at /backup."""
    params = conninfo_to_dict(dsn)
    password = str(params.pop("password", "") or "")
    ca = Path(str(params.pop("sslrootcert")))
    conninfo = make_conninfo(**{k: str(v) for k, v in params.items()}, sslrootcert=CA)
    client = docker.from_env()
    s = deployed.cfg.server
    if s.is_external:
        # The PostgreSQL 17 client tools of the bundle's image dump and restore a managed
        # PostgreSQL 17 as well: kept, pulled, or (no registry) built from docker/ as a
        # container stack's image is.
        image_ref = images.ensure_image(client, s.image_name,
                                        log=lambda line: print(line, file=sys.stderr))
    else:
        image = client.containers.get(s.container_name).image
        if image is None or not image.id:
            raise ToolError(f"{argv[0]}: cannot tell the image of the server's container")
        image_ref = image.id
    code, out, err = containers.run_once(
        client, image_ref, entrypoint=[argv[0]],
        command=[a.replace("{dsn}", conninfo) for a in argv[1:]],
        network_mode="host", user=f"{os.getuid()}:{os.getgid()}",
        environment={"PGPASSWORD": password, "PGCONNECT_TIMEOUT": "15"},
        volumes={str(work.resolve()): {"bind": WORK, "mode": "rw"},
                 str(ca): {"bind": CA, "mode": "ro"}})
    if code != 0:
        raise ToolError(f"{argv[0]} failed (exit {code}): "
                        f"{err.decode(errors='replace').strip()}")
    return (out + err).decode(errors="replace")
