"""Files a container gets when it is created (pulumi-docker's `uploads`), each with its mode:
the server, its replicas and the sidecars all receive their secrets and certificates this way."""

from __future__ import annotations

import pulumi
import pulumi_docker as docker


def upload(file: str, content: pulumi.Input[str], mode: str) -> docker.ContainerUploadArgs:
    return docker.ContainerUploadArgs(file=file, content=content, permissions=mode)
