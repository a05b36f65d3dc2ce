"""Who asked for support, and about whom, is as confidential as what was said: sealed with the
content, never shown to administrators, and forgotten when the content is destroyed."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import pytest
from django.test import Client, override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from haven.core.audit import audit
from haven.core.audit_actions import audit_action_choices
from haven.core.jobs import forget_sent_email
from haven.core.models import AuditEvent, Person, Role
from haven.core.tasks import send_email
from haven.support import conversations, programme
from haven.support.access_history import audit_conversation
from haven.support.models import Conversation, Offer, SupportAudit, SupportRequest
from haven.vault.crypto import KeyShredded, keyed_pseudonym
from haven.vault.models import DataKey
from tests.conftest import signed_in
from tests.factories import make_person
from tests.support.conftest import ask_for_support, make_supporter, typed_time
from tests.support.dump import Canaries, database_except, whole_database

pytestmark = pytest.mark.django_db

# The directory's own rows name everyone; what matters is that nothing else does.
DIRECTORY_TABLES = ("core_person", "account_emailaddress")


def _ask_about(client: Client, concern: Person, message: str) -> Conversation:
    response = ask_for_support(
        client, message, person_of_concern=concern.email, acknowledged="on"
    )
    assert response.status_code == 302, response.content.decode()
    return Conversation.objects.select_related("request", "data_key").order_by("-pk").first()


def _accept(supporter: Person, conversation: Conversation) -> None:
    offer = Offer.objects.get(request=conversation.request, state=Offer.State.PENDING)
    assert offer.supporter == supporter
    assert (
        signed_in(supporter)
        .post(f"/supporter/offers/{offer.pk}/", {"answer": "accept"})
        .status_code
        == 302
    )


@pytest.fixture
def scene(django_capture_on_commit_callbacks) -> dict:  # type: ignore[no-untyped-def]
    """A colleague under a pseudonym asks about a named person; both sides read and act."""
    canary = Canaries()
    administrator = make_person(Role.ADMINISTRATOR)
    programme.update_programme_settings(actor=administrator, safety_contact=make_person())
    supporter = make_supporter(topics=["bullying"])
    colleague = make_person(name=canary.new("asker"), email=f"{canary.new('a')}@example.org")
    concern = make_person(name=canary.new("concern"), email=f"{canary.new('c')}@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        conversation = _ask_about(signed_in(colleague), concern, "It keeps happening.")
        _accept(supporter, conversation)
        path = f"/conversations/{conversation.pk}"
        for person in (colleague, supporter):
            assert (
                signed_in(person)
                .post(f"{path}/send/", {"text": "hello", "client_id": str(uuid.uuid4())})
                .status_code
                == 302
            )
            assert signed_in(person).get(f"{path}/").status_code == 200
        assert signed_in(supporter).post(f"{path}/escalate/").status_code == 302
        assert (
            signed_in(supporter)
            .post(
                f"{path}/commitments/",
                {"what": "check in", "due_at": typed_time(supporter, timedelta(hours=5))},
            )
            .status_code
            == 302
        )
        assert signed_in(colleague).get("/support/").status_code == 200
    conversation.refresh_from_db()
    return {
        "canary": canary,
        "administrator": administrator,
        "supporter": supporter,
        "colleague": colleague,
        "concern": concern,
        "conversation": conversation,
        "pseudonym": conversation.request.details.pseudonym,
    }


def test_the_database_holds_who_was_named_and_the_topic_only_sealed(scene: dict) -> None:
    conversation, concern = scene["conversation"], scene["concern"]
    details = SupportRequest.objects.get(pk=conversation.request_id).details
    # The test could fail: the sealed details do hold the person of concern and the pseudonym.
    assert details.person_of_concern_id == concern.pk
    assert details.topic == "bullying" and details.pseudonym == scene["pseudonym"]

    outside_directory = database_except(*DIRECTORY_TABLES)
    assert scene["canary"].found_in(outside_directory) == []
    assert scene["pseudonym"] not in whole_database()
    request_row = [
        row
        for row in database_except(*DIRECTORY_TABLES).splitlines()
        if str(conversation.request.submission_id.hex) in row.replace("-", "")
    ]
    assert request_row and not any("bullying" in row for row in request_row)
    assert f'"person_of_concern_id": {concern.pk}' not in whole_database()


def test_erasure_forgets_who_asked_about_whom_and_every_pseudonym(scene: dict) -> None:
    conversation, colleague = scene["conversation"], scene["colleague"]
    events_before = AuditEvent.objects.filter(object_type="conversation").count()
    assert signed_in(colleague).post(f"/conversations/{conversation.pk}/erase/").status_code == 302

    support_request = SupportRequest.objects.get(pk=conversation.request_id)
    conversation.refresh_from_db()
    assert support_request.requester_id is None and conversation.colleague_id is None
    assert bytes(support_request.sealed_details) == b""
    assert DataKey.objects.get(pk=conversation.data_key_id).wrapped is None
    assert support_request.details.erased
    assert not SupportRequest.objects.filter(requester=colleague).exists()
    assert not Conversation.objects.filter(colleague=colleague).exists()
    # The audit rows keep what happened and when, under pseudonyms nobody can recompute.
    events = AuditEvent.objects.filter(object_type="conversation", object_id=str(conversation.pk))
    assert events.count() == events_before + 1
    assert not events.filter(actor__isnull=False).exists()
    assert not events.exclude(ip_hash="").exists()
    with pytest.raises(KeyShredded):
        keyed_pseudonym(conversation.data_key, f"person:{colleague.pk}")
    assert scene["canary"].found_in(database_except(*DIRECTORY_TABLES)) == []


def test_the_programme_page_still_opens_after_an_erasure(scene: dict) -> None:
    """An erased request names nobody, so it counts towards no one's figures — and the
    coordinators' page keeps working (it used to fail on the first erased request)."""
    conversation, colleague = scene["conversation"], scene["colleague"]
    conversation.felt_heard, conversation.would_return = 4, True
    conversation.save(update_fields=["felt_heard", "would_return"])
    assert signed_in(colleague).post(f"/conversations/{conversation.pk}/erase/").status_code == 302
    response = signed_in(make_person(Role.COORDINATOR)).get("/programme/")
    assert response.status_code == 200
    assert "Peer-support programme" in response.content.decode()


