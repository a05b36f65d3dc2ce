"""Migrations applied to a populated database: the request details are sealed going forward
(and come back going backwards), and past audit rows stop naming participants."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from haven.vault import crypto

BEFORE = [("support", "0001_initial"), ("core", "0007_audit_actor_pseudonym")]


def _migrate(targets: list[tuple[str, str]]):  # type: ignore[no-untyped-def]
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def _latest() -> list[tuple[str, str]]:
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()


@pytest.fixture
def back_to_latest():  # type: ignore[no-untyped-def]
    """Every other test expects the latest schema: restore it whatever happens here."""
    yield
    _migrate(_latest())


def _old_request(apps, *, colleague, supporter, concern):  # type: ignore[no-untyped-def]
    now = timezone.now()
    key = crypto.create_data_key(purpose="conversation")
    support_request = apps.get_model("support", "SupportRequest").objects.create(
        requester=colleague, submission_id=uuid.uuid4(), topic="bullying",
        mode="messages", use_pseudonym=True, pseudonym="Amber Heron", language="en",
        avoid_my_team=True, avoid_my_department=False, person_of_concern=concern,
        confidentiality_acknowledged_at=now, created_at=now,
        first_response_due=now + timedelta(hours=4), state="matched")
    conversation = apps.get_model("support", "Conversation").objects.create(
        request=support_request, colleague=colleague, supporter=supporter,
        data_key=apps.get_model("vault", "DataKey").objects.get(pk=key.pk), state="open")
    return support_request, conversation, key


@pytest.mark.django_db(transaction=True)
def test_request_details_are_sealed_and_past_audit_rows_pseudonymised(back_to_latest) -> None:
    apps = _migrate(BEFORE)
    Person = apps.get_model("core", "Person")
    AuditEvent = apps.get_model("core", "AuditEvent")
    Conversation = apps.get_model("support", "Conversation")
    colleague = Person.objects.create(email="sam@example.org", name="Sam Okafor")
    supporter = Person.objects.create(email="kim@example.org", name="Kim Supporter")
    concern = Person.objects.create(email="lee@example.org", name="Lee Concern")
    rows = []
    for erased in (False, True):
        support_request, conversation, key = _old_request(
            apps, colleague=colleague, supporter=supporter, concern=concern)
        if erased:
            crypto.shred(key)
            Conversation.objects.filter(pk=conversation.pk).update(state="shredded")
        for actor in (colleague, supporter):
            AuditEvent.objects.create(action="conversation_read", actor=actor,
                                      object_type="conversation",
                                      object_id=str(conversation.pk), ip_hash="abcd")
        rows.append((support_request.pk, conversation.pk, key))
    sign_in = AuditEvent.objects.create(action="sign_in", actor=colleague, ip_hash="abcd")

    apps = _migrate(_latest())

    from haven.core.models import AuditEvent as Event
    from haven.support.models import Conversation as Live
    from haven.support.models import SupportRequest as Request
    (kept_id, kept_conversation, kept_key), (erased_id, erased_conversation, _) = rows
    details = Request.objects.get(pk=kept_id).details
    assert (details.topic, details.pseudonym, details.person_of_concern_id) == (
        "bullying", "Amber Heron", concern.pk)
    assert Request.objects.get(pk=kept_id).requester_id == colleague.pk
    erased = Request.objects.get(pk=erased_id)
    assert erased.requester_id is None and erased.details.erased
    assert Live.objects.get(pk=erased_conversation).colleague_id is None
    live_key = Live.objects.get(pk=kept_conversation).data_key
    for conversation_id, expected in (
            (kept_conversation, {crypto.keyed_pseudonym(live_key, f"person:{colleague.pk}"),
                                 crypto.keyed_pseudonym(live_key, f"person:{supporter.pk}")}),
            (erased_conversation, {"erased"})):
        events = Event.objects.filter(object_type="conversation", object_id=str(conversation_id))
        assert events.count() == 2
        assert {event.actor_id for event in events} == {None}
        assert {event.ip_hash for event in events} == {""}
        assert {event.actor_pseudonym for event in events} == expected
    assert Event.objects.get(pk=sign_in.pk).actor_id == colleague.pk  # other rows untouched


@pytest.mark.django_db(transaction=True)
def test_going_back_brings_the_details_back_in_clear(back_to_latest) -> None:
    apps = _migrate(BEFORE)
    Person = apps.get_model("core", "Person")
    people = {name: Person.objects.create(email=f"{name}@example.org", name=name)
              for name in ("colleague", "supporter", "concern")}
    support_request, _conversation, _key = _old_request(apps, **people)
    _migrate(_latest())

    apps = _migrate(BEFORE)

    again = apps.get_model("support", "SupportRequest").objects.get(pk=support_request.pk)
    assert (again.topic, again.pseudonym, again.use_pseudonym, again.person_of_concern_id,
            again.avoid_my_team) == ("bullying", "Amber Heron", True,
                                     people["concern"].pk, True)
