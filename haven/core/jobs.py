"""The core app's periodic jobs (run by the worker's scheduler)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Q
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from haven.core import idempotency
from haven.core.scheduler import forget_job_runs, periodic
from haven.core.tasks import send_email

# A queued e-mail's row holds its recipient and subject — "a peer supporter has joined your
# conversation", sent to a colleague, says who sought support. Kept no longer than needed:
# sent ones at once, failed ones a week for the operator to see that mail is failing.
FAILED_EMAIL_KEPT = timedelta(days=7)


@periodic
def forget_sent_email(*, now: datetime | None = None) -> int:
    now = now or timezone.now()
    finished = DBTaskResult.objects.filter(task_path=send_email.module_path).filter(
        Q(status=TaskResultStatus.SUCCESSFUL)
        | Q(status=TaskResultStatus.FAILED, finished_at__lte=now - FAILED_EMAIL_KEPT))
    deleted, _by_model = finished.delete()
    return deleted


@periodic
def forget_form_submissions() -> int:
    """Create forms' records of what they made (haven.core.idempotency): kept a day."""
    return idempotency.forget_form_submissions()


@periodic
def forget_old_job_runs() -> int:
    """The scheduler's records of which worker ran which job when: kept two days."""
    return forget_job_runs()
