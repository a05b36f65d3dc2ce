"""A throwaway certificate authority, made at run time, and a server certificate it issues for
localhost and 127.0.0.1, laid out as certbot lays out /etc/letsencrypt/live/NAME/ (the paths
deploy/nginx/haven.conf names). A root signs an intermediate that signs the server's
certificate, as public authorities do: a site that sent its certificate without the chain
would fail a client that trusts only the root."""

from __future__ import annotations

import datetime
import ipaddress
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

PrivateKey = ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey


@dataclass(frozen=True)
class Certificates:
    root: Path  # root.pem: the one authority the tests' clients trust
    live: Path  # cert.pem, chain.pem, fullchain.pem, privkey.pem, as certbot writes them


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _certificate(
    *,
    subject: str,
    key: PrivateKey,
    issuer: str,
    issuer_key: PrivateKey,
    authority: bool,
    names: list[x509.GeneralName] | None = None,
) -> x509.Certificate:
    now = datetime.datetime.now(datetime.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(_name(issuer))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=authority, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                key_encipherment=not authority,
                key_cert_sign=authority,
                crl_sign=authority,
                content_commitment=False,
                data_encipherment=False,
                key_agreement=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()),
            critical=False,
        )
    )
    if names:
        builder = builder.add_extension(x509.SubjectAlternativeName(names), critical=False)
        builder = builder.add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False
        )
    return builder.sign(issuer_key, hashes.SHA256())


def _pem(*certificates: x509.Certificate) -> bytes:
    return b"".join(cert.public_bytes(serialization.Encoding.PEM) for cert in certificates)


def issue(directory: Path) -> Certificates:
    """A new root, intermediate and server certificate under DIRECTORY. The server's key is
    RSA (an organisation's certificate often is; certbot's default is ECDSA): with RSA, a
    TLS 1.2 cipher without forward secrecy is possible unless the site rules it out."""
    root_key = ec.generate_private_key(ec.SECP256R1())
    root = _certificate(
        subject="Haven test root",
        key=root_key,
        issuer="Haven test root",
        issuer_key=root_key,
        authority=True,
    )
    intermediate_key = ec.generate_private_key(ec.SECP256R1())
    intermediate = _certificate(
        subject="Haven test intermediate",
        key=intermediate_key,
        issuer="Haven test root",
        issuer_key=root_key,
        authority=True,
    )
    server_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    server = _certificate(
        subject="localhost",
        key=server_key,
        issuer="Haven test intermediate",
        issuer_key=intermediate_key,
        authority=False,
        names=[x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))],
    )

    live = directory / "live"
    live.mkdir(parents=True)
    (directory / "root.pem").write_bytes(_pem(root))
    (live / "cert.pem").write_bytes(_pem(server))
    (live / "chain.pem").write_bytes(_pem(intermediate))
    (live / "fullchain.pem").write_bytes(_pem(server, intermediate))
    key_file = live / "privkey.pem"
    key_file.write_bytes(
        server_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    key_file.chmod(0o600)
    return Certificates(root=directory / "root.pem", live=live)
