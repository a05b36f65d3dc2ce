"""nginx in front of two Haven processes, with deploy/nginx/haven.conf's own upstream and site
blocks, adapted to loopback: plain HTTP on a free port, no TLS, everything in a temporary
directory, `daemon off`. Pages, static files, the websocket chat both ways, the upload limit
and the client address Haven trusts (issue 15, item 2).

Without /usr/sbin/nginx the test is skipped with the reason; CI installs nginx and sets
HAVEN_REQUIRE_NGINX=1, which turns that skip into a failure."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from haven.core.audit import hash_identifier
from haven.core.models import AuditAction, AuditEvent
from haven.demo.child import free_port
from tests.browser.asgi_server import AsgiServer
from tests.deploy.live import chat_both_ways, collect_static, require_nginx, two_servers
from tests.deploy.nginx_config import NginxFailed, running_nginx, status_of
from tests.http_browser import Browser

pytestmark = pytest.mark.django_db(transaction=True)

ELSEWHERE = "127.0.0.2"  # a client that is not the proxy (Linux answers on all of 127/8)


@pytest.fixture(scope="module")
def proxied(
    django_db_setup: None, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, list[AsgiServer], Path]]:
    """nginx's base URL, the two Haven processes behind it, the collected static dir; started
    once for this module's tests (they hold no data of their own: the database is shared)."""
    require_nginx()
    tmp_path = tmp_path_factory.mktemp("nginx")
    static = tmp_path / "static"
    collect_static(static)
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    with two_servers(tmp_path, base_url=base_url) as servers:
        try:
            with running_nginx(
                tmp_path,
                port=port,
                static=static,
                upstream_ports=[server.port for server in servers],
            ):
                yield base_url, list(servers), static
        except NginxFailed as error:
            pytest.fail(str(error))


def test_nginx_serves_pages_static_files_and_live_chat_from_two_processes(
    proxied: tuple[str, list[AsgiServer], Path],
) -> None:
    base_url, servers, static = proxied
    page = Browser(base_url)
    status, _, html = page.get("/accounts/login/")
    assert status == 200 and "csrfmiddlewaretoken" in html
    stylesheet = re.search(r'href="/static/([^"]+\.css)"', html)
    assert stylesheet, "the sign-in page links no stylesheet"
    status, _, css = page.get(f"/static/{stylesheet.group(1)}")
    assert status == 200
    assert css == (static / stylesheet.group(1)).read_text(encoding="utf-8")
    (static / stylesheet.group(1)).unlink()  # Haven itself could still serve it: nginx does not
    assert page.get(f"/static/{stylesheet.group(1)}")[0] == 404

    chat_both_ways(base_url.replace("http://", "ws://", 1), origin=base_url)


def test_nginx_refuses_a_body_larger_than_havens_largest_upload(
    proxied: tuple[str, list[AsgiServer], Path],
) -> None:
    base_url, _, _ = proxied
    port = int(base_url.rsplit(":", 1)[1])
    too_large = 66 * 1024 * 1024  # client_max_body_size is 65m: 64 MiB verify + the form
    # Refused from the Content-Length alone, before any of the body is sent.
    assert (
        status_of(
            port,
            "POST",
            "/journal/verify/",
            {"Content-Length": str(too_large), "Content-Type": "application/octet-stream"},
        )
        == 413
    )


def test_haven_takes_the_forwarded_client_address_only_from_the_proxy(
    proxied: tuple[str, list[AsgiServer], Path],
) -> None:
    base_url, servers, _ = proxied

    def failed_sign_in(browser: Browser, forged: str) -> str:
        """Sign in with a wrong password, claiming to come from FORGED; the audit's hash."""
        before = AuditEvent.objects.order_by("pk").values_list("pk", flat=True).last() or 0
        browser.opener.addheaders = [("X-Forwarded-For", forged)]
        assert browser.get("/accounts/login/")[0] == 200
        browser.post("/accounts/login/", {"login": "nobody@example.org", "password": "wrong"})
        return AuditEvent.objects.get(action=AuditAction.SIGN_IN_FAILED, pk__gt=before).ip_hash

    # Through nginx from 127.0.0.2: Haven sees 127.0.0.2 (nginx's $remote_addr), not the
    # address the client put in its own X-Forwarded-For, nor nginx's 127.0.0.1.
    assert failed_sign_in(Browser(base_url, source=ELSEWHERE), "203.0.113.9") == hash_identifier(
        ELSEWHERE
    )
    # Straight to a Haven process from 127.0.0.2, which is not a trusted proxy: the header is
    # ignored and the connection's own address counts.
    assert failed_sign_in(
        Browser(servers[0].url, source=ELSEWHERE), "203.0.113.9"
    ) == hash_identifier(ELSEWHERE)
