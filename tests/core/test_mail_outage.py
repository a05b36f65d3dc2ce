"""Mail that survives an outage: a real SMTP server (aiosmtpd) on a loopback port is stopped,
Haven queues invitations, activity reminders and support notifications through its own code
(and allauth's password-reset link through Haven's account adapter), the worker's task loop
fails and retries them with back-off, the server comes back, and every message arrives
exactly once. What still fails after every retry is counted for
administrators by its failure's type only."""

from __future__ import annotations

import io
import re
import socket
from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timedelta
from email import message_from_bytes
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from django.core.management import call_command
from django.test import Client, override_settings
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult, get_date_max

from haven.activities import services as activities
from haven.core import selectors, services
from haven.core.jobs import forget_sent_email
from haven.core.models import Role
from haven.core.tasks import retry_delay, send_email
from tests.activities.test_activities import an_activity
from tests.conftest import signed_in
from tests.factories import make_person
from tests.support.conftest import make_supporter, open_request

pytestmark = pytest.mark.django_db


class Inbox:
    """aiosmtpd handler: remembers (recipient, subject) of every message it accepted, and
    each message's text."""

    def __init__(self) -> None:
        self.received: list[tuple[str, str]] = []
        self.bodies: list[str] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        message = message_from_bytes(envelope.original_content)
        self.received.extend((recipient, str(message["Subject"]))
                             for recipient in envelope.rcpt_tos)
        text = next(part for part in message.walk() if part.get_content_type() == "text/plain")
        self.bodies.append(text.get_payload(decode=True).decode(
            text.get_content_charset() or "ascii"))
        return "250 Message accepted for delivery"


class MailServer:
    """A real SMTP server on a free loopback port that the test stops and starts."""

    def __init__(self) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.inbox = Inbox()
        self._controller: Controller | None = None

    def start(self) -> None:
        self._controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None


@pytest.fixture
def smtp(settings: Any) -> Iterator[MailServer]:
    server = MailServer()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    settings.HAVEN_MAIL_ATTEMPTS = 5
    # The worker's own queue (the database backend), not the suite's run-at-once backend.
    with override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}):
        server.start()
        try:
            yield server
        finally:
            server.stop()


def run_due_tasks(now: datetime) -> int:
    """What the worker does (django-tasks-db's own Worker.run_task) for every queued task due
    by NOW, as if the clock read NOW: the test moves time on instead of sleeping."""
    worker = Worker(queue_names=["default"], interval=0, batch=True, backend_name="default",
                    startup_delay=False, max_tasks=None, worker_id="test",
                    excluded_queue_names=[])
    ran = 0
    while True:
        due = (DBTaskResult.objects.filter(status=TaskResultStatus.READY)
               .filter(run_after__lte=now) | DBTaskResult.objects.filter(
                   status=TaskResultStatus.READY, run_after=get_date_max())).first()
        if due is None:
            return ran
        due.claim(worker.worker_id)
        worker.run_task(due)
        ran += 1


def queue_all_kinds(django_capture_on_commit_callbacks: Any) -> set[tuple[str, str]]:
    """Invitations, reminders and a notification, each through Haven's own services; returns
    the (recipient, subject) pairs that must arrive."""
    admin = make_person(Role.ADMINISTRATOR, mfa=False)
    invited = [make_person(password=None), make_person(password=None)]
    activity = an_activity(starts_in=timedelta(hours=20), title="Quiz")
    going = [make_person(), make_person()]
    supporter, colleague = make_supporter(), make_person()
    with django_capture_on_commit_callbacks(execute=True):
        for person in invited:
            services.send_invitation(person=person, actor=admin)
        for person in going:
            activities.sign_up(person=person, activity=activity)
        assert activities.send_due_reminders() == 1
        open_request(colleague)
    subjects = {row.args_kwargs["args"][2][0]: row.args_kwargs["args"][0]
                for row in DBTaskResult.objects.filter(task_path=send_email.module_path)}
    expected = {*(person.email for person in invited), *(p.email for p in going),
                supporter.email}
    assert set(subjects) == expected  # one queued e-mail per person, nothing sent yet
    assert "Quiz" in subjects[going[0].email]
    return {(address, subject) for address, subject in subjects.items()}


