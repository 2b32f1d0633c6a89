"""pulumi-docker resources applied through the Docker Engine API, with the upstream
provider's documented semantics (kreuzwerker/terraform-provider-docker)."""

from __future__ import annotations

import hashlib
import io
import json
import tarfile
import time
from pathlib import Path
from typing import Any

import docker.errors

import docker
from harness import images
from pgplatform.paths import DOCKER_CONTEXT
from pgplatform.progress import Log

FINGERPRINT_LABEL = "pgplatform.harness.fingerprint"


def _duration_ns(text: str | None, default_s: float) -> int:
    if not text:
        return int(default_s * 1e9)
    units = {"ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}
    for unit in ("ms", "s", "m", "h"):
        if text.endswith(unit) and text[: -len(unit)].replace(".", "", 1).isdigit():
            return int(float(text[: -len(unit)]) * units[unit] * 1e9)
    raise ValueError(f"harness: unsupported duration {text!r}")


class DockerApplier:
    def __init__(self, log: Log) -> None:
        self.client = docker.from_env(timeout=300)
        self.log = log

    # -- images ------------------------------------------------------------------------------
    def build_image(self, inputs: dict[str, Any]) -> tuple[dict[str, Any], bool]:
        name = inputs["imageName"]
        build = inputs.get("build") or {}
        context = Path(build.get("context") or DOCKER_CONTEXT)
        before = self._image_id(name)
        image_id = images.build_image(
            self.client, context, name,
            dockerfile=Path(build.get("dockerfile") or context / "Dockerfile").name,
            build_args=build.get("args") or None, log=self.log)
        return {**inputs, "imageName": name, "repoDigest": "", "baseImageName": name,
                "context": str(context)}, image_id != before

    def remote_image(self, inputs: dict[str, Any]) -> tuple[dict[str, Any], bool]:
        name = inputs["name"]
        before = self._image_id(name)
        if before is None:
            try:
                self.client.images.pull(name)
                self.log(f"harness: pulled {name}")
            except docker.errors.APIError:
                # No registry: stand in with the same PostgreSQL + pgvector build from docker/.
                self.log(f"harness: cannot pull {name}; building it from {DOCKER_CONTEXT}")
                images.build_image(self.client, DOCKER_CONTEXT, name, log=self.log)
        image_id = self._image_id(name)
        assert image_id is not None
        return {**inputs, "imageId": image_id, "repoDigest": ""}, image_id != before

    def _image_id(self, name: str) -> str | None:
        try:
            return str(self.client.images.get(name).id)
        except docker.errors.ImageNotFound:
            return None

    # -- volume ------------------------------------------------------------------------------
    def volume(self, name: str, inputs: dict[str, Any]) -> tuple[dict[str, Any], bool]:
        vol_name = inputs.get("name") or name
        try:
            self.client.volumes.get(vol_name)
            changed = False
        except docker.errors.NotFound:
            self.client.volumes.create(vol_name, driver=inputs.get("driver") or "local")
            changed = True
        return {**inputs, "name": vol_name, "driver": inputs.get("driver") or "local",
                "mountpoint": ""}, changed

    def delete_volume(self, vol_name: str) -> None:
        try:
            self.client.volumes.get(vol_name).remove(force=True)
        except docker.errors.NotFound:
            pass

    # -- container ---------------------------------------------------------------------------
    def container(self, name: str, inputs: dict[str, Any], *, known: bool
                  ) -> tuple[dict[str, Any], bool]:
        """`known`: this stack's state already holds the container (else, like the upstream
        provider, a name already in use is a conflict, not something to take over)."""
        cname = inputs.get("name") or name
        fingerprint = hashlib.sha256(
            json.dumps(inputs, sort_keys=True, default=str).encode()).hexdigest()
        try:
            existing = self.client.containers.get(cname)
        except docker.errors.NotFound:
            existing = None
        if existing is not None and not known:
            raise RuntimeError(
                f"harness: container name {cname!r} is already in use by a container this "
                "stack's harness state does not know. Fix: remove it (docker rm -f "
                f"{cname}; its data volume too if that deploy is gone) or run `scripts/harness "
                "down` with the state that created it")
        if (existing is not None and existing.labels.get(FINGERPRINT_LABEL) == fingerprint
                and existing.status == "running"):
            return self._container_outputs(existing, inputs), False
        if existing is not None:
            self.log(f"harness: replacing container {cname}")
            existing.remove(force=True)
        container = self._create_container(cname, inputs, fingerprint)
        return self._container_outputs(container, inputs), True

    def _create_container(self, cname: str, inputs: dict[str, Any], fingerprint: str) -> Any:
        # Numbers arrive as floats (protobuf Struct); the Engine API wants integers.
        ports: dict[str, Any] = {f"{int(p['internal'])}/{p.get('protocol') or 'tcp'}":
                 (p.get("ip") or "0.0.0.0", int(p["external"]) if p.get("external") else None)
                 for p in inputs.get("ports", [])}
        volumes = {v["volumeName"]: {"bind": v["containerPath"],
                                     "mode": "ro" if v.get("readOnly") else "rw"}
                   for v in inputs.get("volumes", [])}
        hc = inputs.get("healthcheck")
        healthcheck = None
        if hc:
            healthcheck = {
                "test": hc["tests"],
                "interval": _duration_ns(hc.get("interval"), 0),
                "timeout": _duration_ns(hc.get("timeout"), 0),
                "retries": int(hc.get("retries") or 0),
                "start_period": _duration_ns(hc.get("startPeriod"), 0),
            }
        restart = inputs.get("restart") or "no"
        restart_policy: Any = {"Name": restart} if restart != "no" else None
        container = self.client.containers.create(
            inputs["image"],
            command=inputs.get("command"),
            name=cname,
            environment=inputs.get("envs") or [],
            ports=ports,
            volumes=volumes,
            shm_size=f"{int(inputs['shmSize'])}m" if inputs.get("shmSize") else None,
            mem_limit=f"{int(inputs['memory'])}m" if inputs.get("memory") else None,
            healthcheck=healthcheck,
            restart_policy=restart_policy,
            stop_signal=inputs.get("stopSignal"),
            labels={FINGERPRINT_LABEL: fingerprint},
            detach=True,
        )
        for upload in inputs.get("uploads", []):
            container.put_archive("/", self._tar(upload))
        container.start()
        if inputs.get("wait"):
            self._wait_healthy(container, float(inputs.get("waitTimeout") or 60))
        return container

    @staticmethod
    def _tar(upload: dict[str, Any]) -> bytes:
        data = (upload.get("content") or "").encode()
        buf = io.BytesIO()
        with tarfile.open(fileobj=buf, mode="w") as tar:
            info = tarfile.TarInfo(upload["file"].lstrip("/"))
            info.size = len(data)
            info.mode = int(upload.get("permissions") or "0644", 8)
            info.mtime = int(time.time())
            tar.addfile(info, io.BytesIO(data))
        return buf.getvalue()

    def _wait_healthy(self, container: Any, timeout_s: float) -> None:
        deadline = time.monotonic() + timeout_s
        while True:
            container.reload()
            health = container.attrs["State"].get("Health", {}).get("Status")
            if container.status == "running" and health in (None, "healthy"):
                return
            if container.status in ("exited", "dead") or health == "unhealthy":
                break
            if time.monotonic() > deadline:
                break
            time.sleep(0.5)
        logs = container.logs(tail=20).decode(errors="replace")
        raise RuntimeError(
            f"harness: container {container.name} not healthy (status={container.status}, "
            f"health={health}) within {timeout_s:.0f}s; last log lines:\n{logs}")

    def _container_outputs(self, container: Any, inputs: dict[str, Any]) -> dict[str, Any]:
        return {**inputs, "name": container.name, "exitCode": None,
                "networkDatas": [], "containerLogs": None}

    def delete_container(self, cname: str) -> None:
        try:
            self.client.containers.get(cname).remove(force=True)
        except docker.errors.NotFound:
            pass