def _audit_rows(body: str) -> list[str]:
    return re.findall(r"<tr>.*?</tr>", body, flags=re.S)


def test_no_audit_view_names_who_sought_support_or_about_whom(scene: dict) -> None:
    conversation, colleague = scene["conversation"], scene["colleague"]
    supporter, concern = scene["supporter"], scene["concern"]
    as_admin = signed_in(scene["administrator"])
    shown_people = [
        colleague.name,
        colleague.email,
        supporter.name,
        supporter.email,
        concern.name,
        concern.email,
        scene["pseudonym"],
    ]
    views = [
        "/audit/",
        f"/audit/?object_type=conversation&object_id={conversation.pk}",
        "/audit/?object_type=conversation",
        *(f"/audit/?action={action}" for action, _label in audit_action_choices()),
        f"/audit/?actor={colleague.pk}",
        f"/audit/?actor={supporter.pk}",
        f"/audit/?actor={concern.pk}",
        f"/audit/?person={colleague.email}",
        f"/audit/?person={supporter.email}",
        f"/audit/?person={concern.email}",
    ]
    conversation_rows = 0
    for view in views:
        response = as_admin.get(view)
        assert response.status_code == 200, view
        for row in _audit_rows(response.content.decode()):
            if "conversation #" not in row:
                continue
            conversation_rows += 1
            assert "A participant" in row
            named = [text for text in shown_people if text in row]
            assert named == [], (view, row)
    # The test could fail: the conversation's events are listed, only without names.
    assert conversation_rows >= 6
    # Filtering by a participant finds none of their reads, and the escalation neither.
    for person in (colleague, supporter):
        body = as_admin.get(f"/audit/?actor={person.pk}").content.decode()
        assert "conversation #" not in body
    for view in (
        f"/people/{colleague.pk}/",
        f"/people/{concern.pk}/",
        f"/people/{supporter.pk}/",
        "/programme/",
    ):
        body = signed_in(make_person(Role.COORDINATOR)).get(view).content.decode()
        assert scene["pseudonym"] not in body
        assert f"/conversations/{conversation.pk}/" not in body


