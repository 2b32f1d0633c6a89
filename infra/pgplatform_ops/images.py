"""The images a stack's containers start from, where no image registry answers (air-gapped
sites, CI): the Debian base image by ``debootstrap --variant=minbase`` from the mirror apt
already uses, imported into the Docker engine; and, when the stack's image cannot be pulled, a
stand-in built from ``docker/`` (the same PostgreSQL 17 + pgvector from Debian packages) under
the image's name. ``scripts/up`` runs this before ``pulumi up``; the apply harness and the
tests use the same functions. Nothing here runs at import time.

    python -m pgplatform_ops.images STACK_FILE
"""

from __future__ import annotations

import glob
import os
import pathlib
import re
import shutil
import subprocess
import tempfile
import threading
import time
from collections import deque
from collections.abc import Iterable, Iterator
from typing import Any

import docker.errors

import docker
from pgplatform.progress import Log

__all__ = [
    "DEFAULT_BASE_IMAGE",
    "apt_debian_mirror",
    "build_image",
    "ensure_base_image",
    "ensure_image",
]

DEFAULT_BASE_IMAGE = "debian:trixie-slim"
_SUITE = "trixie"
_PULL_TIMEOUT_S = 20.0
_DEBOOTSTRAP_TIMEOUT_S = 900.0
_STEP_RE = re.compile(r"^(Step \d+/\d+ :|Successfully built|Successfully tagged)")


# --------------------------------------------------------------------------- apt sources


def _deb822_uris(text: str) -> list[str]:
    """Debian archive URIs from a deb822 ``.sources`` file, skipping ``*-security`` stanzas."""
    uris: list[str] = []
    for stanza in re.split(r"\n\s*\n", text):
        fields: dict[str, str] = {}
        key: str | None = None
        for raw in stanza.splitlines():
            if not raw.strip() or raw.lstrip().startswith("#"):
                continue
            if raw[0] in " \t" and key is not None:  # continuation line
                fields[key] += " " + raw.strip()
                continue
            if ":" in raw:
                key, _, value = raw.partition(":")
                key = key.strip().lower()
                fields[key] = value.strip()
        if fields.get("enabled", "yes").lower() == "no":
            continue
        types = fields.get("types", "").split()
        if types and "deb" not in types:
            continue
        suites = fields.get("suites", "").split()
        if suites and all(s.endswith("-security") or "/updates" in s for s in suites):
            continue
        uris.extend(fields.get("uris", "").split())
    return uris


def _classic_uris(text: str) -> list[str]:
    """Debian archive URIs from a one-line-style ``sources.list``."""
    uris: list[str] = []
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line.startswith("deb "):
            continue
        words = line.split()[1:]
        if words and words[0].startswith("["):  # options: [arch=amd64 signed-by=...]
            while words and not words[0].endswith("]"):
                words.pop(0)
            words = words[1:]
        if len(words) < 2:
            continue
        uri, suite = words[0], words[1]
        if suite.endswith("-security") or "/updates" in suite:
            continue
        uris.append(uri)
    return uris


def _is_debian_archive(uri: str) -> bool:
    u = uri.rstrip("/")
    if not re.match(r"^(https?|ftp)://", u):
        return False
    if "security" in u or "ubuntu" in u or "backports" in u:
        return False
    # deb.debian.org/debian, ftp.xx.debian.org/debian, snapshot.debian.org/archive/debian/...,
    # or a local mirror/proxy whose path ends in /debian.
    return u.endswith("/debian") or "/archive/debian/" in u + "/"


def apt_debian_mirror(root: pathlib.Path = pathlib.Path("/")) -> str:
    """The first Debian archive URI in this machine's apt sources (never hard-coded)."""
    candidates: list[str] = []
    for name in sorted(glob.glob(str(root / "etc/apt/sources.list.d/*.sources"))):
        candidates += _deb822_uris(pathlib.Path(name).read_text(errors="replace"))
    classic = [root / "etc/apt/sources.list"] + [
        pathlib.Path(p) for p in sorted(glob.glob(str(root / "etc/apt/sources.list.d/*.list")))
    ]
    for path in classic:
        if path.is_file():
            candidates += _classic_uris(path.read_text(errors="replace"))
    for uri in candidates:
        if _is_debian_archive(uri):
            return uri.rstrip("/")
    raise RuntimeError(
        "no Debian archive mirror found in /etc/apt/sources.list or "
        "/etc/apt/sources.list.d/*.sources (need a non-security 'deb' source whose URI "
        f"ends in /debian); candidates seen: {candidates or 'none'}"
    )


# --------------------------------------------------------------------------- base image


def _image_exists(client: docker.DockerClient, tag: str) -> bool:
    try:
        client.images.get(tag)
    except docker.errors.ImageNotFound:
        return False
    return True


