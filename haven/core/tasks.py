"""Background tasks shared by every app (django-tasks; the worker runs them)."""

from __future__ import annotations

from django.core.mail import EmailMessage, send_mail
from django_tasks import task

from haven.core.text import one_line, without_unstorable


@task()
def send_email(subject: str, body: str, recipients: list[str],
               attachments: list[list[str]] | None = None,
               headers: dict[str, str] | None = None) -> int:
    """Callers pass content-free text only; see haven.core.mail.notify. ATTACHMENTS
    are [file name, text content, MIME type] (e.g. a calendar invitation); HEADERS are extra
    header lines (an optional e-mail's List-Unsubscribe, haven.core.mail.optional_email).

    A subject is made one line: one holding a line break (say, an activity title stored
    before titles were checked) would make Django refuse the whole e-mail (BadHeaderError),
    and the task would fail for good. What could not be encoded is dropped the same way."""
    subject, body = one_line(subject), without_unstorable(body)
    if not attachments and not headers:
        return send_mail(subject, body, None, recipients)
    message = EmailMessage(subject, body, None, recipients, headers=headers)
    for name, content, mime_type in attachments or []:
        message.attach(name, without_unstorable(content), mime_type)
    return message.send()
