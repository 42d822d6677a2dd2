"""The key goes to the configured gateway only: a `polling_url` or a redirect to another host is not followed
with it (a real second server on 127.0.0.2 records what reaches it); TLS is always verified, and nothing in the
environment or on the command line turns that off."""

from __future__ import annotations

import ssl
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from faults.harness import ARGS, Answer, Run, Seen, TinyServer, created, journal_records, serve

from .conftest import Cert

SRC = Path(__file__).resolve().parents[2] / "src" / "seedance"


def test_a_polling_url_on_another_host_is_never_called(
    emulator: Any, seedance: Callable[..., Run], other_host: TinyServer, tmp_path: Path
) -> None:
    """The gateway's polling_url points at 127.0.0.2: the job is polled on the gateway, and 127.0.0.2 sees
    not one request, with or without the key."""
    emulator.configure(dialect={"polling_url": other_host.url})
    run = seedance(*ARGS, "-o", str(tmp_path / "cat.mp4"))
    assert run.code == 0, run.stderr
    submit = next(r for r in emulator.requests if r.route == "submit")
    assert submit.status == 202  # the answer really carried the other host's polling_url
    polls = [r for r in emulator.requests if r.route == "status"]
    assert polls
    assert all(r.key_sent for r in polls)
    assert other_host.seen == []
    assert created(emulator) == 1


def redirecting(to: str) -> Callable[[Seen], Answer]:
    """A gateway that answers every call with a redirect to `to`."""
    return lambda seen: Answer(307 if seen.method == "POST" else 302, {}, {"Location": to + seen.path})


@pytest.mark.parametrize("command", [ARGS, ("status", "r-1", "--json")], ids=["submit", "status"])
def test_a_redirect_to_another_host_is_not_followed(
    command: tuple[str, ...],
    seedance: Callable[..., Run],
    cli_env: dict[str, str],
    other_host: TinyServer,
    secret_key: str,
) -> None:
    """Submit and status answered with a redirect to 127.0.0.2: exit 6 naming the status, and the other host
    never hears from us."""
    with serve(redirecting(other_host.url)) as gateway:
        env = {**cli_env, "SEEDANCE_BASE_URL": gateway.url, "PIXAZO_API_KEY": secret_key}
        run = seedance(*command, env=env)
    assert gateway.keys_seen() == [secret_key]
    assert run.code == 6, run.stderr
    assert ("(307)" if command == ARGS else "(302)") in run.json()["error"]["message"]
    assert other_host.seen == []
    if command == ARGS:
        assert [r.state for r in journal_records(env)] == ["rejected"]


@pytest.fixture
def tls_gateway(cert: Cert) -> Any:
    """An HTTPS gateway on 127.0.0.1 with a self-signed certificate; it answers every status as QUEUED."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert.cert, cert.key)
    with serve(lambda seen: Answer(200, {"request_id": "r-1", "status": "QUEUED"}), tls=context) as server:
        yield server


TRY_TO_DISABLE = {
    "PYTHONHTTPSVERIFY": "0",
    "CURL_CA_BUNDLE": "",
    "REQUESTS_CA_BUNDLE": "",
    "SSL_CERT_FILE": "",
    "SSL_CERT_DIR": "",
    "HTTPX_VERIFY": "0",
    "SEEDANCE_VERIFY": "0",
    "SEEDANCE_INSECURE": "1",
    "SEEDANCE_TLS_VERIFY": "false",
    "NODE_TLS_REJECT_UNAUTHORIZED": "0",
}


def test_a_self_signed_gateway_is_refused_with_a_clear_error(
    seedance: Callable[..., Run], cli_env: dict[str, str], tls_gateway: TinyServer, secret_key: str
) -> None:
    """An https gateway with an untrusted certificate: exit 7 saying the certificate failed verification, no
    request ever decrypted by it, even with every usual 'verify off' variable set."""
    env = {**cli_env, **TRY_TO_DISABLE, "SEEDANCE_BASE_URL": tls_gateway.url, "PIXAZO_API_KEY": secret_key}
    run = seedance(*ARGS, env=env)
    assert run.code == 7, run.stderr
    assert "certificate verify failed" in run.json()["error"]["message"].lower()
    assert tls_gateway.seen == []
    assert [r.state for r in journal_records(env)] == ["rejected"]


def test_the_same_gateway_works_once_its_certificate_is_trusted(
    seedance: Callable[..., Run],
    cli_env: dict[str, str],
    tls_gateway: TinyServer,
    cert: Cert,
    secret_key: str,
) -> None:
    """Control: trusting the certificate explicitly (SSL_CERT_FILE) is the one way in, and then it works."""
    env = {**cli_env, "SSL_CERT_FILE": str(cert.cert), "SEEDANCE_BASE_URL": tls_gateway.url}
    run = seedance("status", "r-1", "--json", env={**env, "PIXAZO_API_KEY": secret_key})
    assert run.code == 0, run.stderr
    assert run.json()["status"] == "QUEUED"
    assert tls_gateway.keys_seen() == [secret_key]


@pytest.mark.parametrize("flag", ["--insecure", "--no-verify"])
def test_no_option_turns_verification_off(
    flag: str, seedance: Callable[..., Run], cli_env: dict[str, str]
) -> None:
    """There is no such option: it is a usage error (exit 2), not a silent downgrade."""
    run = seedance("generate", "A cat", flag, "--dry-run", env=cli_env)
    assert run.code == 2
    assert "No such option" in run.stderr


def test_no_code_path_builds_an_unverified_tls_context() -> None:
    """No module of the library disables certificate or host name checks, or follows redirects."""
    patterns = (
        "verify=False",
        "CERT_NONE",
        "check_hostname = False",
        "_create_unverified_context",
        "follow_redirects=True",
    )
    found = [
        f"{path.relative_to(SRC)}: {pattern}"
        for path in SRC.rglob("*.py")
        for pattern in patterns
        if pattern in path.read_text(encoding="utf-8")
    ]
    assert found == []
    assert "verify=True" in (SRC / "client.py").read_text(encoding="utf-8")
