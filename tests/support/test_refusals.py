"""One typed refusal: a person who may not do something hears the same answer (403, with the
service's words) from a page and from the API, and nothing changes."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from haven.core.errors import Refused
from haven.core.models import Person, Role
from haven.support import commitments, conversations
from haven.support.models import Commitment, Conversation
from tests.api.test_api import assert_json_error
from tests.api.test_support_api import open_conversation
from tests.conftest import signed_in
from tests.factories import make_person

pytestmark = pytest.mark.django_db

RECORDS_ONLY = "Only the supporter in this conversation records commitments."


def _due() -> timezone.datetime:
    return timezone.now() + timedelta(days=2)


def test_a_colleague_adding_a_commitment_is_refused_alike_by_page_and_api(
        supporter: Person) -> None:
    # A supporter who asked for support themselves: the page's role check lets them in, and
    # the service refuses, as the API does.
    colleague = make_person(Role.SUPPORTER)
    conversation = open_conversation(colleague, supporter)
    client = signed_in(colleague)

    page = client.post(reverse("commitment_add", args=[conversation.pk]),
                       {"what": "Call you", "due_at": _due().strftime("%Y-%m-%dT%H:%M")})
    api = client.post(f"/api/v1/support/conversations/{conversation.pk}/commitments",
                      json.dumps({"what": "Call you", "due_at": _due().isoformat()}),
                      content_type="application/json")

    assert page.status_code == api.status_code == 403
    assert RECORDS_ONLY in page.content.decode()
    assert assert_json_error(api, 403)["message"] == RECORDS_ONLY
    assert not Commitment.objects.exists()


def test_a_supporter_giving_feedback_gets_a_403_page_that_says_why(
        colleague: Person, supporter: Person) -> None:
    conversation = open_conversation(colleague, supporter)
    conversations.close_conversation(conversation=conversation, by=colleague)

    response = signed_in(supporter).post(
        reverse("conversation_feedback", args=[conversation.pk]), {"felt_heard": "5"})

    assert response.status_code == 403
    assert "Only the colleague who asked gives feedback." in response.content.decode()
    assert Conversation.objects.get(pk=conversation.pk).felt_heard is None


def test_refusals_are_permission_errors_and_input_errors_are_not(
        colleague: Person, supporter: Person) -> None:
    conversation = open_conversation(colleague, supporter)

    with pytest.raises(Refused) as refused:
        commitments.record_commitment(conversation=conversation, supporter=colleague,
                                      what="Call you", due_at=_due())
    assert refused.value.message == RECORDS_ONLY
    # Bad input stays a ValidationError: a form error (400), not a refusal.
    response = signed_in(supporter).post(
        reverse("commitment_add", args=[conversation.pk]),
        {"what": " ", "due_at": _due().strftime("%Y-%m-%dT%H:%M")})
    assert response.status_code == 400


def test_an_anonymous_page_refusal_is_still_the_sign_in_redirect() -> None:
    response = Client().post(reverse("commitment_add", args=[1]), {})

    assert response.status_code == 302