def _try_pull(client: docker.DockerClient, tag: str, log: Log) -> bool:
    """Pull with a short deadline; False on any failure (no registry here)."""
    repo, _, ref = tag.rpartition(":") if ":" in tag.split("/")[-1] else (tag, "", "latest")
    result: dict[str, BaseException | None] = {"error": None}

    # The Engine API's private helpers: the public pull has no per-request timeout.
    api: Any = client.api

    def pull() -> None:
        try:
            # Explicit per-request timeout; the shared client's default is left untouched.
            resp = api._post(
                api._url("/images/create"),
                params={"fromImage": repo, "tag": ref},
                stream=True,
                timeout=_PULL_TIMEOUT_S,
            )
            api._raise_for_status(resp)
            for chunk in api._stream_helper(resp, decode=True):
                if isinstance(chunk, dict) and chunk.get("error"):
                    raise RuntimeError(str(chunk["error"]))
        except BaseException as exc:  # noqa: BLE001 - reported below
            result["error"] = exc

    worker = threading.Thread(target=pull, name=f"pull {tag}", daemon=True)
    worker.start()
    worker.join(_PULL_TIMEOUT_S + 5)
    if worker.is_alive():
        log(f"pull {tag}: no answer within {_PULL_TIMEOUT_S:.0f}s, giving up")
        return False
    if result["error"] is not None:
        first = str(result["error"]).splitlines()[0][:200]
        log(f"pull {tag} failed: {first}")
        return False
    return _image_exists(client, tag)


