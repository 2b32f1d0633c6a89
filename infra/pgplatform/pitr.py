"""Point-in-time recovery with pgBackRest: what the server container carries for it.

The primary archives every WAL segment into the stack's repository volume (its own, kept and
protected like the data volume), encrypted with the stack's generated passphrase; base backups
(`scripts/backup --server`) go to the same repository. Operator tools (`pgplatform_ops.pitr`)
run pgBackRest with the same configuration text, in the server container or, when it is down,
in a throwaway one of the same image.
"""

from __future__ import annotations

import hashlib

from pgplatform import maintenance, paths
from pgplatform.model import DATA_DIR, PitrConfig

STANZA = "pgplatform"
"""One per repository: each stack has its own repository volume."""
REPO_DIR = "/var/lib/pgbackrest"
CONF_PATH = "/etc/pgbackrest/pgbackrest.conf"
CONF_SOURCE = "/run/secrets/pgplatform-pitr/pgbackrest.conf"
"""Uploaded root-only (it holds the passphrase); the entrypoint hands it to `postgres`."""
# pgBackRest's backup refuses an archive_command without "pgbackrest" in it.
ARCHIVE_SCRIPT = "/usr/local/bin/pgbackrest-archive-push"
ARCHIVE_SCRIPT_SOURCE = paths.DOCKER_CONTEXT / "pgbackrest-archive-push.sh"
SOCKET_DIR = "/var/run/postgresql"
CIPHER = "aes-256-cbc"


def repo_path(passphrase: str) -> str:
    """The repository inside the volume, one directory per key. A stack destroyed with its
    data kept loses its generated key with the state, and the next `up` generates another:
    archiving then starts a new repository beside the old one, which stays readable with the
    old key (the `pitr_passphrase` output of before)."""
    return f"{REPO_DIR}/{hashlib.sha256(passphrase.encode()).hexdigest()[:12]}"


def conf_text(pitr: PitrConfig, passphrase: str) -> str:
    """pgbackrest.conf: the repository (encrypted, zstd, its retention) and the server."""
    return "\n".join([
        "[global]",
        f"repo1-path={repo_path(passphrase)}",
        f"repo1-cipher-type={CIPHER}",
        f"repo1-cipher-pass={passphrase}",
        f"repo1-retention-full={pitr.retention_full}",
        "compress-type=zst",
        # A backup starts with an immediate checkpoint rather than waiting for the next one.
        "start-fast=y",
        "process-max=2",
        "log-level-console=warn",
        "log-level-file=off",
        "",
        f"[{STANZA}]",
        f"pg1-path={DATA_DIR}",
        f"pg1-socket-path={SOCKET_DIR}",
        "",
    ])


COMMAND_SETTINGS = {"archive_mode": "on", "archive_command": f"{ARCHIVE_SCRIPT} %p"}
"""The primary's start-only settings: archiving on, through the bundle's script only
(archive_command and restore_command stay refused in `server.settings`). A replica has none:
it takes its WAL from the primary."""


def server_args() -> list[str]:
    return [arg for name, value in COMMAND_SETTINGS.items() for arg in ("-c", f"{name}={value}")]


BACKUPS_TABLE = "pitr_backups"
"""In `postgres`'s bookkeeping schema: the repository's backups as `scripts/backup --server` and
`scripts/restore --server` last saw them, for the exporter (which cannot run pgBackRest).
The admin's to write; the exporter's login may read it and nothing else there."""

_CATALOG_COLUMNS = """
    label text PRIMARY KEY,
    kind text NOT NULL CHECK (kind IN ('full', 'diff', 'incr')),
    started_at timestamptz NOT NULL,
    stopped_at timestamptz NOT NULL,
    database_bytes bigint NOT NULL,
    repository_bytes bigint NOT NULL"""


def install_catalog(admin_dsn: str, reader: str | None) -> None:
    """As the admin, in `postgres`: the table, readable by `reader` (the exporter's login)
    alone."""
    maintenance.readable_table(admin_dsn, BACKUPS_TABLE, _CATALOG_COLUMNS, reader)


def remove_catalog(admin_dsn: str) -> None:
    maintenance.drop_table(admin_dsn, BACKUPS_TABLE)