def test_every_message_arrives_exactly_once_after_an_outage(
        smtp: MailServer, django_capture_on_commit_callbacks: Any) -> None:
    smtp.stop()
    expected = queue_all_kinds(django_capture_on_commit_callbacks)
    now = timezone.now()

    # Down: the first two attempts fail (connection refused) and are queued again.
    assert run_due_tasks(now) == len(expected)
    now += retry_delay(1) + timedelta(seconds=5)
    assert run_due_tasks(now) == len(expected)
    assert smtp.inbox.received == []
    trouble = selectors.mail_failures()
    assert (trouble.failed, trouble.retrying) == (0, len(expected))

    # Nothing is due before the back-off has passed (2 minutes after the second attempt).
    assert run_due_tasks(now + timedelta(seconds=30)) == 0

    smtp.start()
    now += retry_delay(2) + timedelta(seconds=5)
    assert run_due_tasks(now) == len(expected)
    for _later in range(3):  # nothing is left to send again, however long the worker runs
        now += timedelta(hours=1)
        assert run_due_tasks(now) == 0

    assert Counter(smtp.inbox.received) == Counter(dict.fromkeys(expected, 1))
    assert selectors.mail_failures() == selectors.MailFailures(failed=0, reasons={},
                                                               retrying=0)


def test_mail_still_failing_after_every_retry_is_counted_by_reason_only(
        smtp: MailServer, settings: Any, django_capture_on_commit_callbacks: Any) -> None:
    settings.HAVEN_MAIL_ATTEMPTS = 2
    smtp.stop()
    expected = queue_all_kinds(django_capture_on_commit_callbacks)
    now = timezone.now()
    run_due_tasks(now)
    assert run_due_tasks(now + retry_delay(1) + timedelta(seconds=5)) == len(expected)
    assert run_due_tasks(now + timedelta(days=1)) == 0  # given up: no third attempt

    assert selectors.mail_failures() == selectors.MailFailures(
        failed=len(expected), reasons={"ConnectionRefusedError": len(expected)}, retrying=0)
    failed = DBTaskResult.objects.filter(status=TaskResultStatus.FAILED)
    for row in failed:  # the kept failure names its type; no address, no subject
        assert row.traceback.rstrip().endswith("MailNotSent: ConnectionRefusedError")
        assert not any(address in row.traceback or subject in row.traceback
                       for address, subject in expected)

    admin = make_person(Role.ADMINISTRATOR)
    page = signed_in(admin).get("/").content.decode()
    assert re.search(r"E-mail delivery</strong> <span class=\"badge\">to do<", page)
    assert (f"{len(expected)} e-mails could not be sent after every retry in the past week "
            f"(ConnectionRefusedError × {len(expected)})") in page
    assert not any(address in page for address, _subject in expected
                   if address != admin.email)

    # Once the server is back, the administrator queues them again: each arrives once.
    smtp.start()
    call_command("mail_queue", "--resend", stdout=io.StringIO())
    assert run_due_tasks(now + timedelta(days=1)) == len(expected)
    assert Counter(smtp.inbox.received) == Counter(dict.fromkeys(expected, 1))
    assert selectors.mail_failures().failed == 0


def test_dropping_failed_mail_forgets_it_unsent(smtp: MailServer, settings: Any,
                                                 django_capture_on_commit_callbacks: Any
                                                 ) -> None:
    settings.HAVEN_MAIL_ATTEMPTS = 1
    smtp.stop()
    expected = queue_all_kinds(django_capture_on_commit_callbacks)
    run_due_tasks(timezone.now())
    assert selectors.mail_failures().failed == len(expected)

    assert services.drop_failed_email() == len(expected)
    smtp.start()
    assert run_due_tasks(timezone.now() + timedelta(days=1)) == 0
    assert smtp.inbox.received == []
    assert not DBTaskResult.objects.filter(task_path=send_email.module_path).exists()


class RefusingInbox(Inbox):
    """Refuses every recipient for good (550), as for an address that does not exist."""

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,  # noqa: N802
                          rcpt_options: list[str]) -> str:
        return "550 No such user here"


