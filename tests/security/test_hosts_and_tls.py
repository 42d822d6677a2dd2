"""The key goes to the configured gateway only: a `polling_url` or a redirect to another host is not followed
with it (a real second server on 127.0.0.2 records what reaches it); TLS is always verified, and nothing in the
environment or on the command line turns that off."""

from __future__ import annotations

import ssl
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from faults.harness import ARGS, Answer, Run, Seen, TinyServer, created, journal_records, mp4_bytes, serve

from .conftest import Cert


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


@pytest.mark.parametrize("hops", [1, 3])
def test_a_result_url_that_redirects_is_followed_without_the_key(
    emulator: Any, seedance: Callable[..., Run], tmp_path: Path, hops: int
) -> None:
    """A CDN that redirects the result (to a signed or regional URL): the file arrives whole, and neither the
    redirecting host (127.0.0.2) nor the media server ever sees the key."""

    def cdn(seen: Seen) -> Answer:
        # /_media/... -> /hop-1/_media/... -> ... -> the emulator's own /_media/...
        first, _, rest = seen.path.lstrip("/").partition("/")
        done = int(first.removeprefix("hop-")) if first.startswith("hop-") else 0
        media_path = "/" + rest if done else seen.path
        done += 1
        target = f"{redirector.url}/hop-{done}{media_path}" if done < hops else emulator.base_url + media_path
        return Answer(302, b"", {"Location": target})

    with serve(cdn, host="127.0.0.2") as redirector:
        emulator.configure(media_base_url=redirector.url)
        run = seedance(*ARGS, "-o", str(tmp_path / "cat.mp4"))
    assert run.code == 0, run.stderr
    assert run.json()["sha256"] == emulator.job(run.json()["request_id"]).sha256
    assert len(redirector.seen) == hops
    assert redirector.keys_seen() == [None] * hops
    media = [r for r in emulator.requests if r.route == "media"]
    assert len(media) == 1
    assert not media[0].key_sent


def test_a_result_url_that_redirects_forever_is_exit_10_in_one_line(
    emulator: Any, seedance: Callable[..., Run], tmp_path: Path
) -> None:
    """A redirect loop ends in DownloadError (exit 10) naming the cause, with the way back to the paid job."""
    with serve(lambda seen: Answer(302, b"", {"Location": seen.path}), host="127.0.0.2") as loop:
        emulator.configure(media_base_url=loop.url)
        run = seedance(*ARGS, "-o", str(tmp_path / "cat.mp4"))
    assert run.code == 10, run.stderr
    assert "Traceback" not in run.stderr
    error = run.json()["error"]
    assert "redirects" in error["message"].lower()
    assert f"seedance download {run.json()['request_id']}" in error["hint"]
    assert loop.keys_seen() == [None] * len(loop.seen)
    assert created(emulator) == 1


