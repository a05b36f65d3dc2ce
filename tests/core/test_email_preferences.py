"""Optional e-mails (haven.core.email_kinds): each periodic e-mail carries a personal unsubscribe
link and the List-Unsubscribe headers of RFC 8058; the link's page asks before it changes
anything, its button stops the e-mail (and offers to turn it back on), a mail client's one-click
POST stops it without a CSRF token, an altered link changes nothing, and each job leaves out
whoever turned its e-mail off. The E-mail settings page saves through an audited service."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.test import Client, override_settings
from django.utils import timezone

from haven.activities import services as activities
from haven.activities.models import REMINDER_EMAIL as ACTIVITY_REMINDER
from haven.coffee import services as coffee
from haven.coffee.models import COFFEE_EMAIL
from haven.core.email_kinds import email_kinds, unsubscribe_token, wants_email
from haven.core.models import AuditAction, AuditEvent, Person, Role
from haven.core.services import set_email_choices
from haven.recognition import services as recognition
from haven.recognition.models import DIGEST_EMAIL, Recognition
from haven.support import commitments
from haven.support.models import REMINDER_EMAIL as COMMITMENT_REMINDER
from tests.activities.test_activities import an_activity
from tests.coffee.conftest import colleague_in, joined
from tests.conftest import signed_in
from tests.factories import make_person
from tests.recognition.test_recognition import FRIDAY_AFTERNOON, give
from tests.support.chat_setup import open_chat
from tests.support.conftest import make_supporter

pytestmark = pytest.mark.django_db


# One way to make each periodic e-mail; each returns its recipient and makes the job run.
def _digest() -> tuple[Person, Callable[[], Any]]:
    person = make_person()
    Recognition.objects.filter(pk=give(make_person(), person).pk).update(
        created_at=FRIDAY_AFTERNOON - timedelta(days=1))

    def run() -> Any:
        with override_settings(HAVEN_RECOGNITION_DIGEST_WEEKDAY=4,
                               HAVEN_RECOGNITION_DIGEST_HOUR=15):
            return recognition.send_weekly_digests(now=FRIDAY_AFTERNOON)
    return person, run


def _activity_reminder() -> tuple[Person, Callable[[], Any]]:
    person = make_person()
    activities.sign_up(person=person, activity=an_activity(starts_in=timedelta(hours=20)))
    return person, activities.send_due_reminders


def _commitment_reminder() -> tuple[Person, Callable[[], Any]]:
    supporter = make_supporter()
    commitments.record_commitment(conversation=open_chat(make_person(), supporter),
                                  supporter=supporter, what="Call on Friday",
                                  due_at=timezone.now() + timedelta(hours=20))
    return supporter, commitments.remind_commitments


def _coffee() -> tuple[Person, Callable[[], Any]]:
    person = joined(colleague_in("Payments", "Engineering"))
    joined(colleague_in("Payroll", "Finance"))
    return person, coffee.run_round


SENDERS = {DIGEST_EMAIL.key: _digest, ACTIVITY_REMINDER.key: _activity_reminder,
           COMMITMENT_REMINDER.key: _commitment_reminder, COFFEE_EMAIL.key: _coffee}


def _mail_to(person: Person) -> list[Any]:
    return [message for message in mail.outbox if message.to == [person.email]]


def _path(url: str) -> str:
    return urlsplit(url).path


def _page_link(body: str) -> str:
    return next(word for word in body.split() if "/email/unsubscribe/" in word)


def test_every_registered_kind_is_covered_here() -> None:
    assert {kind.key for kind in email_kinds()} == set(SENDERS)


@pytest.mark.parametrize("kind", sorted(SENDERS))
def test_each_periodic_e_mail_carries_a_working_link_and_the_headers(
        kind: str, commit: Any, failed_tasks: list[str]) -> None:
    person, run = SENDERS[kind]()
    with commit():
        run()

    message, = _mail_to(person)
    assert failed_tasks == []
    headers = message.message()
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    one_click = headers["List-Unsubscribe"].strip("<>")
    page = _page_link(message.body)
    assert _path(one_click) == f"{_path(page)}one-click/"

    stranger = Client()  # nobody signs in: the link is the key
    asked = stranger.get(_path(page))
    assert asked.status_code == 200
    assert str(next(k for k in email_kinds() if k.key == kind).label) in asked.content.decode()
    assert wants_email(person_id=person.pk, kind=kind)  # GET changes nothing

    stopped = stranger.post(_path(page), {"choice": "stop"})
    assert stopped.status_code == 200
    assert not wants_email(person_id=person.pk, kind=kind)
    assert "Turn it back on" in stopped.content.decode()


@pytest.mark.parametrize("kind", sorted(SENDERS))
def test_the_job_leaves_out_a_person_who_turned_its_e_mail_off(kind: str, commit: Any) -> None:
    person, run = SENDERS[kind]()
    set_email_choices(person=person, wanted={kind: False}, via="settings")

    with commit():
        run()

    assert _mail_to(person) == []


def test_a_coffee_round_leaves_out_whoever_turned_coffee_e_mail_off() -> None:
    person, run = _coffee()
    set_email_choices(person=person, wanted={COFFEE_EMAIL.key: False}, via="settings")

    run()

    assert not person.coffee_memberships.exists()
    assert "You turned coffee e-mails off" in signed_in(person).get("/coffee/").content.decode()


def _link(person: Person, kind: str = ACTIVITY_REMINDER.key) -> str:
    return f"/email/unsubscribe/{unsubscribe_token(person_id=person.pk, kind=kind)}/"


def test_the_page_asks_and_the_button_can_turn_it_back_on() -> None:
    person, client = make_person(), Client(enforce_csrf_checks=True)

    page = client.get(_link(person))
    assert "Stop this e-mail" in page.content.decode()
    token = page.cookies["csrftoken"].value
    client.post(_link(person), {"choice": "stop", "csrfmiddlewaretoken": token})
    assert not wants_email(person_id=person.pk, kind=ACTIVITY_REMINDER.key)
    client.post(_link(person), {"choice": "resume", "csrfmiddlewaretoken": token})

    assert wants_email(person_id=person.pk, kind=ACTIVITY_REMINDER.key)
    events = AuditEvent.objects.filter(action=AuditAction.EMAIL_SETTINGS_CHANGED, actor=person)
    assert [event.detail for event in events.order_by("pk")] == [
        {"via": "link", ACTIVITY_REMINDER.key: False},
        {"via": "link", ACTIVITY_REMINDER.key: True}]


def test_the_page_s_own_button_needs_its_csrf_token() -> None:
    person = make_person()

    response = Client(enforce_csrf_checks=True).post(_link(person), {"choice": "stop"})

    assert response.status_code == 403
    assert wants_email(person_id=person.pk, kind=ACTIVITY_REMINDER.key)


def test_a_one_click_post_unsubscribes_without_a_csrf_token() -> None:
    person = make_person()

    response = Client(enforce_csrf_checks=True).post(
        f"{_link(person)}one-click/", "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded")

    assert response.status_code == 200
    assert not wants_email(person_id=person.pk, kind=ACTIVITY_REMINDER.key)
    assert AuditEvent.objects.get(action=AuditAction.EMAIL_SETTINGS_CHANGED).detail == {
        "via": "one_click", ACTIVITY_REMINDER.key: False}


def test_one_click_needs_the_rfc_8058_body_and_a_post() -> None:
    person = make_person()
    client = Client(enforce_csrf_checks=True)

    assert client.post(f"{_link(person)}one-click/", {}).status_code == 400
    assert client.get(f"{_link(person)}one-click/").status_code == 405
    assert wants_email(person_id=person.pk, kind=ACTIVITY_REMINDER.key)


@pytest.mark.parametrize("tamper", [
    lambda token: token[:-1] + ("A" if token[-1] != "A" else "B"),  # the signature altered
    lambda token: token.replace(token.split(":")[0], token.split(":")[0][::-1], 1),
    lambda token: "not-a-token",
    lambda token: "é" * 30,
], ids=["signature", "payload", "garbage", "non-ascii"])
def test_an_altered_link_is_refused_clearly_and_changes_nothing(tamper: Any) -> None:
    person = make_person()
    bad = f"/email/unsubscribe/{tamper(unsubscribe_token(person_id=person.pk, kind='coffee'))}/"

    for response in (Client().get(bad), Client().post(bad, {"choice": "stop"}),
                     Client().post(f"{bad}one-click/", "List-Unsubscribe=One-Click",
                                   content_type="application/x-www-form-urlencoded")):
        assert response.status_code == 400
        assert "This unsubscribe link does not work" in response.content.decode()
    assert wants_email(person_id=person.pk, kind="coffee")


def test_a_link_for_another_purpose_or_an_unknown_kind_is_refused() -> None:
    from django.core import signing

    person = make_person()
    other_salt = signing.dumps([person.pk, "coffee"], salt="another purpose")
    unknown = unsubscribe_token(person_id=person.pk, kind="fax_digest")
    gone = unsubscribe_token(person_id=person.pk + 1000, kind="coffee")

    for token in (other_salt, unknown, gone):
        assert Client().get(f"/email/unsubscribe/{token}/").status_code == 400


def test_the_settings_page_is_linked_from_the_profile_and_saves() -> None:
    person = make_person()
    client = signed_in(person)
    assert "/profile/email/" in client.get("/profile/").content.decode()

    page = client.get("/profile/email/").content.decode()
    assert str(DIGEST_EMAIL.label) in page
    assert str(COMMITMENT_REMINDER.label) not in page  # for supporters only

    response = client.post("/profile/email/", {DIGEST_EMAIL.key: "on"})  # the others unticked

    assert response.status_code == 302
    assert wants_email(person_id=person.pk, kind=DIGEST_EMAIL.key)
    assert not wants_email(person_id=person.pk, kind=COFFEE_EMAIL.key)
    assert not wants_email(person_id=person.pk, kind=ACTIVITY_REMINDER.key)
    event = AuditEvent.objects.get(action=AuditAction.EMAIL_SETTINGS_CHANGED)
    assert event.detail == {"via": "settings", COFFEE_EMAIL.key: False,
                            ACTIVITY_REMINDER.key: False}
    form = client.get("/profile/email/").context["form"]
    assert form.initial == {DIGEST_EMAIL.key: True, COFFEE_EMAIL.key: False,
                            ACTIVITY_REMINDER.key: False}


def test_a_supporter_also_chooses_commitment_reminders() -> None:
    supporter = make_person(Role.SUPPORTER)

    page = signed_in(supporter).get("/profile/email/").content.decode()

    assert str(COMMITMENT_REMINDER.label) in page


def test_saving_without_a_change_writes_no_audit_row() -> None:
    person = make_person()

    changed = set_email_choices(person=person, wanted={DIGEST_EMAIL.key: True}, via="settings")

    assert changed == {}
    assert not AuditEvent.objects.filter(action=AuditAction.EMAIL_SETTINGS_CHANGED).exists()
