"""Session keeping for a live-chat socket: does the session it opened with still sign in the
same person? Checked when the socket opens, then again before a send or a typing signal once
SESSION_RECHECK_SECONDS have passed since the last check, and before a delivery once the
session's idle expiry has passed. Chatting counts as activity for the idle timeout."""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from importlib import import_module
from types import SimpleNamespace
from typing import Any

from channels.db import database_sync_to_async
from django.conf import settings
from django.contrib import auth
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone

from haven.support.live.events import session_digest

SESSION_TOUCH_SECONDS = 60.0  # chatting counts as activity for the idle timeout
SESSION_RECHECK_SECONDS = 60.0  # see the module's docstring


class SessionWatch:
    """What one socket knows about its session: when it was last found valid, and when it
    expires if nobody acts. The consumer asks before acting; signing out elsewhere reaches it
    as an event (see live.events.sessions_changed)."""

    def __init__(self, scope: dict[str, Any]) -> None:
        self.scope = scope
        self._last_touch = 0.0
        self._checked_at = float("-inf")  # when the session was last found valid (monotonic)
        self._expires_at: datetime | None = None  # the idle expiry, where the engine has one

    def session_key(self) -> str | None:
        return getattr(self.scope.get("session"), "session_key", None)

    def touched_now(self) -> None:
        """The page that opened the socket has just counted as activity."""
        self._last_touch = time.monotonic()

    def fresh(self) -> bool:
        """Checked recently enough that no database trip is needed before acting."""
        return (time.monotonic() - self._checked_at < SESSION_RECHECK_SECONDS
                and (self._expires_at is None or timezone.now() < self._expires_at))

    def idle_expired(self) -> bool:
        """The session's idle expiry has passed (it may have been extended elsewhere)."""
        return self._expires_at is not None and timezone.now() >= self._expires_at

    def is_ended_session(self, digest: str) -> bool:
        """DIGEST (from a sign-out event) names this socket's session."""
        return digest == session_digest(self.session_key())

    def signed_in(self) -> bool:
        """The session the socket opened with still signs in the same person: signing out
        (in any tab), a password change or the idle timeout ends the live chat too. Chatting
        counts as activity, like a request, so a long conversation does not time out."""
        key = self.session_key()
        if not key:
            return False
        store = import_module(settings.SESSION_ENGINE).SessionStore(key)
        user = auth.get_user(SimpleNamespace(session=store))  # type: ignore[arg-type]
        if not user.is_authenticated or user.pk != self.scope["user"].pk:
            return False
        now = time.monotonic()
        if isinstance(store, DatabaseSessionStore):  # db, cached_db and Haven's
            row = Session.objects.filter(session_key=key)
            if now - self._last_touch >= SESSION_TOUCH_SECONDS:
                self._last_touch = now
                self._expires_at = timezone.now() + timedelta(seconds=store.get_expiry_age())
                row.update(expire_date=self._expires_at)
            else:
                self._expires_at = row.values_list("expire_date", flat=True).first()
        self._checked_at = now
        return True

    still_signed_in = database_sync_to_async(signed_in)