def test_a_result_redirected_from_https_to_plain_http_is_refused(
    emulator: Any, seedance: Callable[..., Run], cli_env: dict[str, str], cert: Cert, tmp_path: Path
) -> None:
    """An https result URL whose CDN sends us to plain http: exit 10, nothing saved at the target (anyone on
    the plain-http hop could have replaced the paid video)."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert.cert, cert.key)
    downgrade = serve(lambda seen: Answer(302, b"", {"Location": emulator.base_url + seen.path}), tls=context)
    with downgrade as cdn:
        emulator.configure(media_base_url=cdn.url)
        env = {**cli_env, "SSL_CERT_FILE": str(cert.cert), "SEEDANCE_BASE_URL": emulator.base_url,
               "PIXAZO_API_KEY": emulator.api_key}  # fmt: skip
        run = seedance(*ARGS, "-o", str(tmp_path / "cat.mp4"), env=env)
    assert cdn.url.startswith("https://")
    assert run.code == 10, run.stderr
    assert "from https to plain http" in run.json()["error"]["message"]
    assert not (tmp_path / "cat.mp4").exists()
    assert list(tmp_path.glob("*.part")) == []
    assert cdn.keys_seen() == [None] * len(cdn.seen)


def test_a_callers_own_http_client_with_the_key_as_a_default_header_never_sends_it_to_the_cdn(
    emulator: Any, tmp_path: Path
) -> None:
    """`Client(http=httpx.Client(headers={key header: key}))`: gateway calls carry it, the result download
    and its redirect hop do not."""
    import httpx

    from seedance import Client
    from seedance.catalog import KEY_HEADER

    with serve(
        lambda seen: Answer(302, b"", {"Location": emulator.base_url + seen.path}), host="127.0.0.2"
    ) as cdn:
        emulator.configure(media_base_url=cdn.url, fps=4)
        http = httpx.Client(headers={KEY_HEADER: emulator.api_key}, follow_redirects=True)
        with Client(
            base_url=emulator.base_url, api_key=emulator.api_key, http=http, poll_interval=0.1
        ) as client:
            result = client.generate(
                {"prompt": "A cat", "duration": 4, "resolution": "480p"}, tmp_path / "cat.mp4"
            )
    assert result.sha256 == emulator.job(result.request_id).sha256
    assert cdn.keys_seen() == [None]
    media = [r for r in emulator.requests if r.route == "media"]
    assert [r.key_sent for r in media] == [False]
    assert all(r.key_sent for r in emulator.requests if r.route in ("submit", "status"))


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


def test_a_result_url_with_an_untrusted_certificate_is_refused(
    seedance: Callable[..., Run], cli_env: dict[str, str], cert: Cert, secret_key: str, tmp_path: Path
) -> None:
    """The media fetch verifies certificates too (it is a separate, keyless request): a result URL on an
    https host with a self-signed certificate is exit 10 naming the failed verification, with every usual
    'verify off' variable set; no byte is saved and the media host never decrypts a request."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert.cert, cert.key)
    with serve(lambda seen: Answer(200, mp4_bytes(4000)), tls=context) as media_host:
        done = {"status": "COMPLETED", "output": {"media_url": [media_host.url + "/v.mp4"]}}

        def gateway(seen: Seen) -> Answer:
            return Answer(202 if seen.method == "POST" else 200, {"request_id": "r-1", **done})

        with serve(gateway) as plain_gateway:
            env = {**cli_env, **TRY_TO_DISABLE, "SEEDANCE_BASE_URL": plain_gateway.url}
            run = seedance(*ARGS, "-o", str(tmp_path / "cat.mp4"), env={**env, "PIXAZO_API_KEY": secret_key})
    assert run.code == 10, run.stderr
    assert "certificate verify failed" in run.json()["error"]["message"].lower()
    assert media_host.seen == []
    assert not (tmp_path / "cat.mp4").exists()


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("http://192.0.2.2:36765", "unencrypted"),
        ("http://gateway.pixazo.ai", "unencrypted"),
        ("http://[::1", "not usable"),
        ("http://127.0.0.1:99999", "not usable"),
        ("https:///v1", "names no host"),
    ],
)
def test_a_gateway_url_that_would_leak_the_key_or_cannot_work_is_refused_before_anything(
    url: str, says: str, seedance: Callable[..., Run], cli_env: dict[str, str]
) -> None:
    """Plain http:// off this machine (the key would travel in clear text), or a URL that cannot be reached
    as written: exit 2 before the key is read or a row written; the journal stays empty."""
    env = {**cli_env, "PIXAZO_API_KEY": "k123456789-never-sent"}
    run = seedance("generate", "A cat", "--base-url", url, "--duration", "4", "--json", env=env)
    assert run.code == 2, run.stderr
    assert says in run.json()["error"]["message"]
    assert seedance("jobs", "--json", env=env).json()["jobs"] == []


def test_plain_http_to_another_machine_is_allowed_only_when_asked(
    seedance: Callable[..., Run], cli_env: dict[str, str]
) -> None:
    """SEEDANCE_ALLOW_HTTP=1 (an emulator in a test container): the URL is accepted (the dry run shows it)."""
    env = {**cli_env, "SEEDANCE_ALLOW_HTTP": "1"}
    run = seedance("generate", "A cat", "--base-url", "http://emulator:8080", "--dry-run", "--json", env=env)
    assert run.code == 0, run.stderr
    assert "http://emulator:8080/seedance-2-0/v1/text-to-video" in run.stdout
