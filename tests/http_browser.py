"""A browser over plain HTTP for tests against a real server (`haven serve`, or nginx in front
of it): cookies, CSRF and redirects, optionally from another loopback address (127.0.0.2), so
that a test can tell which client address the server saw."""

from __future__ import annotations

import functools
import http.client
import http.cookiejar
import time
import urllib.error
import urllib.parse
import urllib.request

from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

from haven.core.models import Person
from tests.factories import PASSWORD, TOTP_SECRET


class _FromAddress(urllib.request.HTTPHandler):
    """Plain HTTP connections made from SOURCE (an address of this machine)."""

    def __init__(self, source: str) -> None:
        super().__init__()
        self.source = source

    def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(functools.partial(http.client.HTTPConnection,
                                              source_address=(self.source, 0)), req)


class Browser:
    """Cookies, CSRF and redirects over plain HTTP, as a browser would send them."""

    def __init__(self, base_url: str, *, source: str | None = None) -> None:
        self.base_url = base_url
        self.cookies = http.cookiejar.CookieJar()
        handlers: list[urllib.request.BaseHandler] = [
            urllib.request.HTTPCookieProcessor(self.cookies)]
        if source:
            handlers.append(_FromAddress(source))
        self.opener = urllib.request.build_opener(*handlers)

    def _open(self, request: urllib.request.Request) -> tuple[int, str, str]:
        try:
            with self.opener.open(request, timeout=10) as response:
                return response.status, response.geturl(), response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.geturl(), error.read().decode()

    def get(self, path: str) -> tuple[int, str, str]:
        """Status, final address (after redirects) and body."""
        return self._open(urllib.request.Request(self.base_url + path))  # noqa: S310

    def post(self, path: str, fields: dict[str, str]) -> tuple[int, str, str]:
        token = next(cookie.value for cookie in self.cookies if cookie.name == "csrftoken")
        body = urllib.parse.urlencode({**fields, "csrfmiddlewaretoken": token}).encode()
        return self._open(urllib.request.Request(self.base_url + path, data=body))  # noqa: S310

    def cookie_header(self) -> str:
        return "; ".join(f"{cookie.name}={cookie.value}" for cookie in self.cookies)

    def sign_in(self, person: Person) -> None:
        self.get("/accounts/login/")
        status, url, _ = self.post("/accounts/login/", {"login": person.email,
                                                        "password": PASSWORD})
        assert url.endswith("/accounts/2fa/authenticate/"), (status, url)
        period = mfa_settings.TOTP_PERIOD
        if period - time.time() % period < 1.5:  # never a code about to go stale
            time.sleep(period - time.time() % period + 0.05)
        code = format_hotp_value(hotp_value(TOTP_SECRET, int(time.time()) // period))
        status, url, _ = self.post("/accounts/2fa/authenticate/", {"code": code})
        assert status == 200 and not url.endswith("/accounts/2fa/authenticate/"), (status, url)