def _import_rootfs(client: docker.DockerClient, rootfs: pathlib.Path, tag: str) -> str:
    """``tar -C rootfs -c . | docker import - tag`` through the Engine API; returns image id."""
    tar = subprocess.Popen(
        [
            "tar",
            "-C",
            str(rootfs),
            "-c",
            "--exclude=./var/cache/apt/archives/*.deb",
            "--exclude=./var/lib/apt/lists/*",
            ".",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert tar.stdout is not None

    def chunks() -> Iterator[bytes]:
        while block := tar.stdout.read(1 << 20):  # type: ignore[union-attr]
            yield block

    repo, _, ref = tag.rpartition(":") if ":" in tag.split("/")[-1] else (tag, "", "latest")
    # The Engine API's private helpers: the public import cannot stream a chunked body.
    api: Any = client.api
    try:
        # Chunked upload; the low-level client accepts any iterable of bytes as the body.
        resp = api._post(
            api._url("/images/create"),
            params={"fromSrc": "-", "repo": repo, "tag": ref},
            data=chunks(),
            headers={"Content-Type": "application/tar", "Transfer-Encoding": "chunked"},
            timeout=None,
        )
        body = str(api._result(resp))
    finally:
        _, err = tar.communicate()
    if tar.returncode != 0:
        raise RuntimeError(f"tar of {rootfs} failed ({tar.returncode}): {err.decode()[-500:]}")
    if "error" in body.lower() and "sha256:" not in body:
        raise RuntimeError(f"docker import of {rootfs} as {tag} failed: {body[-500:]}")
    return str(client.images.get(tag).id)


def ensure_base_image(
    client: docker.DockerClient,
    tag: str = DEFAULT_BASE_IMAGE,
    log: Log = print,
) -> None:
    """Make ``tag`` exist locally: keep it, pull it, or debootstrap + import a Debian trixie."""
    if _image_exists(client, tag):
        return
    log(f"base image {tag}: not present locally, trying to pull")
    if _try_pull(client, tag, log):
        log(f"base image {tag}: pulled")
        return

    debootstrap = shutil.which("debootstrap") or next(
        (p for p in ("/usr/sbin/debootstrap", "/sbin/debootstrap") if os.access(p, os.X_OK)),
        None,
    )
    if debootstrap is None:
        raise RuntimeError(
            f"cannot provide base image {tag}: the pull failed and debootstrap is missing; "
            "install it with apt-get install -y debootstrap"
        )
    mirror = apt_debian_mirror()
    tmpdir = pathlib.Path(tempfile.mkdtemp(prefix="pgplatform-rootfs-"))
    rootfs = tmpdir / "rootfs"
    try:
        log(f"base image {tag}: debootstrap --variant=minbase {_SUITE} from {mirror} (~30 s)")
        t0 = time.monotonic()
        proc = subprocess.run(
            [debootstrap, "--variant=minbase", _SUITE, str(rootfs), mirror],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=_DEBOOTSTRAP_TIMEOUT_S,
            check=False,
        )
        if proc.returncode != 0:
            tail = "\n".join(proc.stdout.splitlines()[-20:])
            raise RuntimeError(
                f"debootstrap --variant=minbase {_SUITE} {rootfs} {mirror} failed "
                f"(exit {proc.returncode}):\n{tail}"
            )
        log(f"base image {tag}: rootfs ready in {time.monotonic() - t0:.1f}s, importing")
        t1 = time.monotonic()
        image_id = _import_rootfs(client, rootfs, tag)
        log(f"base image {tag}: imported as {image_id[:19]} in {time.monotonic() - t1:.1f}s")
    finally:
        shutil.rmtree(tmpdir, ignore_errors=True)


# --------------------------------------------------------------------------- build


def _iter_build_lines(stream: Iterable[dict[str, Any]]) -> Iterator[tuple[str, str]]:
    """Yield ("line"|"error"|"aux", text) from the Engine's JSON build stream."""
    for chunk in stream:
        if "error" in chunk or "errorDetail" in chunk:
            detail = chunk.get("errorDetail") or {}
            yield "error", str(chunk.get("error") or detail.get("message") or chunk)
        elif "stream" in chunk:
            for line in str(chunk["stream"]).splitlines():
                if line.strip():
                    yield "line", line.rstrip()
        elif "aux" in chunk and isinstance(chunk["aux"], dict) and "ID" in chunk["aux"]:
            yield "aux", str(chunk["aux"]["ID"])


def build_image(
    client: docker.DockerClient,
    context: pathlib.Path,
    tag: str,
    dockerfile: str = "Dockerfile",
    build_args: dict[str, str] | None = None,
    log: Log = print,
) -> str:
    """Build ``context`` into ``tag`` (ensuring its BASE_IMAGE first); return the image id."""
    args = dict(build_args or {})
    ensure_base_image(client, args.get("BASE_IMAGE", DEFAULT_BASE_IMAGE), log=log)

    context = pathlib.Path(context).resolve()
    if not (context / dockerfile).is_file():
        raise RuntimeError(f"no {dockerfile} in build context {context}")
    log(f"building {tag} from {context / dockerfile}")
    t0 = time.monotonic()
    tail: deque[str] = deque(maxlen=40)
    image_id: str | None = None
    errors: list[str] = []
    stream = client.api.build(
        path=str(context),
        dockerfile=dockerfile,
        tag=tag,
        buildargs=args,
        rm=True,
        forcerm=True,
        pull=False,
        decode=True,
    )
    for kind, text in _iter_build_lines(stream):
        if kind == "aux":
            image_id = text
            continue
        tail.append(text)
        if kind == "error":
            errors.append(text)
            log(f"build error: {text}")
        elif _STEP_RE.match(text):
            log(text if len(text) <= 160 else text[:157] + "...")
            m = re.match(r"^Successfully built ([0-9a-f]+)", text)
            if m and image_id is None:
                image_id = m.group(1)
    if errors:
        raise RuntimeError(
            f"docker build of {tag} failed: {errors[-1]}\n--- last build output ---\n"
            + "\n".join(tail)
        )
    try:
        image = client.images.get(tag)
    except docker.errors.ImageNotFound as exc:
        raise RuntimeError(
            f"docker build of {tag} produced no image\n--- last build output ---\n"
            + "\n".join(tail)
        ) from exc
    log(f"built {tag} ({str(image.id)[:19]}) in {time.monotonic() - t0:.1f}s")
    return str(image.id)


# --------------------------------------------------------------------------- a stack's images


def ensure_image(client: docker.DockerClient, name: str, log: Log = print) -> str:
    """Make ``name`` exist locally (kept, pulled, or the stand-in built from ``docker/``);
    return its id. The provider's image resource then finds it without a registry."""
    from pgplatform.paths import DOCKER_CONTEXT

    if not _image_exists(client, name):
        if _try_pull(client, name, log):
            log(f"pulled {name}")
        else:
            log(f"cannot pull {name}; building it from {DOCKER_CONTEXT}")
            build_image(client, DOCKER_CONTEXT, name, log=log)
    return str(client.images.get(name).id)


def prepare_stack(stack_file: pathlib.Path, log: Log = print) -> None:
    """What the stack's image resources need before ``pulumi up``: the base image the
    Dockerfiles build on, and the server image when it is pulled rather than built."""
    from pgplatform import stack_config

    cfg = stack_config.from_stack_file(stack_file)
    if cfg.server.is_external:
        return
    client = docker.from_env(timeout=300)
    ensure_base_image(client, log=log)
    if not cfg.server.builds_image:
        ensure_image(client, cfg.server.image_name, log=log)


def main(argv: list[str] | None = None) -> int:
    import sys

    from pgplatform.model import ConfigError

    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1 or args[0] in ("-h", "--help"):
        print(__doc__)
        return 0 if args and args[0] in ("-h", "--help") else 2
    try:
        prepare_stack(pathlib.Path(args[0]), log=lambda line: print(f"[images] {line}",
                                                                     file=sys.stderr))
    except (ConfigError, RuntimeError, docker.errors.DockerException) as exc:
        print(f"images: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
