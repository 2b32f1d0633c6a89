"""pulumi-tls resources issued with `cryptography` the way hashicorp/terraform-provider-tls
(bridged by pulumi-tls 5.x) issues them with Go's crypto/x509; paths are upstream's
internal/provider/:
- resource_private_key.go (Create): ECDSA keys as SEC1 "EC PRIVATE KEY", RSA as PKCS#1,
  ED25519 as PKCS#8; ecdsa_curve defaults to P224 and rsa_bits to 2048; the id is the SHA-1 of
  the public key's PKIX DER (common.go hashForState);
- common_cert.go createCertificate: a random serial below 2^128 (the id, in decimal),
  BasicConstraints on every certificate (CA:FALSE unless is_ca_certificate), the subject key id
  when asked (SHA-1 of the public key, generateSubjectKeyID), allowed_uses mapped to key usages
  and extended key usages (the keyUsages / extendedKeyUsages maps), NotAfter = NotBefore +
  validity_period_hours, times as RFC 3339;
- resource_locally_signed_cert.go: the subject and SANs copied from the request, nothing else of
  it; Go's x509.CreateCertificate sets the authority key id from the CA's subject key id;
- resource_cert_request.go: subject and SANs, id the SHA-1 of the request's DER.
Not modelled: the renewal plan (ModifyPlan replaces a certificate once `ready_for_renewal`);
a harness run issues certificates a year from their end.
"""

from __future__ import annotations

import datetime
import hashlib
import ipaddress
import secrets
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

_CURVES: dict[str, ec.EllipticCurve] = {"P224": ec.SECP224R1(), "P256": ec.SECP256R1(),
                                        "P384": ec.SECP384R1(), "P521": ec.SECP521R1()}
# allowed_uses name -> cryptography's KeyUsage argument
_KEY_USAGES = {"digital_signature": "digital_signature",
               "content_commitment": "content_commitment",
               "key_encipherment": "key_encipherment", "data_encipherment": "data_encipherment",
               "key_agreement": "key_agreement", "cert_signing": "key_cert_sign",
               "crl_signing": "crl_sign", "encipher_only": "encipher_only",
               "decipher_only": "decipher_only"}
_EXT_USAGES = {"server_auth": ExtendedKeyUsageOID.SERVER_AUTH,
               "client_auth": ExtendedKeyUsageOID.CLIENT_AUTH,
               "code_signing": ExtendedKeyUsageOID.CODE_SIGNING,
               "email_protection": ExtendedKeyUsageOID.EMAIL_PROTECTION,
               "timestamping": ExtendedKeyUsageOID.TIME_STAMPING,
               "ocsp_signing": ExtendedKeyUsageOID.OCSP_SIGNING,
               "any_extended": ExtendedKeyUsageOID.ANY_EXTENDED_KEY_USAGE}
_SUBJECT = (("commonName", NameOID.COMMON_NAME), ("organization", NameOID.ORGANIZATION_NAME),
            ("organizationalUnit", NameOID.ORGANIZATIONAL_UNIT_NAME),
            ("locality", NameOID.LOCALITY_NAME), ("province", NameOID.STATE_OR_PROVINCE_NAME),
            ("country", NameOID.COUNTRY_NAME), ("postalCode", NameOID.POSTAL_CODE),
            ("serialNumber", NameOID.SERIAL_NUMBER))
PEM = serialization.Encoding.PEM

PrivateKey = ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey | ed25519.Ed25519PrivateKey


