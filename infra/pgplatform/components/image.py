"""The PostgreSQL + pgvector image: pulled (pgvector/pgvector:pg17 by default) or built.

Both are a `RemoteImage` (upstream's `docker_image`): a built one carries a `build` block and
a trigger holding the digest of its build context, so an edited Dockerfile or entrypoint
replaces the image, and with it the containers that run its id."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import pulumi
import pulumi_docker as docker

from pgplatform import paths, resource_types

CONTEXT_TRIGGER = "context"


def context_digest(context: Path) -> str:
    """Every file of a build context, names and contents: changes when anything in it does."""
    h = hashlib.sha256()
    for path in sorted(p for p in context.rglob("*") if p.is_file()):
        h.update(str(path.relative_to(context)).encode())
        h.update(path.read_bytes())
    return h.hexdigest()


@dataclass(frozen=True, kw_only=True)
class PostgresImageArgs:
    image_name: str
    build: bool
    context: Path = paths.DOCKER_CONTEXT


class PostgresImage(pulumi.ComponentResource):
    ref: pulumi.Output[str]
    """What a container should run: the pulled or built image's id, which changes with the
    image (the built image's name is the constant tag)."""

    def __init__(self, name: str, args: PostgresImageArgs,
                 opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(resource_types.POSTGRES_IMAGE, name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        if args.build:
            # keep_locally: upstream deletes by name, and a replacement builds the new image
            # under the same name before it deletes the old resource; deleting would untag
            # the image the new container runs.
            built = docker.RemoteImage(
                f"{name}-build",
                name=args.image_name,
                build=docker.RemoteImageBuildArgs(context=str(args.context),
                                                  dockerfile="Dockerfile"),
                triggers={CONTEXT_TRIGGER: context_digest(args.context)},
                keep_locally=True,
                opts=child,
            )
            self.ref = built.image_id
        else:
            pulled = docker.RemoteImage(f"{name}-pull", name=args.image_name, keep_locally=True,
                                        opts=child)
            self.ref = pulled.image_id
        self.register_outputs({"ref": self.ref})
