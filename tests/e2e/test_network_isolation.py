"""The server on its own Docker network, TLS only, pg_hba from the model, tried from where an
attacker would stand: another container on Docker's default network, a container that got onto
the server's own network, and a client that trusts another CA or dials another name."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote, urlparse

import psycopg
import pytest
from psycopg.conninfo import make_conninfo

import docker
from pgplatform import hba
from pgplatform.model import BUILT_IMAGE_NAME
from pgplatform_ops import containers
from pgplatform_ops.stack import DeployedStack

from e2e_support import CiDeployment

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def deployed(ci_deployment: CiDeployment) -> DeployedStack:
    return ci_deployment.deployed


@pytest.fixture(scope="module")
def server_ip(deployed: DeployedStack) -> str:
    s = deployed.cfg.server
    networks = docker.from_env().containers.get(s.container_name).attrs["NetworkSettings"][
        "Networks"]
    assert list(networks) == [s.network_name], "the server is on its own network only"
    return str(networks[s.network_name]["IPAddress"])


def _psql_from(network: str | None, host: str, user: str, password: str, database: str
               ) -> str:
    """psql's output, run in a throwaway container of the server's image on `network`
    (Docker's default bridge when None)."""
    _code, out, _err = containers.run_once(
        docker.from_env(), BUILT_IMAGE_NAME, entrypoint=["sh", "-c"], network=network,
        environment={"PGPASSWORD": password, "PGCONNECT_TIMEOUT": "3", "PGSSLMODE": "require"},
        command=[f'psql -h {host} -U "{user}" -d "{database}" -tAc "select 1" 2>&1; true'])
    return out.decode(errors="replace")


def _admin(deployed: DeployedStack) -> tuple[str, str]:
    url = urlparse(deployed.outputs.admin_dsn)
    return unquote(url.username or ""), unquote(url.password or "")


def test_network__a_container_on_the_default_network_cannot_reach_the_server(
        deployed: DeployedStack, server_ip: str) -> None:
    user, password = _admin(deployed)
    out = _psql_from(None, server_ip, user, password, "postgres")
    assert "timeout expired" in out or "could not connect" in out or "No route" in out, out


def test_network__the_admin_is_refused_from_another_container_on_its_network(
        deployed: DeployedStack, server_ip: str) -> None:
    """Right password, TLS, the server's own network: only the host's gateway may be the
    admin, so pg_hba's last rule rejects it."""
    user, password = _admin(deployed)
    out = _psql_from(deployed.cfg.server.network_name, server_ip, user, password, "postgres")
    assert hba.REJECTED in out and f'user "{user}"' in out, out


def test_network__a_login_is_refused_from_another_container_on_its_network(
        deployed: DeployedStack, server_ip: str) -> None:
    """Right password, TLS, the server's network: an app login the pooler serves meets the
    sidecars' rule and has no client certificate from the stack's CA; the read-only login
    (no pooler) is rejected outright."""
    svc = deployed.cfg.services[0]
    assert deployed.cfg.server.pooler is not None
    for role, dsn, refusal in (
            (svc.login_role, deployed.outputs.services[svc.name].dsn, hba.CLIENT_CERT_REQUIRED),
            (svc.readonly_role, deployed.outputs.services[svc.name].readonly_dsn,
             hba.REJECTED)):
        url = urlparse(dsn)
        out = _psql_from(deployed.cfg.server.network_name, server_ip, role,
                         unquote(url.password or ""), svc.database)
        assert refusal in out, (role, out)


@pytest.fixture(scope="module")
def other_ca(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    from harness import tls_apply

    key = tls_apply.private_key({"algorithm": "ECDSA", "ecdsaCurve": "P256"})
    ca = tls_apply.self_signed_cert({
        "privateKeyPem": key["privateKeyPem"], "isCaCertificate": True,
        "subject": {"commonName": "not the stack's CA"}, "validityPeriodHours": 1,
        "allowedUses": ["cert_signing"]})
    path = tmp_path_factory.mktemp("other-ca") / "ca.pem"
    path.write_text(ca["certPem"])
    yield path


def test_tls__a_client_trusting_another_ca_refuses_the_server(
        deployed: DeployedStack, other_ca: Path) -> None:
    dsn = make_conninfo(deployed.outputs.admin_dsn, sslrootcert=str(other_ca))
    with pytest.raises(psycopg.OperationalError, match="certificate verify failed"):
        psycopg.connect(dsn, connect_timeout=5).close()


def test_tls__the_certificate_names_what_clients_dial_and_nothing_else(
        deployed: DeployedStack) -> None:
    s = deployed.cfg.server
    for name in ("localhost", s.connect_host):
        with psycopg.connect(deployed.admin_dsn(), host=name, hostaddr=s.connect_host,
                             connect_timeout=5) as conn:
            assert conn.execute("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()"
                                ).fetchone() == (True,)
    with pytest.raises(psycopg.OperationalError, match="does not match host name"):
        psycopg.connect(deployed.admin_dsn(), host="db.example.com", hostaddr=s.connect_host,
                        connect_timeout=5).close()
