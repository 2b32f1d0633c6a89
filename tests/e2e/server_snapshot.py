"""What a deployment leaves on the server and in Docker, as comparable data: the differential
test takes one snapshot of a harness deployment and one of a `pulumi up` of the same values,
and diffs them.

Values that name the stack (its container, volume and network names, ports, the network's
gateway) are replaced by placeholders; values no deployer controls (ids, timestamps, password
hashes) are left out, each with the reason where it is dropped.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import psycopg

import docker
from pgplatform.model import ServerConfig
from pgplatform_ops.stack import DeployedStack

Snapshot = dict[str, Any]

_ROLES = """
SELECT rolname, rolsuper, rolinherit, rolcreaterole, rolcreatedb, rolcanlogin,
       rolreplication, rolbypassrls, rolconnlimit, rolvaliduntil::text
FROM pg_roles WHERE rolname !~ '^pg_' ORDER BY rolname"""
# The grantor is the admin under both deployers; it is kept, so a difference would show.
_MEMBERS = """
SELECT r.rolname, m.rolname, g.rolname, a.admin_option, a.inherit_option, a.set_option
FROM pg_auth_members a JOIN pg_roles r ON r.oid = a.roleid JOIN pg_roles m ON m.oid = a.member
JOIN pg_roles g ON g.oid = a.grantor WHERE r.rolname !~ '^pg_' OR m.rolname !~ '^pg_'
ORDER BY 1, 2"""
_ROLE_SETTINGS = """
SELECT coalesce(r.rolname, '*'), coalesce(d.datname, '*'), array_to_string(s.setconfig, ';')
FROM pg_db_role_setting s LEFT JOIN pg_roles r ON r.oid = s.setrole
LEFT JOIN pg_database d ON d.oid = s.setdatabase ORDER BY 1, 2"""
_DATABASES = """
SELECT datname, pg_get_userbyid(datdba), datconnlimit, datallowconn, datistemplate,
       pg_encoding_to_char(encoding), datcollate, datctype,
       array_to_string(ARRAY(SELECT a::text FROM unnest(datacl) a ORDER BY 1), ',')
FROM pg_database ORDER BY datname"""
_SCHEMAS = """
SELECT nspname, pg_get_userbyid(nspowner),
       array_to_string(ARRAY(SELECT a::text FROM unnest(nspacl) a ORDER BY 1), ',')
FROM pg_namespace WHERE nspname !~ '^pg_' AND nspname <> 'information_schema' ORDER BY 1"""
_RELATIONS = """
SELECT n.nspname, c.relname, c.relkind::text, pg_get_userbyid(c.relowner),
       array_to_string(ARRAY(SELECT a::text FROM unnest(c.relacl) a ORDER BY 1), ',')
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname !~ '^pg_' AND n.nspname <> 'information_schema'
  AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') ORDER BY 1, 2"""
_FUNCTIONS = """
SELECT n.nspname, p.oid::regprocedure::text, pg_get_userbyid(p.proowner),
       array_to_string(ARRAY(SELECT a::text FROM unnest(p.proacl) a ORDER BY 1), ',')
FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
WHERE n.nspname !~ '^pg_' AND n.nspname <> 'information_schema' ORDER BY 1, 2"""
_DEFAULT_ACLS = """
SELECT pg_get_userbyid(d.defaclrole), coalesce(n.nspname, '*'), d.defaclobjtype::text,
       array_to_string(ARRAY(SELECT a::text FROM unnest(d.defaclacl) a ORDER BY 1), ',')
FROM pg_default_acl d LEFT JOIN pg_namespace n ON n.oid = d.defaclnamespace ORDER BY 1, 2, 3"""
_EXTENSIONS = """
SELECT e.extname, e.extversion, n.nspname, pg_get_userbyid(e.extowner)
FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace ORDER BY 1"""
# Migration bookkeeping: which migrations ran, with their checksums (not when).
_MIGRATIONS = """
SELECT service, version, checksum FROM pgplatform.schema_migrations ORDER BY 1, 2"""
_HBA = """
SELECT type, array_to_string(database, ','), array_to_string(user_name, ','),
       coalesce(address, ''), coalesce(netmask, ''), auth_method,
       array_to_string(options, ','), coalesce(error, '')
FROM pg_hba_file_rules ORDER BY rule_number"""
# Settings in effect that someone chose (not built-in defaults, not computed at start).
_SETTINGS = """
SELECT name, setting, source FROM pg_settings
WHERE source NOT IN ('default', 'override', 'client') ORDER BY name"""


def _rows(conn: psycopg.Connection[Any], query: str) -> list[tuple[Any, ...]]:
    return [tuple(row) for row in conn.execute(query)]


def catalog(d: DeployedStack) -> Snapshot:
    """Server-wide facts from `postgres`, per-database ones from each managed database."""
    out: Snapshot = {}
    with psycopg.connect(d.admin_dsn()) as c:
        out["roles"] = _rows(c, _ROLES)
        out["memberships"] = _rows(c, _MEMBERS)
        out["role_settings"] = _rows(c, _ROLE_SETTINGS)
        out["databases"] = _rows(c, _DATABASES)
        out["hba"] = _rows(c, _HBA)
        out["settings"] = _rows(c, _SETTINGS)
    for db in d.cfg.databases:
        with psycopg.connect(d.admin_dsn(db.name)) as c:
            out[f"{db.name}.schemas"] = _rows(c, _SCHEMAS)
            out[f"{db.name}.relations"] = _rows(c, _RELATIONS)
            out[f"{db.name}.functions"] = _rows(c, _FUNCTIONS)
            out[f"{db.name}.default_acls"] = _rows(c, _DEFAULT_ACLS)
            out[f"{db.name}.extensions"] = _rows(c, _EXTENSIONS)
            out[f"{db.name}.migrations"] = _rows(c, _MIGRATIONS)
    return out


