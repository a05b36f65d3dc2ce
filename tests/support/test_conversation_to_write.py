"""selectors.conversation_to_write: the live chat's per-message access check, kept light."""

from __future__ import annotations

import pytest
from django.http import Http404

from haven.core.models import Person, Role
from haven.support import selectors
from tests.api.test_support_api import open_conversation
from tests.factories import make_person

pytestmark = pytest.mark.django_db


def test_it_gives_participants_what_a_write_needs_in_one_query(
        colleague: Person, supporter: Person,
        django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    conversation = open_conversation(colleague, supporter)
    mode, key_id = conversation.request.mode, conversation.data_key_id

    for person in (colleague, supporter):
        with django_assert_num_queries(1):
            loaded = selectors.conversation_to_write(viewer=person,
                                                     conversation_id=conversation.pk)
            assert (loaded.request.mode, loaded.data_key.pk) == (mode, key_id)


@pytest.mark.parametrize("role", [None, Role.SUPPORTER, Role.COORDINATOR, Role.ADMINISTRATOR])
def test_it_is_404_to_everyone_else(colleague: Person, supporter: Person,
                                    role: str | None) -> None:
    conversation = open_conversation(colleague, supporter)
    outsider = make_person(*([role] if role else []))

    with pytest.raises(Http404):
        selectors.conversation_to_write(viewer=outsider, conversation_id=conversation.pk)


@pytest.mark.parametrize("conversation_id", [0, -1, 999_999, 2**63, 10**30])
def test_unknown_and_impossible_ids_are_404(colleague: Person, conversation_id: int) -> None:
    with pytest.raises(Http404):
        selectors.conversation_to_write(viewer=colleague, conversation_id=conversation_id)