def test_the_colleague_sees_who_read_their_conversation_and_nobody_else_does(scene: dict) -> None:
    conversation, colleague = scene["conversation"], scene["colleague"]
    path = f"/conversations/{conversation.pk}/access/"

    page = signed_in(colleague).get(path)

    assert page.status_code == 200
    body = page.content.decode()
    assert "You" in body and "Your supporter" in body
    assert "Safety concern escalated" in body and "not a participant" not in body
    for outsider in (scene["supporter"], scene["administrator"], scene["concern"]):
        assert signed_in(outsider).get(path).status_code == 404
    assert Client().get(path).status_code == 302


def test_a_read_by_anyone_else_is_named_loudly(scene: dict) -> None:
    """There is no way for anyone else to read a conversation; were one found, the log must
    name them, to the administrator and to the colleague."""
    conversation, administrator = scene["conversation"], scene["administrator"]

    audit_conversation(
        action=SupportAudit.CONVERSATION_READ, conversation=conversation, actor=administrator
    )

    event = AuditEvent.objects.filter(
        actor=administrator, action=SupportAudit.CONVERSATION_READ
    ).get()
    assert event.actor_pseudonym == "" and event.object_id == str(conversation.pk)
    body = (
        signed_in(scene["colleague"])
        .get(f"/conversations/{conversation.pk}/access/")
        .content.decode()
    )
    assert f"{administrator.name} — not a participant" in body


def test_a_former_supporter_is_told_apart_from_the_present_one(
    scene: dict, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    conversation, colleague, first = scene["conversation"], scene["colleague"], scene["supporter"]
    second = make_supporter(topics=["bullying"])
    with django_capture_on_commit_callbacks(execute=True):
        conversations.request_handover(conversation=conversation, supporter=first)
        conversations.consent_to_handover(conversation=conversation, colleague=colleague)
        _accept(second, conversation)
    assert signed_in(second).get(f"/conversations/{conversation.pk}/").status_code == 200

    body = signed_in(colleague).get(f"/conversations/{conversation.pk}/access/").content.decode()

    assert "A supporter who handed over" in body and "Your supporter" in body
    assert first.name not in body and second.name not in body


def test_a_pseudonymous_audit_row_cannot_also_name_its_actor(scene: dict) -> None:
    with pytest.raises(ValueError, match="not both"):
        audit(
            action=SupportAudit.CONVERSATION_READ,
            actor=scene["colleague"],
            actor_pseudonym="0123456789abcdef",
        )


@override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}})
def test_the_worker_forgets_e_mails_once_sent() -> None:
    """A queued e-mail's row names its recipient and subject: gone once sent."""
    from django_tasks.base import TaskResultStatus

    send_email.enqueue(
        "Haven: a peer supporter has joined your conversation", "…", ["someone@example.org"]
    )
    row = DBTaskResult.objects.get()
    row.status, row.finished_at = TaskResultStatus.SUCCESSFUL, timezone.now()
    row.save()
    failed = DBTaskResult.objects.create(
        status=TaskResultStatus.FAILED,
        finished_at=timezone.now(),
        args_kwargs={},
        task_path=send_email.module_path,
        backend_name="default",
        run_after=timezone.now(),
        queue_name="default",
    )

    assert forget_sent_email() == 1
    assert list(DBTaskResult.objects.values_list("pk", flat=True)) == [failed.pk]
    assert forget_sent_email(now=timezone.now() + timedelta(days=8)) == 1
    assert not DBTaskResult.objects.exists()
