"""Django's database sessions, remembering when the stored row expires, so that a request that
changes nothing re-saves its session at most once a minute (haven.core.middleware)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore

# An unchanged session is re-saved when its row expires more than this much earlier than a
# save now would make it: the idle timeout is then between SESSION_COOKIE_AGE minus this and
# SESSION_COOKIE_AGE, and a page view costs no database write most of the time.
REFRESH_AFTER = timedelta(seconds=60)


class SessionStore(DatabaseSessionStore):
    stored_expiry: datetime | None = None

    def _get_session_from_db(self) -> Any:
        found = super()._get_session_from_db()  # type: ignore[misc]  # not in the stubs
        self.stored_expiry = found.expire_date if found is not None else None
        return found

    def is_fresh(self) -> bool:
        """Whether the stored row already expires within REFRESH_AFTER of what saving now
        would write (so saving an unchanged session now would only move it a little)."""
        return (self.stored_expiry is not None
                and self.stored_expiry >= self.get_expiry_date() - REFRESH_AFTER)
