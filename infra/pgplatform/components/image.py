"""The PostgreSQL + pgvector image: pulled (pgvector/pgvector:pg17 by default) or built."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pulumi
import pulumi_docker as docker

from pgplatform import paths, resource_types


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
            built = docker.Image(
                f"{name}-build",
                image_name=args.image_name,
                build=docker.DockerBuildArgs(context=str(args.context),
                                             dockerfile=str(args.context / "Dockerfile")),
                skip_push=True,
                opts=child,
            )
            # For an image that is not pushed, repo_digest is the local image id.
            self.ref = built.repo_digest
        else:
            pulled = docker.RemoteImage(f"{name}-pull", name=args.image_name, keep_locally=True,
                                        opts=child)
            self.ref = pulled.image_id
        self.register_outputs({"ref": self.ref})