def _container(attrs: Mapping[str, Any]) -> Snapshot:
    """What the program decides about a container; the id, creation time, state and the
    image id (each deployer built its own copy of the same context) are not."""
    config, host = attrs["Config"], attrs["HostConfig"]
    return {
        "image_config": None,  # filled by containers(): the image's own config
        "entrypoint": config.get("Entrypoint"), "cmd": config.get("Cmd"),
        "env": sorted(config.get("Env") or []), "user": config.get("User"),
        "labels": config.get("Labels") or {}, "healthcheck": config.get("Healthcheck"),
        "exposed": sorted(config.get("ExposedPorts") or {}),
        "mounts": sorted((m.get("Type"), m.get("Name") or m.get("Source"), m["Destination"],
                          m.get("RW")) for m in attrs.get("Mounts") or []),
        "ports": {k: [(b["HostIp"], b["HostPort"]) for b in v or []]
                  for k, v in sorted((host.get("PortBindings") or {}).items())},
        "networks": sorted(attrs["NetworkSettings"]["Networks"]),
        "memory": host.get("Memory"), "memory_swap": host.get("MemorySwap"),
        "shm_size": host.get("ShmSize"), "ulimits": host.get("Ulimits"),
        "restart": host.get("RestartPolicy"), "network_mode": host.get("NetworkMode"),
        "log_config": host.get("LogConfig"), "init": host.get("Init"),
        "privileged": host.get("Privileged"), "cap_add": host.get("CapAdd"),
        "read_only": host.get("ReadonlyRootfs"), "stop_signal": config.get("StopSignal"),
    }


def containers(server: ServerConfig) -> Snapshot:
    client = docker.from_env()
    names = [server.container_name, server.pooler_name, server.pooler_metrics_name,
             server.exporter_name,
             *(server.replica_name(i) for i in range(server.replicas))]
    out: Snapshot = {}
    for name in names:
        found = client.containers.list(all=True, filters={"name": f"^/{name}$"})
        if not found:
            continue
        attrs = found[0].attrs
        snap = _container(attrs)
        image = client.images.get(attrs["Image"]).attrs["Config"]
        snap["image_config"] = {k: image.get(k) for k in ("Entrypoint", "Cmd", "Env", "User",
                                                          "ExposedPorts", "Labels")}
        snap["running"] = attrs["State"]["Running"]
        out[name] = snap
    network = client.networks.get(server.network_name).attrs
    out["network"] = {"driver": network["Driver"], "internal": network["Internal"],
                      "attachable": network["Attachable"], "options": network["Options"],
                      "labels": network["Labels"]}
    volumes = [server.volume_name, *(server.replica_volume(i) for i in range(server.replicas))]
    out["volumes"] = {v: client.volumes.get(v).attrs["Driver"] for v in volumes}
    return out


def placeholders(server: ServerConfig) -> dict[str, str]:
    """The stack's own names and ports -> placeholders, longest first so that a name never
    replaces part of a longer one."""
    client = docker.from_env()
    gateway = client.networks.get(server.network_name).attrs["IPAM"]["Config"][0]["Gateway"]
    subs = {server.container_name: "<container>", server.volume_name: "<volume>",
            server.network_name: "<network>", gateway: "<gateway>",
            **{str(port): f"<{what.replace(' ', '-')}-port>"
               for port, what in server.published_ports.items()}}
    return dict(sorted(subs.items(), key=lambda kv: -len(kv[0])))


def normalized(value: Any, subs: Mapping[str, str]) -> Any:
    if isinstance(value, str):
        for old, new in subs.items():
            value = value.replace(old, new)
        return value
    if isinstance(value, dict):
        return {normalized(k, subs): normalized(v, subs) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [normalized(v, subs) for v in value]
    return value


def snapshot(d: DeployedStack) -> Snapshot:
    subs = placeholders(d.cfg.server)
    out: Snapshot = normalized({"catalog": catalog(d), "docker": containers(d.cfg.server)},
                               subs)
    return out


def differences(a: Any, b: Any, path: str = "") -> list[str]:
    """Every leaf where `a` and `b` differ, as `path: a != b`."""
    if isinstance(a, dict) and isinstance(b, dict):
        return [d for k in sorted(set(a) | set(b), key=str)
                for d in differences(a.get(k, "<absent>"), b.get(k, "<absent>"),
                                     f"{path}.{k}" if path else str(k))]
    if isinstance(a, list) and isinstance(b, list) and a != b:
        only_a = [x for x in a if x not in b]
        only_b = [x for x in b if x not in a]
        if only_a or only_b:
            return [f"{path}: only harness {only_a}; only pulumi {only_b}"]
        return [f"{path}: same items, other order"]
    return [] if a == b else [f"{path}: {a!r} != {b!r}"]
