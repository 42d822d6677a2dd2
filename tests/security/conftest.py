"""Fixtures of the security suite: the CLI runner, a second host that records any key reaching it, and a
self-signed TLS certificate for 127.0.0.1."""

from __future__ import annotations

import datetime
import ipaddress
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from faults.harness import Answer, TinyServer, gateway_env, seedance, serve

__all__ = ["Cert", "cert", "gateway_env", "other_host", "secret_key", "seedance"]


@pytest.fixture
def secret_key() -> str:
    """A fresh, recognisable API key for tests that run their own gateway."""
    return f"sk-secret-{secrets.token_hex(12)}"


@pytest.fixture
def other_host() -> Iterator[TinyServer]:
    """A server on another loopback address (127.0.0.2): any request reaching it is recorded in `seen`."""
    with serve(lambda seen: Answer(200, {"status": "QUEUED"}), host="127.0.0.2") as server:
        yield server


@dataclass(frozen=True)
class Cert:
    """A self-signed certificate for 127.0.0.1 and its private key, as PEM files."""

    cert: Path
    key: Path


@pytest.fixture(scope="session")
def cert(tmp_path_factory: pytest.TempPathFactory) -> Cert:
    """A self-signed certificate (made with `cryptography`) valid for 127.0.0.1, trusted by nobody."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    folder = tmp_path_factory.mktemp("tls")
    (folder / "cert.pem").write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    (folder / "key.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return Cert(folder / "cert.pem", folder / "key.pem")
