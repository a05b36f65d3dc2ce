"""Background tasks shared by every app (django-tasks; the worker runs them)."""

from __future__ import annotations

import contextlib
import smtplib
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db.models import QuerySet
from django.utils import timezone
from django_tasks import task
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from haven.core.text import one_line, without_unstorable


class MailNotSent(Exception):
    """An e-mail given up on: its message is the failure's type name only (e.g.
    ConnectionRefusedError), never an address, a subject or a host, because the task's
    failure is logged and kept in the task table for administrators to see."""


def retry_delay(attempt: int) -> timedelta:
    """How long to wait after failed attempt ATTEMPT (1, 2, …): 1, 2, 4, 8 … minutes."""
    return timedelta(minutes=2 ** (attempt - 1))


def _permanent(error: Exception) -> bool:
    """Whether the server refused for good (a 5xx reply), so that trying again cannot help.
    Anything else (no connection, a time-out, a 4xx "try later") is worth another attempt."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _reply in error.recipients.values())
    if isinstance(error, smtplib.SMTPResponseException):
        return error.smtp_code >= 500
    return not isinstance(error, (OSError, smtplib.SMTPException))


def _deliver(message: EmailMessage) -> int:
    """Hand MESSAGE to the mail server. Only a failure before the server accepted it raises:
    one when saying goodbye afterwards is ignored, so a retry never sends it twice."""
    connection = get_connection()
    connection.open()
    try:
        return connection.send_messages([message])
    finally:
        with contextlib.suppress(Exception):
            connection.close()


@task()
def send_email(subject: str, body: str, recipients: list[str],
               attachments: list[list[str]] | None = None,
               headers: dict[str, str] | None = None, *, attempt: int = 1) -> int:
    """Callers pass content-free text only; see haven.core.mail.notify. ATTACHMENTS
    are [file name, text content, MIME type] (e.g. a calendar invitation); HEADERS are extra
    header lines (an optional e-mail's List-Unsubscribe, haven.core.mail.optional_email).

    A subject is made one line: one holding a line break (say, an activity title stored
    before titles were checked) would make Django refuse the whole e-mail (BadHeaderError),
    and the task would fail for good. What could not be encoded is dropped the same way.

    When the server cannot be reached or asks to try later, the same e-mail is queued again
    (attempt ATTEMPT + 1) after retry_delay(ATTEMPT), up to settings.HAVEN_MAIL_ATTEMPTS
    attempts; then, or at once when the server refuses it for good, the task fails with
    MailNotSent naming the failure's type (haven.core.selectors.mail_failures counts them)."""
    message = EmailMessage(one_line(subject), without_unstorable(body), None, recipients,
                           headers=headers)
    for name, content, mime_type in attachments or []:
        message.attach(name, without_unstorable(content), mime_type)
    try:
        return _deliver(message)
    except Exception as error:
        reason = type(error).__name__
        if (_permanent(error) or attempt >= settings.HAVEN_MAIL_ATTEMPTS
                or not send_email.get_backend().supports_defer):
            # `from None`: the original's text (an address, a host) stays out of the log.
            raise MailNotSent(reason) from None
    send_email.using(run_after=timezone.now() + retry_delay(attempt)).enqueue(
        subject, body, recipients, attachments, headers, attempt=attempt + 1)
    return 0


def failed_email() -> QuerySet[DBTaskResult]:
    """The task rows of e-mails given up on (kept a week: haven.core.jobs.forget_sent_email).
    They hold each e-mail's recipients and text: read their reasons, never show the rest."""
    return DBTaskResult.objects.filter(task_path=send_email.module_path,
                                       status=TaskResultStatus.FAILED)


def failure_reason(result: DBTaskResult) -> str:
    """The type name of what made RESULT fail: MailNotSent carries the original's."""
    if result.exception_class_path == f"{MailNotSent.__module__}.{MailNotSent.__qualname__}":
        return result.traceback.rstrip().rsplit(": ", 1)[-1]
    return result.exception_class_path.rsplit(".", 1)[-1]