def private_key(inputs: dict[str, Any]) -> dict[str, Any]:
    algorithm = inputs.get("algorithm") or "RSA"
    key: PrivateKey
    if algorithm == "ECDSA":
        curve = inputs.get("ecdsaCurve") or "P224"
        key = ec.generate_private_key(_CURVES[curve])
        fmt = serialization.PrivateFormat.TraditionalOpenSSL
    elif algorithm == "RSA":
        key = rsa.generate_private_key(65537, int(inputs.get("rsaBits") or 2048))
        fmt = serialization.PrivateFormat.TraditionalOpenSSL
    elif algorithm == "ED25519":
        key = ed25519.Ed25519PrivateKey.generate()
        fmt = serialization.PrivateFormat.PKCS8
    else:
        raise ValueError(f"harness: tls PrivateKey: unknown algorithm {algorithm!r}")
    none = serialization.NoEncryption()
    public = key.public_key()
    der = public.public_bytes(serialization.Encoding.DER,
                              serialization.PublicFormat.SubjectPublicKeyInfo)
    return {**inputs, "algorithm": algorithm,
            "privateKeyPem": key.private_bytes(PEM, fmt, none).decode(),
            "privateKeyPemPkcs8": key.private_bytes(
                PEM, serialization.PrivateFormat.PKCS8, none).decode(),
            "publicKeyPem": public.public_bytes(
                PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode(),
            "id": hashlib.sha1(der).hexdigest()}


def _load_key(pem: str) -> Any:
    return serialization.load_pem_private_key(pem.encode(), password=None)


def _name(subject: dict[str, Any] | None) -> x509.Name:
    subject = subject or {}
    return x509.Name([x509.NameAttribute(oid, str(subject[k])) for k, oid in _SUBJECT
                      if subject.get(k)])


def _sans(inputs: dict[str, Any]) -> list[x509.GeneralName]:
    return [*(x509.DNSName(n) for n in inputs.get("dnsNames") or []),
            *(x509.IPAddress(ipaddress.ip_address(a)) for a in inputs.get("ipAddresses") or []),
            *(x509.UniformResourceIdentifier(u) for u in inputs.get("uris") or [])]


def _rfc3339(t: datetime.datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def _issue(inputs: dict[str, Any], *, subject: x509.Name, sans: list[x509.GeneralName],
           public: Any, issuer: x509.Name, signer: Any,
           authority_key_id: x509.SubjectKeyIdentifier | None) -> dict[str, Any]:
    now = datetime.datetime.now(datetime.UTC).replace(microsecond=0)
    end = now + datetime.timedelta(hours=int(inputs["validityPeriodHours"]))
    serial = secrets.randbelow(1 << 128)
    is_ca = bool(inputs.get("isCaCertificate"))
    path_length = inputs.get("maxPathLength")
    builder = (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer)
               .public_key(public).serial_number(serial).not_valid_before(now)
               .not_valid_after(end)
               .add_extension(x509.BasicConstraints(
                   ca=is_ca, path_length=int(path_length) if is_ca and path_length is not None
                   and int(path_length) >= 0 else None), critical=True))
    uses = list(inputs.get("allowedUses") or [])
    if any(u in _KEY_USAGES for u in uses):
        flags = {arg: use in uses for use, arg in _KEY_USAGES.items()}
        builder = builder.add_extension(x509.KeyUsage(**flags), critical=True)
    ext = [_EXT_USAGES[u] for u in uses if u in _EXT_USAGES]
    if ext:
        builder = builder.add_extension(x509.ExtendedKeyUsage(ext), critical=False)
    if sans:
        builder = builder.add_extension(x509.SubjectAlternativeName(sans), critical=False)
    if is_ca or inputs.get("setSubjectKeyId"):
        builder = builder.add_extension(x509.SubjectKeyIdentifier.from_public_key(public),
                                        critical=False)
    if authority_key_id is not None:
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(authority_key_id),
            critical=False)
    algorithm = None if isinstance(signer, ed25519.Ed25519PrivateKey) else hashes.SHA256()
    cert = builder.sign(signer, algorithm)
    return {**inputs, "certPem": cert.public_bytes(PEM).decode(), "id": str(serial),
            "validityStartTime": _rfc3339(now), "validityEndTime": _rfc3339(end),
            "readyForRenewal": False}


def self_signed_cert(inputs: dict[str, Any]) -> dict[str, Any]:
    key = _load_key(inputs["privateKeyPem"])
    subject = _name(inputs.get("subject"))
    if inputs.get("isCaCertificate") and not list(subject):
        raise ValueError("harness: tls SelfSignedCert: a CA certificate must contain at least "
                         "one Distinguished Name (upstream's error)")
    return _issue(inputs, subject=subject, sans=_sans(inputs), public=key.public_key(),
                  issuer=subject, signer=key, authority_key_id=None)


def cert_request(inputs: dict[str, Any]) -> dict[str, Any]:
    key = _load_key(inputs["privateKeyPem"])
    builder = x509.CertificateSigningRequestBuilder().subject_name(_name(inputs.get("subject")))
    sans = _sans(inputs)
    if sans:
        builder = builder.add_extension(x509.SubjectAlternativeName(sans), critical=False)
    algorithm = None if isinstance(key, ed25519.Ed25519PrivateKey) else hashes.SHA256()
    csr = builder.sign(key, algorithm)
    der = csr.public_bytes(serialization.Encoding.DER)
    return {**inputs, "certRequestPem": csr.public_bytes(PEM).decode(),
            "id": hashlib.sha1(der).hexdigest()}


def locally_signed_cert(inputs: dict[str, Any]) -> dict[str, Any]:
    csr = x509.load_pem_x509_csr(inputs["certRequestPem"].encode())
    ca = x509.load_pem_x509_certificate(inputs["caCertPem"].encode())
    try:
        sans = list(csr.extensions.get_extension_for_class(x509.SubjectAlternativeName).value)
    except x509.ExtensionNotFound:
        sans = []
    try:
        ca_ski = ca.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    except x509.ExtensionNotFound:
        ca_ski = None
    return _issue(inputs, subject=csr.subject, sans=sans, public=csr.public_key(),
                  issuer=ca.subject, signer=_load_key(inputs["caPrivateKeyPem"]),
                  authority_key_id=ca_ski)
