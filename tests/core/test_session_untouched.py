"""The session middleware: every request re-saves the session (the idle timeout), except one
marked leave_session_untouched, whose unchanged session row keeps the time of the request
before; a session the marked request did change is still saved."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory

from haven.core.middleware import SessionMiddleware, leave_session_untouched

pytestmark = pytest.mark.django_db


def _session() -> str:
    store = SessionStore()
    store["_auth_user_id"] = "1"
    store.create()
    return store.session_key


def _request(key: str, view: Callable[[HttpRequest], None]) -> HttpResponse:
    def respond(request: HttpRequest) -> HttpResponse:
        view(request)
        return HttpResponse("ok")

    request = RequestFactory().post("/")
    request.COOKIES["sessionid"] = key
    return SessionMiddleware(respond)(request)


def _expiry(key: str):  # type: ignore[no-untyped-def]
    return Session.objects.get(session_key=key).expire_date


def test_an_ordinary_request_moves_the_expiry_on_once_the_row_is_a_minute_old() -> None:
    key = _session()
    written = _expiry(key)
    _request(key, lambda request: request.session.get("x"))
    assert _expiry(key) == written  # saved less than a minute ago (haven.core.sessions)

    Session.objects.filter(session_key=key).update(expire_date=written - timedelta(seconds=61))
    _request(key, lambda request: request.session.get("x"))

    assert _expiry(key) > written


def test_a_marked_request_leaves_the_row_as_it_was() -> None:
    key = _session()
    before = _expiry(key)
    time.sleep(0.01)

    response = _request(key, lambda request: (leave_session_untouched(request),
                                              request.session.get("x")))

    assert _expiry(key) == before
    assert "sessionid" not in response.cookies
    assert "Cookie" in response.get("Vary", "")


def test_a_marked_request_that_changes_the_session_still_saves_it() -> None:
    key = _session()
    before = _expiry(key)
    time.sleep(0.01)

    def change(request: HttpRequest) -> None:
        leave_session_untouched(request)
        request.session["x"] = "kept"

    _request(key, change)

    assert _expiry(key) > before
    assert SessionStore(key)["x"] == "kept"
