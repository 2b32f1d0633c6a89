"""pulumi-docker resources applied through the Docker Engine API, as the upstream providers do
(kreuzwerker/terraform-provider-docker internal/provider/resource_docker_container*.go and
resource_docker_volume.go, resource_docker_image_funcs.go). `read_container` is
what the upstream Read stores: the two values it reads back differently from how a program
writes them (healthcheck durations in Go's format, the swap limit Docker chose) are the quirks
that make a second `up` non-empty."""

from __future__ import annotations

import io
import tarfile
import time
from pathlib import Path
from typing import Any

import docker.errors

import docker
from pgplatform.progress import Log
from pgplatform_ops import images

MB = 1024 * 1024
_UNITS = (("h", 3600 * 10**9), ("m", 60 * 10**9), ("s", 10**9), ("ms", 10**6),
          ("us", 10**3), ("ns", 1))


def duration_ns(text: str | None) -> int:
    """A Go duration string ("2s", "1m0s", "1h30m") in nanoseconds."""
    if not text:
        return 0
    total, number = 0.0, ""
    rest = text
    while rest:
        i = 0
        while i < len(rest) and (rest[i].isdigit() or rest[i] == "."):
            i += 1
        number, rest = rest[:i], rest[i:]
        unit = next((u for u, _ in sorted(_UNITS, key=lambda x: -len(x[0]))
                     if rest.startswith(u)), None)
        if not number or unit is None:
            raise ValueError(f"harness: not a duration: {text!r}")
        total += float(number) * dict(_UNITS)[unit]
        rest = rest[len(unit):]
    return int(total)


def go_duration(ns: int) -> str:
    """Go's time.Duration.String(): 60s -> "1m0s", 2s -> "2s", 0 -> "0s"."""
    if ns == 0:
        return "0s"
    if ns < 10**9:
        for unit, size in (("ms", 10**6), ("us", 10**3), ("ns", 1)):
            if ns >= size:
                return f"{_trim(ns / size)}{unit}"
    hours, rem = divmod(ns, 3600 * 10**9)
    minutes, rem = divmod(rem, 60 * 10**9)
    seconds = _trim(rem / 10**9)
    if hours:
        return f"{hours}h{minutes}m{seconds}s"
    if minutes:
        return f"{minutes}m{seconds}s"
    return f"{seconds}s"


def _trim(value: float) -> str:
    return (f"{value:.9f}".rstrip("0").rstrip(".")) if not value.is_integer() else str(int(value))


