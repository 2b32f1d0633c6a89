"""A stand-in for a managed PostgreSQL (RDS, Cloud SQL, Azure Flexible Server), started by the
tests: the bundle's server image run as a plain server the stack does not own, with what such
services give their customers and nothing more.

- The customer's admin (`cloudadmin`) is not a superuser: LOGIN, CREATEDB, CREATEROLE, and
  ADMIN OPTION on the predefined monitoring roles (RDS's rds_superuser, Cloud SQL's
  cloudsqlsuperuser, Azure's azure_pg_admin). It owns the `postgres` database (RDS's master
  user does); template1 and the superuser are the provider's.
- `vector` is creatable without superuser, as those services allow-list it: the test marks its
  control file `trusted`, so CREATE on the database is enough (the objects belong to the
  bootstrap superuser, the extension to the admin).
- TLS with the provider's own CA (a client gets it as a PEM bundle), plaintext refused
  (`rds.force_ssl = 1`, the default since PostgreSQL 15 on RDS), SCRAM everywhere.
"""

from __future__ import annotations

import datetime
import io
import ipaddress
import secrets
import tarfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import psycopg
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from docker.models.containers import Container

from pgplatform import paths, tls
from pgplatform.model import BUILT_IMAGE_NAME
from pgplatform_ops import containers
from pgplatform_ops.images import build_image

ADMIN = "cloudadmin"
TLS_DIR = "/var/lib/postgresql/provider-tls"
PROVIDER_HBA = """\
local     all  all           peer
hostnossl all  all  all      reject
hostssl   all  all  all      scram-sha-256
"""
# What a managed service's admin role holds (ADMIN OPTION: it may hand them on).
PROVIDER_GRANTS = ("pg_monitor", "pg_signal_backend", "pg_read_all_settings",
                   "pg_read_all_stats", "pg_stat_scan_tables")


@dataclass(frozen=True)
class ExternalServer:
    container: str
    host: str
    port: int
    admin_user: str
    admin_password: str
    ca_cert: str

    def admin_dsn(self, database: str = "postgres") -> str:
        return psycopg.conninfo.make_conninfo(
            host=self.host, port=self.port, user=self.admin_user, password=self.admin_password,
            dbname=database, sslmode="verify-full", sslrootcert=tls.ca_file(self.ca_cert))


def _pem(obj: x509.Certificate) -> str:
    return obj.public_bytes(serialization.Encoding.PEM).decode()


def _provider_tls() -> tuple[str, bytes, bytes]:
    """(CA PEM, server certificate PEM, server key PEM): the provider's own CA."""
    now = datetime.datetime.now(datetime.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "managed provider test CA")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name)
          .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
          .not_valid_before(now).not_valid_after(now + datetime.timedelta(days=2))
          .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
          .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
            .issuer_name(ca_name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now).not_valid_after(now + datetime.timedelta(days=2))
            .add_extension(x509.SubjectAlternativeName([
                x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]),
                critical=False)
            .sign(ca_key, hashes.SHA256()))
    key_pem = key.private_bytes(serialization.Encoding.PEM,
                                serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    return _pem(ca), cert.public_bytes(serialization.Encoding.PEM), key_pem


def _tar(files: dict[str, tuple[bytes, int]], uid: int, gid: int) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        d = tarfile.TarInfo(TLS_DIR.lstrip("/"))
        d.type, d.mode, d.uid, d.gid = tarfile.DIRTYPE, 0o700, uid, gid
        tar.addfile(d)
        for name, (data, mode) in files.items():
            info = tarfile.TarInfo(f"{TLS_DIR.lstrip('/')}/{name}")
            info.size, info.mode, info.uid, info.gid = len(data), mode, uid, gid
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def _exec(container: Container, cmd: list[str], user: str = "postgres") -> str:
    code, out = container.exec_run(cmd, user=user)
    assert isinstance(out, bytes)  # not streamed
    text = out.decode(errors="replace")
    assert code == 0, f"{cmd}: exit {code}: {text}"
    return text


def _wait(dsn: str, deadline_s: float = 60) -> None:
    deadline = time.monotonic() + deadline_s
    while True:
        try:
            psycopg.connect(dsn, connect_timeout=3).close()
            return
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


@contextmanager
def managed_server(name: str, port: int) -> Iterator[ExternalServer]:
    """Start it (removing a leftover of the same name first), yield it, remove it."""
    import docker

    client = docker.from_env()
    for old in client.containers.list(all=True, filters={"name": f"^/{name}$"}):
        old.remove(force=True, v=True)
    build_image(client, paths.DOCKER_CONTEXT, BUILT_IMAGE_NAME, log=lambda _line: None)
    _code, ids, _err = containers.run_once(
        client, BUILT_IMAGE_NAME, entrypoint=["sh", "-c", "id -u postgres; id -g postgres"])
    uid, gid = (int(x) for x in ids.decode().split())
    ca_pem, cert_pem, key_pem = _provider_tls()
    superuser_password, admin_password = secrets.token_hex(16), secrets.token_hex(16)
    container = client.containers.create(
        BUILT_IMAGE_NAME, name=name, environment={"POSTGRES_PASSWORD": superuser_password},
        command=["postgres", "-c", "ssl=on", "-c", f"ssl_cert_file={TLS_DIR}/server.crt",
                 "-c", f"ssl_key_file={TLS_DIR}/server.key"],
        ports={"5432/tcp": ("127.0.0.1", port)}, detach=True)
    try:
        container.put_archive("/", _tar({"server.crt": (cert_pem, 0o644),
                                         "server.key": (key_pem, 0o600)}, uid, gid))
        container.start()
        deadline = time.monotonic() + 60
        while "ready" not in _exec_quiet(container) and time.monotonic() < deadline:
            time.sleep(0.5)
        grants = ", ".join(PROVIDER_GRANTS)
        setup = (f"CREATE ROLE {ADMIN} LOGIN CREATEDB CREATEROLE PASSWORD '{admin_password}'; "
                 f"GRANT {grants} TO {ADMIN} WITH ADMIN OPTION; "
                 f"ALTER DATABASE postgres OWNER TO {ADMIN};")
        _exec(container, ["psql", "-v", "ON_ERROR_STOP=1", "-qc", setup])
        _exec(container, ["sh", "-c", f'printf "%s" "{PROVIDER_HBA}" > '
                                      '"$(psql -Atc "SHOW hba_file")"'])
        _exec(container, ["psql", "-qc", "SELECT pg_reload_conf()"])
        _exec(container, ["sh", "-c", "echo 'trusted = true' >> "
                                      "\"$(pg_config --sharedir)/extension/vector.control\""],
              user="root")
        server = ExternalServer(container=name, host="127.0.0.1", port=port, admin_user=ADMIN,
                                admin_password=admin_password, ca_cert=ca_pem)
        _wait(server.admin_dsn())
        yield server
    finally:
        container.remove(force=True, v=True)


def _exec_quiet(container: Container) -> str:
    code, out = container.exec_run(["pg_isready", "-h", "127.0.0.1"], user="postgres")
    assert isinstance(out, bytes)  # not streamed
    return "ready" if code == 0 else out.decode(errors="replace")
