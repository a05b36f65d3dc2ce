"""Live-chat events shared by the websocket consumer and the rest of support: each
conversation's and each person's group of sockets, broadcasting after commit, and telling
sockets at once when a session ends."""

from __future__ import annotations

import hashlib
import logging
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

logger = logging.getLogger(__name__)


def group_name(conversation_id: int) -> str:
    return f"conversation-{conversation_id}"

def broadcast(conversation_id: int, event: dict[str, Any]) -> None:
    """Send a live event to everyone connected to the conversation, after commit. A failed
    broadcast (e.g. Redis down) is logged, never raised: what was stored stays stored and its
    sender is answered; pages catch up when they reconnect."""
    layer = get_channel_layer()
    if layer is None:
        return
    transaction.on_commit(
        lambda: async_to_sync(layer.group_send)(group_name(conversation_id), event),
        robust=True)


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

