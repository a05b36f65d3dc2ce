"""The whole of deploy/nginx/haven.conf with a real certificate: its TLS server on one loopback
port, its port-80 redirect on another, in front of two Haven processes that run with
production's settings (tests/deploy/nginx_config.py `tls_config` changes only the ports, the
host name, the certificate directory and the paths). A throwaway certificate authority is made
for each run (tests/deploy/certificates.py); every client here trusts it and nothing else.

Skipped without /usr/sbin/nginx, and failed instead under HAVEN_REQUIRE_NGINX=1 (CI), as
tests/deploy/test_nginx.py is."""

from __future__ import annotations

import http.client
import re
import socket
import ssl
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import pytest

from haven.demo.child import free_port
from tests.browser.asgi_server import AsgiServer
from tests.deploy.certificates import issue
from tests.deploy.live import chat_both_ways, collect_static, require_nginx, two_servers
from tests.deploy.nginx_config import NginxFailed, https_get, running_tls_nginx

pytestmark = pytest.mark.django_db(transaction=True)

HOST = "localhost"
# Django's SecurityMiddleware with production's defaults (HAVEN_HSTS_SECONDS, _PRELOAD).
HSTS = "max-age=31536000; includeSubDomains; preload"


@dataclass(frozen=True)
class TlsSite:
    base_url: str  # https://localhost:PORT, also the servers' HAVEN_BASE_URL
    https_port: int
    http_port: int
    root: Path  # the throwaway authority's certificate
    servers: list[AsgiServer]
    logs: Path  # where nginx writes its access log

    def trusting_client(self) -> ssl.SSLContext:
        """A client context that trusts the throwaway authority and no other."""
        return ssl.create_default_context(cafile=self.root)


@pytest.fixture(scope="module")
def tls_site(django_db_setup: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TlsSite]:
    """Started once for this module's tests (they hold no data of their own)."""
    require_nginx()
    tmp_path = tmp_path_factory.mktemp("nginx-tls")
    static = tmp_path / "static"
    collect_static(static)
    certificates = issue(tmp_path / "certificates")
    https_port, http_port = free_port(), free_port()
    base_url = f"https://{HOST}:{https_port}"
    with two_servers(tmp_path, base_url=base_url, production=True) as servers:
        site = TlsSite(base_url, https_port, http_port, certificates.root, list(servers), tmp_path)
        try:
            with running_tls_nginx(
                tmp_path,
                https_port=https_port,
                http_port=http_port,
                upstream_ports=[server.port for server in servers],
                static=static,
                certificates=certificates.live,
                trust=site.trusting_client(),
            ):
                yield site
        except NginxFailed as error:
            pytest.fail(str(error))


def handshake(port: int, context: ssl.SSLContext) -> ssl.SSLSocket:
    """A TLS connection to localhost:PORT with CONTEXT, or ssl.SSLError."""
    raw = socket.create_connection(("127.0.0.1", port), timeout=10)
    try:
        return context.wrap_socket(raw, server_hostname=HOST)
    except BaseException:
        raw.close()
        raise


def _cookies_set_by(headers: http.client.HTTPMessage) -> SimpleCookie:
    cookies = SimpleCookie()
    for set_cookie in headers.get_all("Set-Cookie") or []:
        cookies.load(set_cookie)
    return cookies


def test_pages_load_over_https_and_haven_sees_them_as_secure(tls_site: TlsSite) -> None:
    status, headers, body = https_get(
        tls_site.https_port, "/accounts/login/", tls_site.trusting_client()
    )
    assert status == 200 and b"csrfmiddlewaretoken" in body
    # Django sends HSTS only on a request it takes for HTTPS (request.is_secure(), from
    # nginx's X-Forwarded-Proto), and redirects any other to https://; nginx adds none.
    assert headers.get_all("Strict-Transport-Security") == [HSTS]
    # production's cookies travel over HTTPS only
    assert _cookies_set_by(headers)["csrftoken"]["secure"] is True

    # The same page straight from a Haven process over plain HTTP, without the proxy's
    # header: production's settings send it to https:// and say nothing about HSTS.
    straight = http.client.HTTPConnection("127.0.0.1", tls_site.servers[0].port, timeout=10)
    try:
        straight.request("GET", "/accounts/login/")
        response = straight.getresponse()
        assert response.status == 301
        assert (
            response.headers["Location"]
            == f"https://127.0.0.1:{tls_site.servers[0].port}/accounts/login/"
        )
        assert response.headers.get("Strict-Transport-Security") is None
    finally:
        straight.close()


def test_a_process_answers_its_health_check_over_plain_http(tls_site: TlsSite) -> None:
    # A load balancer asks each process directly, not through nginx: no redirect to https.
    straight = http.client.HTTPConnection("127.0.0.1", tls_site.servers[0].port, timeout=10)
    try:
        straight.request("GET", "/healthz", headers={"Host": "localhost"})
        response = straight.getresponse()
        assert response.status in {200, 503}, response.status
        assert b'"database"' in response.read()
    finally:
        straight.close()


