"""The confidentiality promise, end to end: unique canary strings written through every path
must never appear in the database (whatever the engine), a log record, an e-mail or the audit
log — while the two participants still read them back."""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.utils import timezone

from haven.core.models import AuditEvent, Person, Role
from haven.support import commitments, conversations, offers, programme, selectors
from haven.support import requests as support_requests
from haven.support.models import Commitment, Conversation, Offer
from tests.conftest import signed_in
from tests.factories import make_person
from tests.support.conftest import ask_for_support, make_supporter, typed_time
from tests.support.dump import Canaries
from tests.support.dump import whole_database as _whole_database

pytestmark = pytest.mark.django_db


def _log_text(record: logging.LogRecord) -> str:
    parts = [record.getMessage(), str(record.args), str(record.__dict__)]
    if record.exc_info:
        parts.append(logging.Formatter().formatException(record.exc_info))
    return "\n".join(parts)


def test_no_content_leaves_the_conversation(
    caplog, django_capture_on_commit_callbacks, settings
) -> None:
    caplog.set_level(logging.DEBUG)
    for name in (
        "django",
        "django.request",
        "django.server",
        "django.db.backends",
        "django.template",
        "haven",
        "channels",
        "django_tasks",
        "py.warnings",
    ):
        caplog.set_level(logging.DEBUG, logger=name)
    connection.force_debug_cursor = True  # every SQL statement and its parameters is logged
    canary = Canaries()
    administrator = make_person(Role.ADMINISTRATOR)
    coordinator = make_person(Role.COORDINATOR)
    safety_contact = make_person()
    programme.update_programme_settings(actor=administrator, safety_contact=safety_contact)
    first_supporter = make_supporter(topics=["bullying"])
    second_supporter = make_supporter(topics=["workload"])
    colleague = make_person()
    bully = make_person()
    outsider_supporter = make_supporter(topics=[], capacity=1, active=False)
    as_colleague, as_first = signed_in(colleague), signed_in(first_supporter)
    as_second = signed_in(second_supporter)
    kept: dict[str, list[str]] = {"messages": [], "commitments": []}

    try:
        with django_capture_on_commit_callbacks(execute=True):
            # A request refused (not acknowledged), then sent: both through the page.
            refused = canary.new("refused")
            response = ask_for_support(as_colleague, refused)
            assert response.status_code == 200
            first = canary.new("first")
            response = ask_for_support(
                as_colleague,
                f"It started in March. {first}",
                person_of_concern=bully.email,
                acknowledged="on",
            )
            assert response.status_code == 302
            conversation = Conversation.objects.get(colleague=colleague)
            path = f"/conversations/{conversation.pk}"
            kept["messages"].append(first)

            # The supporter is told (e-mail), looks at the offer, and accepts it.
            assert as_first.get("/supporter/").status_code == 200
            offer = Offer.objects.get(request=conversation.request)
            assert (
                as_first.post(f"/supporter/offers/{offer.pk}/", {"answer": "accept"}).status_code
                == 302
            )

            # Messages both ways through the form fallback; one oversized, one a crisis.
            for client, label in ((as_first, "reply"), (as_colleague, "more")):
                text = canary.new(label)
                assert (
                    client.post(
                        f"{path}/send/",
                        {"text": f"{text}\nwith a second line", "client_id": str(uuid.uuid4())},
                    ).status_code
                    == 302
                )
                kept["messages"].append(text)
            too_long = canary.new("toolong")
            assert (
                as_colleague.post(
                    f"{path}/send/",
                    {"text": too_long + "x" * 10_000, "client_id": str(uuid.uuid4())},
                ).status_code
                == 400
            )
            crisis = canary.new("crisis")
            assert (
                as_colleague.post(
                    f"{path}/send/",
                    {"text": f"I want to die. {crisis}", "client_id": str(uuid.uuid4())},
                ).status_code
                == 302
            )
            kept["messages"].append(crisis)
            assert as_first.post(f"{path}/escalate/").status_code == 302

            # A commitment, renegotiated with a note, then kept; one more, reminded.
            what = canary.new("what")
            due = typed_time(first_supporter, timedelta(hours=5))
            assert (
                as_first.post(f"{path}/commitments/", {"what": what, "due_at": due}).status_code
                == 302
            )
            commitment = Commitment.objects.get()
            note = canary.new("note")
            later = typed_time(first_supporter, timedelta(days=3))
            as_first.post(
                f"/commitments/{commitment.pk}/",
                {"outcome": "renegotiate", "due_at": later, "note": note},
            )
            replacement = Commitment.objects.get(state=Commitment.State.OPEN)
            as_first.post(f"/commitments/{replacement.pk}/", {"outcome": "kept"})
            soon = canary.new("soon")
            as_first.post(f"{path}/commitments/", {"what": soon, "due_at": due})
            assert commitments.remind_commitments() == 1
            kept["commitments"] += [what, note, soon]

            # Everyone who should not read it tries, with content in hand.
            for intruder in (coordinator, administrator, outsider_supporter, bully):
                client = signed_in(intruder)
                assert client.get(f"{path}/").status_code == 404
                client.post(
                    f"{path}/send/",
                    {"text": canary.new("intruder"), "client_id": str(uuid.uuid4())},
                )
            assert signed_in(coordinator).get("/programme/").status_code == 200
            assert signed_in(administrator).get("/programme/settings/").status_code == 200

            # Both participants read the page; then a hand-over with consent.
            assert as_colleague.get(f"{path}/").status_code == 200
            assert as_first.get(f"{path}/").status_code == 200
            assert as_first.post(f"{path}/handover/").status_code == 302
            assert as_colleague.post(f"{path}/handover/consent/").status_code == 302
            handed = Offer.objects.get(request=conversation.request, state=Offer.State.PENDING)
            assert handed.supporter == second_supporter
            as_second.post(f"/supporter/offers/{handed.pk}/", {"answer": "accept"})
            after = canary.new("after")
            as_second.post(f"{path}/send/", {"text": after, "client_id": str(uuid.uuid4())})
            kept["messages"].append(after)
            assert as_second.get(f"{path}/").status_code == 200
            assert as_colleague.post(f"{path}/close/").status_code == 302
            as_colleague.post(f"{path}/feedback/", {"felt_heard": "4", "would_return": "yes"})

            # A second conversation the colleague erases, a third that expires.
            for label in ("erased", "expired"):
                gone = canary.new(label)
                as_colleague.post(
                    "/support/new/",
                    {
                        "topic": "other",
                        "mode": "chat",
                        "use_pseudonym": "name",
                        "language": "en",
                        "message": gone,
                        "acknowledged": "on",
                        "submission_id": str(uuid.uuid4()),
                    },
                )
            erased, expired = Conversation.objects.exclude(pk=conversation.pk).order_by("pk")
            assert as_colleague.get(f"/conversations/{erased.pk}/erase/").status_code == 200
            assert as_colleague.post(f"/conversations/{erased.pk}/erase/").status_code == 302
            as_colleague.post(f"/conversations/{expired.pk}/close/")
            Conversation.objects.filter(pk=expired.pk).update(
                shred_after=timezone.now() - timedelta(seconds=1)
            )
            assert conversations.shred_expired_conversations() == 1
            # A request nobody can take (no supporter speaks German): coordinators are told.
            as_colleague.post(
                "/support/new/",
                {
                    "topic": "conflict",
                    "mode": "messages",
                    "use_pseudonym": "name",
                    "language": "de",
                    "message": canary.new("german"),
                    "acknowledged": "on",
                    "submission_id": str(uuid.uuid4()),
                },
            )
            offers.expire_offers(now=timezone.now() + timedelta(days=1))
            offers.retry_waiting_requests()
            offers.alert_missed_first_responses(now=timezone.now() + timedelta(days=30))
            commitments.mark_missed_commitments(now=timezone.now() + timedelta(days=30))
            assert Client().get(f"{path}/").status_code == 302
    finally:
        connection.force_debug_cursor = False

    # The test could fail: the participants do read back every kept canary.
    conversation = Conversation.objects.get(pk=conversation.pk)
    for reader in (colleague, second_supporter):
        shown = selectors.read_messages(viewer=reader, conversation=conversation)
        texts = "\n".join(message.text for message in shown)
        assert all(text in texts for text in kept["messages"]), reader
        promised = selectors.commitments_in(viewer=reader, conversation=conversation)
        listed = "\n".join(f"{c.what}\n{c.note}" for c in promised)
        assert all(text in listed for text in kept["commitments"]), reader
    assert any(
        m.crisis for m in selectors.read_messages(viewer=colleague, conversation=conversation)
    )
    assert len(canary.all) >= 14

    # … and nowhere else.
    dump = _whole_database()
    assert "support_message" in dump or connection.vendor == "postgresql"
    assert len(dump) > 10_000
    assert canary.found_in(dump) == []

    assert caplog.records, "logging was not captured"
    assert any(r.name == "django.request" for r in caplog.records)
    assert any(r.name == "django.db.backends" for r in caplog.records)
    leaking = [
        (r.name, canary.found_in(_log_text(r)))
        for r in caplog.records
        if canary.found_in(_log_text(r))
    ]
    assert leaking == []

    assert len(mail.outbox) >= 6
    recipients = {address for m in mail.outbox for address in m.to}
    assert {
        safety_contact.email,
        coordinator.email,
        colleague.email,
        first_supporter.email,
    } <= recipients
    for message in mail.outbox:
        # An optional e-mail (a commitment reminder) is a plain EmailMessage with headers.
        alternatives = getattr(message, "alternatives", [])
        assert (
            canary.found_in(
                f"{message.subject}\n{message.body}\n{alternatives}\n{message.extra_headers}"
            )
            == []
        )

    events = list(AuditEvent.objects.values())
    assert len(events) >= 8
    assert canary.found_in(repr(events)) == []


def test_the_canary_check_itself_finds_a_planted_leak() -> None:
    """The dump and the matcher are live: a canary written in clear into a content column and
    into a bytes column is found."""
    canary = Canaries()
    colleague = make_person()
    planted = canary.new("planted")
    support_requests.open_request(
        requester=colleague,
        topic="bullying",
        mode="messages",
        use_pseudonym=False,
        language="en",
        avoid_my_team=True,
        avoid_my_department=False,
        person_of_concern=None,
        preferred_supporter=None,
        acknowledged_confidentiality=True,
        first_message="hello",
        submission_id=str(uuid.uuid4()),
    )
    Person.objects.filter(pk=colleague.pk).update(name=planted)
    assert canary.found_in(_whole_database()) == [planted]

    Person.objects.filter(pk=colleague.pk).update(name="Someone")
    conversation = Conversation.objects.get()
    conversation.messages.update(body=planted.encode())
    assert canary.found_in(_whole_database()) == [planted]
