"""An open chat conversation between a colleague and a supporter, for the live-chat tests.

Built directly rather than through matching, so these tests do not depend on who matching
would pick; messages go through the real service (sealed, idempotent, broadcast)."""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.utils import timezone

from haven.core.models import Person
from haven.support import conversations, details
from haven.support.models import Conversation, Message, SupportRequest
from haven.vault import crypto

WORKLOAD = details.RequestDetails(
    topic="workload", use_pseudonym=False, pseudonym="", avoid_my_team=True,
    avoid_my_department=False, person_of_concern_id=None, preferred_supporter_id=None)


def open_chat(colleague: Person, supporter: Person, *, first_message: str | None = None
              ) -> Conversation:
    now = timezone.now()
    key, submission_id = crypto.create_data_key(purpose="conversation"), uuid.uuid4()
    support_request = SupportRequest.objects.create(
        requester=colleague, submission_id=submission_id, mode=SupportRequest.Mode.CHAT,
        sealed_details=details.seal(key, submission_id=submission_id, details=WORKLOAD),
        confidentiality_acknowledged_at=now,
        first_response_due=now + timedelta(hours=4), state=SupportRequest.State.MATCHED)
    conversation = Conversation.objects.create(
        request=support_request, colleague=colleague, supporter=supporter,
        state=Conversation.State.OPEN, data_key=key)
    if first_message:
        conversations.send_message(conversation=conversation, sender=colleague,
                                   client_id=uuid.uuid4(), text=first_message)
    return Conversation.objects.select_related("data_key").get(pk=conversation.pk)


def stored_texts(conversation: Conversation) -> list[tuple[int, str, str]]:
    """(id, client id, text) of every stored message, in id order, decrypted."""
    conversation = Conversation.objects.select_related("data_key").get(pk=conversation.pk)
    return [
        (message.pk, str(message.client_id),
         crypto.open_sealed(conversation.data_key, message.body,
                            aad=Message.aad(conversation.pk, message.client_id)))
        for message in conversation.messages.order_by("pk")
    ]