def _sign_in_from(site: TlsSite, origin: str) -> tuple[int, bytes]:
    """A browser's sign-in with a wrong password, its form sent from ORIGIN: the status and
    the page."""
    status, headers, body = https_get(site.https_port, "/accounts/login/", site.trusting_client())
    assert status == 200
    cookies = _cookies_set_by(headers)
    found = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
    assert found is not None
    form = urlencode({"csrfmiddlewaretoken": found.group(1).decode(),
                      "login": "nobody@example.org", "password": "not the password"})
    connection = http.client.HTTPSConnection(HOST, site.https_port,
                                             context=site.trusting_client(), timeout=10)
    try:
        connection.request("POST", "/accounts/login/", body=form, headers={
            "Content-Type": "application/x-www-form-urlencoded", "Origin": origin,
            "Referer": f"{origin}/accounts/login/",
            "Cookie": f"csrftoken={cookies['csrftoken'].value}"})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def test_a_form_from_the_base_url_is_accepted_on_a_port_other_than_443(
        tls_site: TlsSite) -> None:
    # nginx passes Host without the port ($host), the browser's Origin carries it: the base
    # URL counts as a trusted origin, so the sign-in reaches the form (and is refused there).
    status, page = _sign_in_from(tls_site, tls_site.base_url)
    assert status == 200
    assert b'role="alert"' in page

    # Any other origin is still refused before the form is read.
    status, _page = _sign_in_from(tls_site, f"https://elsewhere.example:{tls_site.https_port}")
    assert status == 403


def test_a_client_that_does_not_trust_the_authority_is_refused(tls_site: TlsSite) -> None:
    with pytest.raises(ssl.SSLCertVerificationError):
        https_get(tls_site.https_port, "/healthz", ssl.create_default_context())


def test_plain_http_is_redirected_to_https_with_the_same_path(tls_site: TlsSite) -> None:
    path = "/accounts/password/reset/key/1-tls-test-token/?next=%2Fsupport%2F"
    connection = http.client.HTTPConnection("127.0.0.1", tls_site.http_port, timeout=10)
    try:
        connection.request("GET", path, headers={"Host": HOST})
        response = connection.getresponse()
        assert response.status == 301
        assert response.headers["Location"] == f"https://{HOST}{path}"
    finally:
        connection.close()
    # The redirect's access-log line, like the site's, names neither path nor query.
    log = (tls_site.logs / "haven.access.log").read_text(encoding="utf-8")
    assert " GET 301 " in log
    assert "tls-test-token" not in log and "support" not in log


@pytest.mark.parametrize(
    "version", [ssl.TLSVersion.TLSv1_2, ssl.TLSVersion.TLSv1_3], ids=lambda version: version.name
)
def test_tls_1_2_and_1_3_are_accepted_with_http2_and_forward_secrecy(
    tls_site: TlsSite, version: ssl.TLSVersion
) -> None:
    context = tls_site.trusting_client()
    context.minimum_version = context.maximum_version = version
    context.set_alpn_protocols(["h2", "http/1.1"])
    with handshake(tls_site.https_port, context) as connection:
        assert (
            connection.version()
            == {ssl.TLSVersion.TLSv1_2: "TLSv1.2", ssl.TLSVersion.TLSv1_3: "TLSv1.3"}[version]
        )
        assert connection.selected_alpn_protocol() == "h2"
        cipher = connection.cipher()
        assert cipher is not None
        # TLS 1.3's suites all use ephemeral keys; in TLS 1.2 only ECDHE's do.
        assert cipher[0].startswith("TLS_" if version is ssl.TLSVersion.TLSv1_3 else "ECDHE-")


@pytest.mark.parametrize(
    "version", [ssl.TLSVersion.TLSv1, ssl.TLSVersion.TLSv1_1], ids=lambda version: version.name
)
def test_tls_1_1_and_older_are_refused(tls_site: TlsSite, version: ssl.TLSVersion) -> None:
    context = tls_site.trusting_client()
    with warnings.catch_warnings():  # the old versions are deprecated: that is the point
        warnings.simplefilter("ignore", DeprecationWarning)
        context.minimum_version = context.maximum_version = version
    # OpenSSL 3 would not even offer these versions at its default security level: lower it,
    # so that the client asks and the refusal is nginx's (a protocol_version alert).
    context.set_ciphers("DEFAULT:@SECLEVEL=0")
    with pytest.raises(ssl.SSLError) as refused:
        handshake(tls_site.https_port, context).close()
    assert refused.value.reason == "TLSV1_ALERT_PROTOCOL_VERSION", refused.value


def test_tls_1_2_ciphers_without_forward_secrecy_or_aead_are_refused(tls_site: TlsSite) -> None:
    context = tls_site.trusting_client()
    context.maximum_version = ssl.TLSVersion.TLSv1_2
    # An RSA key exchange (a recorded session opens once the key leaks), and CBC with SHA-1.
    for ciphers in ("AES128-GCM-SHA256:AES256-GCM-SHA384", "ECDHE-RSA-AES128-SHA"):
        context.set_ciphers(ciphers)
        with pytest.raises(ssl.SSLError) as refused:
            handshake(tls_site.https_port, context).close()
        assert refused.value.reason == "SSLV3_ALERT_HANDSHAKE_FAILURE", (ciphers, refused.value)


def test_live_chat_goes_both_ways_over_wss(tls_site: TlsSite) -> None:
    chat_both_ways(
        tls_site.base_url.replace("https://", "wss://", 1),
        origin=tls_site.base_url,
        tls=tls_site.trusting_client(),
    )
