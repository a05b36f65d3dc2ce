"""The logs of a running server hold routes, never paths or query strings: a logged invitation
or password-reset link could be replayed, and a query string holds what someone searched for.

Each test runs `haven serve` (uvicorn, as in production) in a subprocess on the test database
and reads everything the process wrote to standard output and standard error."""

from __future__ import annotations

import json
import re
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest
from allauth.account.forms import default_token_generator
from allauth.account.utils import user_pk_to_url_str
from django.urls import reverse
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from haven.core import services
from haven.core.models import Role
from tests.browser.asgi_server import AsgiServer
from tests.factories import PASSWORD, make_person
from tests.http_browser import Browser
from tests.support.chat_setup import open_chat

pytestmark = pytest.mark.django_db(transaction=True)

NEW_PASSWORD = "a quiet meadow at dawn 42"
SEARCH_TERM = "quokkazanzibar"  # typed into the audit log's person search


@pytest.fixture
def server(django_db_setup: None, tmp_path: Path) -> Iterator[AsgiServer]:
    """`haven serve` on the test database, logging as production does (INFO)."""
    server = AsgiServer(tmp_path / "server.log")
    server.env["HAVEN_LOG_LEVEL"] = "INFO"
    server.start()
    yield server
    server.stop()


def server_output(server: AsgiServer) -> str:
    server.stop()  # everything it wrote is flushed once it has exited
    return server.log_path.read_text(encoding="utf-8", errors="replace")




def test_the_server_logs_routes_but_never_tokens_or_search_terms(server: AsgiServer) -> None:
    invited = make_person(password=None)
    invitation_path = urllib.parse.urlsplit(services.invitation_url(invited)).path
    invitation_token = invitation_path.rstrip("/").split("/")[-1]
    forgetful = make_person()
    reset_key = default_token_generator.make_token(forgetful)
    reset_path = reverse("account_reset_password_from_key", kwargs={
        "uidb36": user_pk_to_url_str(forgetful), "key": reset_key})
    administrator = make_person(Role.ADMINISTRATOR)

    newcomer = Browser(server.url)
    assert newcomer.get(invitation_path)[0] == 200
    status, url, _ = newcomer.post(invitation_path, {"password1": NEW_PASSWORD,
                                                     "password2": NEW_PASSWORD})
    assert (status, url) == (200, f"{server.url}/accounts/login/")
    invited.refresh_from_db()
    assert invited.check_password(NEW_PASSWORD)
    assert newcomer.get(invitation_path)[0] == 400  # a replay: Django logs a 400 warning

    resetting = Browser(server.url)
    status, url, _ = resetting.get(reset_path)
    assert status == 200 and reset_key not in url  # allauth moves the key into the session
    status, _, _ = resetting.post(urllib.parse.urlsplit(url).path,
                                  {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    forgetful.refresh_from_db()
    assert forgetful.check_password(NEW_PASSWORD)

    admin = Browser(server.url)
    admin.sign_in(administrator)  # through the MFA page
    status, _, body = admin.get(f"/audit/?person={SEARCH_TERM}&action=")
    assert status == 200 and SEARCH_TERM in body
    # The people picker's search: whom someone looks up may be whom they report.
    assert admin.get(f"/people/search/?q={SEARCH_TERM}")[0] == 200
    assert admin.get("/accounts/2fa/")[0] == 200

    output = server_output(server)

    for secret in (invitation_token, reset_key, invitation_path, reset_path, SEARCH_TERM,
                   invited.email, forgetful.email, administrator.email):
        assert secret not in output, f"{secret!r} is in the server's log"
    assert "?" not in output  # no query string at all
    for route in ("GET accept_invitation 200", "POST accept_invitation 302",
                  "GET accept_invitation 400", "GET account_reset_password_from_key 302",
                  "POST account_reset_password_from_key 302", "POST account_login 302",
                  "GET mfa_authenticate 200", "POST mfa_authenticate 302",
                  "GET audit_log 200", "GET people_search 200", "GET mfa_index 200"):
        assert re.search(rf"INFO haven\.access {route} \d+\.\dms", output), \
            f"no access line for {route}:\n{output}"
    assert "Bad Request: accept_invitation" in output  # Django's warning names the route


def test_the_server_logs_websockets_by_route_without_their_query_string(
        server: AsgiServer) -> None:
    colleague, supporter = make_person(), make_person(Role.SUPPORTER)
    chat = open_chat(colleague, supporter)
    browser = Browser(server.url)
    browser.get("/accounts/login/")
    browser.post("/accounts/login/", {"login": colleague.email, "password": PASSWORD})
    socket_url = f"ws://127.0.0.1:{server.port}/ws/conversations/{chat.pk}/?after=424242"

    with connect(socket_url, origin=server.url,  # type: ignore[arg-type]
                 additional_headers={"Cookie": browser.cookie_header()}) as socket:
        frames = [json.loads(socket.recv(timeout=5))]
        while frames[-1]["type"] != "ready":
            frames.append(json.loads(socket.recv(timeout=5)))
    with pytest.raises(InvalidStatus):  # refused at the handshake: a foreign origin
        connect(socket_url, origin="http://elsewhere.example")  # type: ignore[arg-type]
        pytest.fail("a foreign origin was let in")

    output = server_output(server)

    assert "424242" not in output
    assert f"/ws/conversations/{chat.pk}/" not in output
    assert "?" not in output
    assert re.search(r"INFO haven\.access WEBSOCKET conversation_socket accepted close 1000 "
                     r"\d+\.\ds", output), output
    assert re.search(r"INFO haven\.access WEBSOCKET conversation_socket refused", output), output
