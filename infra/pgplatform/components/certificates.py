"""The stack's TLS: its own CA and the server's certificate, issued by pulumi-tls and kept in
the Pulumi state (the keys as secrets). Clients verify the server against the CA (`ca_cert`
output, `sslmode=verify-full`); the CA's key never leaves the state."""

from __future__ import annotations

import pulumi
import pulumi_tls as tls

from pgplatform import resource_types
from pgplatform.model import ServerConfig

# P-256: what every libpq/OpenSSL build verifies, and fast handshakes.
KEY_ALGORITHM, KEY_CURVE = "ECDSA", "P256"
CA_VALIDITY_HOURS = 10 * 365 * 24
SERVER_VALIDITY_HOURS = 365 * 24
# Within 30 days of its end, the next `up` issues a new server certificate (upstream plans a
# replacement once `ready_for_renewal`), which replaces the container to load it.
SERVER_EARLY_RENEWAL_HOURS = 30 * 24
SERVER_USES = ("digital_signature", "key_encipherment", "server_auth")
CLIENT_USES = ("digital_signature", "key_encipherment", "client_auth")


class StackCertificates(pulumi.ComponentResource):
    ca_cert_pem: pulumi.Output[str]
    server_cert_pem: pulumi.Output[str]
    server_key_pem: pulumi.Output[str]

    def __init__(self, name: str, stack: str, server: ServerConfig,
                 opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(resource_types.STACK_CERTIFICATES, name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        ca_key = tls.PrivateKey(f"{name}-ca-key", algorithm=KEY_ALGORITHM,
                                ecdsa_curve=KEY_CURVE, opts=child)
        ca = tls.SelfSignedCert(
            f"{name}-ca", private_key_pem=ca_key.private_key_pem, is_ca_certificate=True,
            # Signs server certificates only: no intermediate below it.
            max_path_length=0, set_subject_key_id=True,
            subject=tls.SelfSignedCertSubjectArgs(common_name=f"pgplatform {stack} CA",
                                                  organization="pgplatform"),
            validity_period_hours=CA_VALIDITY_HOURS,
            allowed_uses=["cert_signing", "crl_signing"], opts=child)
        self._name, self._ca_key, self._ca = name, ca_key, ca
        self.ca_cert_pem = ca.cert_pem
        self.server_cert_pem, self.server_key_pem = self.issue(
            "server", server.container_name, server.tls_dns_names, server.tls_ip_addresses)
        self.register_outputs({"ca_cert_pem": ca.cert_pem})

    def issue_client(self, part: str, common_name: str
                     ) -> tuple[pulumi.Output[str], pulumi.Output[str]]:
        """A client certificate signed by the stack's CA and its key (secret): what a sidecar
        on the server's network shows the server besides its password (pg_hba
        `clientcert=verify-ca`), which another container there cannot."""
        return self.issue(part, common_name, (), (), uses=CLIENT_USES)

    def issue(self, part: str, common_name: str, dns_names: tuple[str, ...],
              ip_addresses: tuple[str, ...], uses: tuple[str, ...] = ()
              ) -> tuple[pulumi.Output[str], pulumi.Output[str]]:
        """A server certificate signed by the stack's CA and its key (secret): for the server,
        and for the pooler and replicas, which clients verify by the same CA."""
        child = pulumi.ResourceOptions(parent=self)
        key = tls.PrivateKey(f"{self._name}-{part}-key", algorithm=KEY_ALGORITHM,
                             ecdsa_curve=KEY_CURVE, opts=child)
        request = tls.CertRequest(
            f"{self._name}-{part}-request", private_key_pem=key.private_key_pem,
            subject=tls.CertRequestSubjectArgs(common_name=common_name,
                                               organization="pgplatform"),
            dns_names=list(dns_names), ip_addresses=list(ip_addresses), opts=child)
        cert = tls.LocallySignedCert(
            f"{self._name}-{part}", cert_request_pem=request.cert_request_pem,
            ca_private_key_pem=self._ca_key.private_key_pem, ca_cert_pem=self._ca.cert_pem,
            validity_period_hours=SERVER_VALIDITY_HOURS,
            early_renewal_hours=SERVER_EARLY_RENEWAL_HOURS,
            allowed_uses=list(uses or SERVER_USES), opts=child)
        return cert.cert_pem, pulumi.Output.secret(key.private_key_pem)