def test_a_refusal_for_good_is_not_retried(smtp: MailServer, settings: Any,
                                           django_capture_on_commit_callbacks: Any) -> None:
    smtp.stop()
    smtp.inbox = RefusingInbox()
    smtp.start()
    expected = queue_all_kinds(django_capture_on_commit_callbacks)

    assert run_due_tasks(timezone.now()) == len(expected)
    assert run_due_tasks(timezone.now() + timedelta(days=1)) == 0
    assert selectors.mail_failures() == selectors.MailFailures(
        failed=len(expected), reasons={"SMTPRecipientsRefused": len(expected)}, retrying=0)


# --- allauth's e-mails: the password-reset link ---------------------------------------------

RESET = "/accounts/password/reset/"
NEW_PASSWORD = "a lighthouse keeper's spare key 7"


def email_rows() -> list[DBTaskResult]:
    return list(DBTaskResult.objects.filter(task_path=send_email.module_path))


def test_a_password_reset_asked_for_during_an_outage_arrives_once_and_its_link_works(
        smtp: MailServer, django_capture_on_commit_callbacks: Any) -> None:
    person = make_person()
    smtp.stop()
    with django_capture_on_commit_callbacks(execute=True):
        asked = Client().post(RESET, {"email": person.email})
    assert asked.status_code == 302  # the page does not fail because the server is down
    assert asked["Location"] == "/accounts/password/reset/done/"
    (queued,) = email_rows()  # the link waits in the task table, nothing was sent at once
    assert queued.args_kwargs["args"][2] == [person.email]
    assert "/accounts/password/reset/key/" in queued.args_kwargs["args"][1]

    now = timezone.now()
    assert run_due_tasks(now) == 1
    now += retry_delay(1) + timedelta(seconds=5)
    assert run_due_tasks(now) == 1
    assert smtp.inbox.received == []
    assert selectors.mail_failures().retrying == 1

    smtp.start()
    now += retry_delay(2) + timedelta(seconds=5)
    assert run_due_tasks(now) == 1
    for _later in range(3):
        now += timedelta(hours=1)
        assert run_due_tasks(now) == 0
    assert [address for address, _subject in smtp.inbox.received] == [person.email]
    assert "Password Reset" in smtp.inbox.received[0][1]

    # Sent: the worker's next clean-up leaves no row holding the link.
    forget_sent_email()
    assert email_rows() == []

    (link,) = re.findall(r"https?://\S+", smtp.inbox.bodies[0])
    client = Client()
    form = client.get(re.sub(r"^https?://[^/]+", "", link), follow=True)
    assert "password1" in form.context["form"].fields
    done = client.post(form.redirect_chain[-1][0], {"password1": NEW_PASSWORD,
                                                   "password2": NEW_PASSWORD})
    assert done.status_code == 302
    person.refresh_from_db()
    assert person.check_password(NEW_PASSWORD)


def test_a_password_reset_for_an_unknown_address_queues_and_sends_nothing(
        smtp: MailServer, django_capture_on_commit_callbacks: Any) -> None:
    person = make_person()
    with django_capture_on_commit_callbacks(execute=True):
        Client().post(RESET, {"email": "stranger@elsewhere.example"})
        Client().post(RESET, {"email": person.email})

    assert [row.args_kwargs["args"][2] for row in email_rows()] == [[person.email]]
    assert run_due_tasks(timezone.now()) == 1
    assert [address for address, _subject in smtp.inbox.received] == [person.email]


def test_an_html_template_for_an_allauth_e_mail_is_refused_not_dropped(
        smtp: MailServer, settings: Any, tmp_path: Path,
        django_capture_on_commit_callbacks: Any) -> None:
    """The queued task sends plain text only: an HTML part would be lost without a word."""
    html = tmp_path / "account" / "email" / "password_reset_key_message.html"
    html.parent.mkdir(parents=True)
    html.write_text("<p>{{ password_reset_url }}</p>")
    settings.TEMPLATES = [{**settings.TEMPLATES[0],
                           "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}]
    person = make_person()

    with pytest.raises(ValueError, match="plain text only"), \
            django_capture_on_commit_callbacks(execute=True):
        Client().post(RESET, {"email": person.email})
    assert email_rows() == []
