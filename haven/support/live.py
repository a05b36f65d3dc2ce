"""Live-chat plumbing shared by the websocket consumer and the rest of Haven: each person's
group of sockets, and telling those sockets at once when a session ends."""

from __future__ import annotations

import hashlib
import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

logger = logging.getLogger(__name__)


def person_group(person_id: int) -> str:
    """Every live-chat socket of one person, whichever conversation it shows."""
    return f"person-{person_id}"


def session_digest(session_key: str | None) -> str:
    """Names a session in a live event without putting its key on the channel layer."""
    return hashlib.sha256((session_key or "").encode()).hexdigest()[:32] if session_key else ""


def sessions_changed(person_id: int, *, ended_session: str | None = None) -> None:
    """Tell the person's live chats at once that ENDED_SESSION was signed out, or (without
    one) that their sessions may no longer sign them in (a password change or reset): each
    socket then checks its own session now instead of at its next periodic check."""
    layer = get_channel_layer()
    if layer is None:
        return
    event = {"type": "chat.session", "ended": session_digest(ended_session)}
    try:
        async_to_sync(layer.group_send)(person_group(person_id), event)
    except Exception as error:  # noqa: BLE001 - sign-out must work with the layer down
        logger.warning("Could not tell live chats about a sign-out (%s)", type(error).__name__)