class DockerApplier:
    def __init__(self, log: Log) -> None:
        self.client = docker.from_env(timeout=300)
        self.log = log

    # -- images ------------------------------------------------------------------------------
    def remote_image(self, inputs: dict[str, Any]) -> dict[str, Any]:
        """resourceDockerImageCreate: build when there is a `build` block (tagged with the
        name), else find the image locally or pull it; the id is the image id + name."""
        name, build = inputs["name"], inputs.get("build")
        if build:
            context = Path(build["context"])
            image_id = images.build_image(self.client, context, name,
                                          dockerfile=build.get("dockerfile") or "Dockerfile",
                                          build_args=build.get("buildArgs") or None,
                                          log=self.log)
        else:
            image_id = images.ensure_image(self.client, name, log=self.log)
        return {**inputs, "imageId": image_id, "repoDigest": ""}

    def delete_image(self, outputs: dict[str, Any]) -> None:
        """removeImage: nothing with keep_locally, else the image by name."""
        if outputs.get("keepLocally"):
            return
        try:
            self.client.images.remove(outputs["name"], force=bool(outputs.get("forceRemove")))
        except docker.errors.ImageNotFound:
            pass

    # -- volume ------------------------------------------------------------------------------
    def create_volume(self, inputs: dict[str, Any]) -> dict[str, Any]:
        """Docker's volume create returns an existing volume of that name as it is: a volume
        kept by `destroy` is taken up again by the next `up`."""
        driver = inputs.get("driver") or "local"
        self.client.volumes.create(inputs["name"], driver=driver)
        return {**inputs, "driver": driver, "mountpoint": ""}

    def delete_volume(self, outputs: dict[str, Any]) -> None:
        deadline = time.monotonic() + 30
        while True:
            try:
                self.client.volumes.get(outputs["name"]).remove()
                return
            except docker.errors.NotFound:
                return
            except docker.errors.APIError:
                # resourceDockerVolumeDelete retries while the volume is still in use.
                if time.monotonic() > deadline:
                    raise
                time.sleep(1)

    # -- network -----------------------------------------------------------------------------
    def create_network(self, inputs: dict[str, Any]) -> dict[str, Any]:
        """resource_docker_network_funcs.go resourceDockerNetworkCreate: NetworkCreate with the
        IPAM driver always sent (ipam_driver defaults to "default") and ipam_config only when
        set; then the read."""
        ipam = docker.types.IPAMConfig(
            driver=inputs.get("ipamDriver") or "default",
            pool_configs=[docker.types.IPAMPool(subnet=c.get("subnet"), gateway=c.get("gateway"),
                                                iprange=c.get("ipRange"))
                          for c in inputs.get("ipamConfigs") or []] or None)
        network = self.client.networks.create(
            inputs["name"], driver=inputs.get("driver") or "bridge", ipam=ipam,
            internal=bool(inputs.get("internal")), attachable=bool(inputs.get("attachable")),
            options=inputs.get("options") or None)
        return self.read_network(inputs, str(network.id))

    def read_network(self, inputs: dict[str, Any], network_id: str) -> dict[str, Any]:
        """resourceDockerNetworkReadRefreshFunc: what Docker reports, the IPAM config it
        assigned included (flattenIpamConfigSpec keeps each non-empty field)."""
        attrs = self.client.networks.get(network_id).attrs
        configs = [{k: v for k, v in (("subnet", c.get("Subnet")), ("gateway", c.get("Gateway")),
                                      ("ipRange", c.get("IPRange")),
                                      ("auxAddress", c.get("AuxiliaryAddresses"))) if v}
                   for c in (attrs.get("IPAM") or {}).get("Config") or []]
        return {**inputs, "id": network_id, "driver": attrs.get("Driver"),
                "internal": bool(attrs.get("Internal")), "scope": attrs.get("Scope"),
                "ipamDriver": (attrs.get("IPAM") or {}).get("Driver") or "default",
                "ipamConfigs": configs}

    def delete_network(self, outputs: dict[str, Any]) -> None:
        """resourceDockerNetworkDelete: retried for 30 s while it "has active endpoints"; not
        found is success."""
        deadline = time.monotonic() + 30
        while True:
            try:
                self.client.networks.get(outputs["id"]).remove()
                return
            except docker.errors.NotFound:
                return
            except docker.errors.APIError as exc:
                if "active endpoints" not in str(exc) or time.monotonic() > deadline:
                    raise
                time.sleep(2)

    # -- container ---------------------------------------------------------------------------
    def create_container(self, inputs: dict[str, Any]) -> dict[str, Any]:
        """resourceDockerContainerCreate: create (a name in use is Docker's 409 conflict),
        upload the files, start, and with `wait` wait for healthy."""
        # Numbers arrive as floats (protobuf Struct); the Engine API wants integers.
        ports: dict[str, Any] = {
            f"{int(p['internal'])}/{p.get('protocol') or 'tcp'}":
            (p.get("ip") or "0.0.0.0", int(p["external"]) if p.get("external") else None)
            for p in inputs.get("ports", [])}
        volumes = {v["volumeName"]: {"bind": v["containerPath"],
                                     "mode": "ro" if v.get("readOnly") else "rw"}
                   for v in inputs.get("volumes", [])}
        hc = inputs.get("healthcheck")
        healthcheck = None if not hc else {
            "test": hc["tests"], "interval": duration_ns(hc.get("interval")),
            "timeout": duration_ns(hc.get("timeout")), "retries": int(hc.get("retries") or 0),
            "start_period": duration_ns(hc.get("startPeriod"))}
        restart = inputs.get("restart") or "no"
        restart_policy: Any = {"Name": restart} if restart != "no" else None
        memory = int(inputs.get("memory") or 0)
        swap = int(inputs.get("memorySwap") or 0)
        container = self.client.containers.create(
            inputs["image"],
            entrypoint=inputs.get("entrypoints"),
            command=inputs.get("command"),
            name=inputs["name"],
            environment=inputs.get("envs") or [],
            ports=ports,
            volumes=volumes,
            shm_size=f"{int(inputs['shmSize'])}m" if inputs.get("shmSize") else None,
            mem_limit=f"{memory}m" if memory else None,
            # Sent only when set: unset, Docker makes it twice the memory limit.
            memswap_limit=f"{swap}m" if swap else None,
            healthcheck=healthcheck,
            restart_policy=restart_policy,
            stop_signal=inputs.get("stopSignal"),
            # The provider's `ulimit` blocks become HostConfig.Ulimits.
            ulimits=[docker.types.Ulimit(name=u["name"], soft=int(u["soft"]),
                                         hard=int(u["hard"]))
                     for u in inputs.get("ulimits") or []] or None,
            network_mode=inputs.get("networkMode") or "bridge",
            # resourceDockerContainerCreate sends HostConfig.Init from the `init` argument
            # (default false) always; Docker then reports false, not null.
            init=bool(inputs.get("init")),
            detach=True,
        )
        networks = inputs.get("networksAdvanced") or []
        if networks:
            # Created on network_mode (default "bridge"), then taken off Docker's default
            # network and put on each named one (NetworkDisconnect "bridge", NetworkConnect).
            try:
                self.client.networks.get("bridge").disconnect(container)
            except docker.errors.APIError as exc:
                if "is not connected" not in str(exc):
                    raise
            for net in networks:
                self.client.networks.get(net["name"]).connect(
                    container, aliases=net.get("aliases") or None,
                    ipv4_address=net.get("ipv4Address") or None)
        for upload in inputs.get("uploads", []):
            container.put_archive("/", self._tar(upload))
        container.start()
        if inputs.get("wait"):
            self._wait_healthy(container, float(inputs.get("waitTimeout") or 60))
        return self.read_container(inputs)

    def update_container(self, old: dict[str, Any], inputs: dict[str, Any]) -> dict[str, Any]:
        """resourceDockerContainerUpdate: ContainerUpdate with the memory limit, and the swap
        limit only when the program sets one; Docker refuses a memory limit above the swap
        limit it already has."""
        if any(inputs.get(k) != old.get(k) for k in ("memory", "memorySwap", "restart")):
            kwargs: dict[str, Any] = {"restart_policy": {"Name": inputs.get("restart") or "no"}}
            memory, swap = int(inputs.get("memory") or 0), int(inputs.get("memorySwap") or 0)
            if memory:
                kwargs["mem_limit"] = f"{memory}m"
            if swap:
                kwargs["memswap_limit"] = f"{swap}m"
            self.client.containers.get(old["name"]).update(**kwargs)
        # Any other change (the healthcheck, wait) is only written to the state.
        return self.read_container(inputs)

    def read_container(self, inputs: dict[str, Any]) -> dict[str, Any]:
        """resourceDockerContainerRead: what the provider keeps in state."""
        attrs = self.client.containers.get(inputs["name"]).attrs
        # flattenContainerNetworks: one entry per network the container is on.
        networks = (attrs.get("NetworkSettings") or {}).get("Networks") or {}
        out = {**inputs, "exitCode": None, "containerLogs": None, "networkDatas": [
            {"networkName": name, "ipAddress": n.get("IPAddress"),
             "ipPrefixLength": n.get("IPPrefixLen"), "gateway": n.get("Gateway")}
            for name, n in sorted(networks.items())]}
        swap = int(attrs["HostConfig"].get("MemorySwap") or 0)
        out["memorySwap"] = swap // MB if swap > 0 else swap
        hc = (attrs.get("Config") or {}).get("Healthcheck")
        if hc and inputs.get("healthcheck"):
            out["healthcheck"] = {
                **inputs["healthcheck"],
                "interval": go_duration(int(hc.get("Interval") or 0)),
                "timeout": go_duration(int(hc.get("Timeout") or 0)),
                "startPeriod": go_duration(int(hc.get("StartPeriod") or 0)),
                "retries": int(hc.get("Retries") or 0)}
        return out

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
        health = None
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

    def delete_container(self, outputs: dict[str, Any]) -> None:
        """resource_docker_container_funcs.go resourceDockerContainerDelete: with
        destroy_grace_seconds, ContainerStop (the container's stop signal, SIGKILL after that
        many seconds) first; then removed by force (without it, the server gets no shutdown).
        Its anonymous volumes go with it (remove_volumes, true by default); named ones stay."""
        try:
            container = self.client.containers.get(outputs["name"])
            grace = int(outputs.get("destroyGraceSeconds") or 0)
            if grace > 0:
                container.stop(timeout=grace)
            container.remove(force=True, v=outputs.get("removeVolumes", True) is not False)
        except docker.errors.NotFound:
            pass
