"""nginx in front of two Haven processes, with deploy/nginx/haven.conf's own upstream and site
blocks, adapted to loopback: plain HTTP on a free port, no TLS, everything in a temporary
directory, `daemon off`. Pages, static files, the websocket chat both ways, the upload limit
and the client address Haven trusts (issue 15, item 2).

Without /usr/sbin/nginx the test is skipped with the reason; CI installs nginx and sets
HAVEN_REQUIRE_NGINX=1, which turns that skip into a failure."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import override_settings

from haven.core.audit import hash_identifier
from haven.core.models import AuditAction, AuditEvent, Role
from haven.demo.child import free_port
from tests.browser.asgi_server import AsgiServer
from tests.deploy.live import ChatSocket, session_cookie, two_servers
from tests.deploy.nginx_config import NGINX, NginxFailed, running_nginx, status_of
from tests.factories import make_person
from tests.http_browser import Browser
from tests.support.chat_setup import open_chat

pytestmark = pytest.mark.django_db(transaction=True)

ELSEWHERE = "127.0.0.2"  # a client that is not the proxy (Linux answers on all of 127/8)


@pytest.fixture(scope="module")
def proxied(django_db_setup: None, tmp_path_factory: pytest.TempPathFactory
            ) -> Iterator[tuple[str, list[AsgiServer], Path]]:
    """nginx's base URL, the two Haven processes behind it, the collected static dir; started
    once for this module's tests (they hold no data of their own: the database is shared)."""
    if not NGINX.exists():
        reason = f"{NGINX} is missing: `apt-get install -y nginx` to run the proxy test"
        if os.environ.get("HAVEN_REQUIRE_NGINX"):
            pytest.fail(reason + " (HAVEN_REQUIRE_NGINX is set)")
        pytest.skip(reason)
    tmp_path = tmp_path_factory.mktemp("nginx")
    static = tmp_path / "static"
    with override_settings(STATIC_ROOT=static):
        call_command("collectstatic", interactive=False, verbosity=0)
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    with two_servers(tmp_path, base_url=base_url) as servers:
        try:
            with running_nginx(tmp_path, port=port, static=static,
                               upstream_ports=[server.port for server in servers]):
                yield base_url, list(servers), static
        except NginxFailed as error:
            pytest.fail(str(error))


def test_nginx_serves_pages_static_files_and_live_chat_from_two_processes(
        proxied: tuple[str, list[AsgiServer], Path]) -> None:
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

    colleague, supporter = make_person(), make_person(Role.SUPPORTER)
    chat = open_chat(colleague, supporter)
    ws_base = base_url.replace("http://", "ws://", 1)
    with ChatSocket.open(ws_base, chat.pk, cookie=session_cookie(colleague),
                         origin=base_url) as (colleague_side, _), \
         ChatSocket.open(ws_base, chat.pk, cookie=session_cookie(supporter),
                         origin=base_url) as (supporter_side, _):
        asked = colleague_side.send("Through the proxy, can you read me?")
        assert supporter_side.next("message", id=asked)["text"] == \
            "Through the proxy, can you read me?"
        answered = supporter_side.send("Loud and clear.")
        assert colleague_side.next("message", id=answered)["text"] == "Loud and clear."


def test_nginx_refuses_a_body_larger_than_havens_largest_upload(
        proxied: tuple[str, list[AsgiServer], Path]) -> None:
    base_url, _, _ = proxied
    port = int(base_url.rsplit(":", 1)[1])
    too_large = 66 * 1024 * 1024  # client_max_body_size is 65m: 64 MiB verify + the form
    # Refused from the Content-Length alone, before any of the body is sent.
    assert status_of(port, "POST", "/journal/verify/", {
        "Content-Length": str(too_large), "Content-Type": "application/octet-stream"}) == 413


def test_haven_takes_the_forwarded_client_address_only_from_the_proxy(
        proxied: tuple[str, list[AsgiServer], Path]) -> None:
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
    assert failed_sign_in(Browser(base_url, source=ELSEWHERE), "203.0.113.9") == \
        hash_identifier(ELSEWHERE)
    # Straight to a Haven process from 127.0.0.2, which is not a trusted proxy: the header is
    # ignored and the connection's own address counts.
    assert failed_sign_in(Browser(servers[0].url, source=ELSEWHERE), "203.0.113.9") == \
        hash_identifier(ELSEWHERE)
