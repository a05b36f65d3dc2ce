"""Background tasks shared by every app (django-tasks; the worker runs them)."""

from __future__ import annotations

from django.core.mail import send_mail
from django_tasks import task


@task()
def send_email(subject: str, body: str, recipients: list[str]) -> int:
    """Callers pass content-free text only; see haven.support.services.notify."""
    return send_mail(subject, body, None, recipients)
