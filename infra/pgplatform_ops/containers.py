"""Throwaway containers of the server's image (client tools, probes from another network).
The image declares its data directory a VOLUME, so each run gets an anonymous volume that
docker-py's `run(remove=True)` leaves behind; these are removed with their volumes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import docker.errors

import docker


def run_once(client: docker.DockerClient, image: str, *,
             progress: Callable[[str], None] | None = None,
             **create: Any) -> tuple[int, bytes, bytes]:
    """Create, start and wait for a container; its exit status, stdout and stderr. The
    container and its anonymous volumes are gone afterwards, whatever happened. An image that
    is not here is pulled, as `docker run` would. `progress` gets each line of its output as
    it comes (a long restore says where it is)."""
    try:
        container = client.containers.create(image, **create)
    except docker.errors.ImageNotFound:
        client.images.pull(image)
        container = client.containers.create(image, **create)
    try:
        container.start()
        if progress is not None:
            for line in container.logs(stream=True, follow=True):
                progress(bytes(line).decode(errors="replace").rstrip())
        code = int(container.wait()["StatusCode"])
        return (code, bytes(container.logs(stdout=True, stderr=False)),
                bytes(container.logs(stdout=False, stderr=True)))
    finally:
        container.remove(v=True, force=True)
