"""No empty digests: the weekly "Your week in recognition" e-mail goes, through the worker's own
scheduler and the e-mail task, only to people some recognition reached."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.core import mail
from django.test import override_settings
from django.utils import timezone

from haven.core.scheduler import run_periodic_jobs
from haven.recognition import services as recognition
from haven.recognition.models import Audience, Recognition, RecognitionDigest
from tests.factories import TeamFactory, make_person

# The worker's own loop: each job in its own transaction, connections checked after each.
pytestmark = pytest.mark.django_db(transaction=True)

FRIDAY = datetime(2026, 11, 27, 16, 0, tzinfo=timezone.get_current_timezone())
DIGEST_DAY = override_settings(HAVEN_RECOGNITION_DIGEST_WEEKDAY=4,
                               HAVEN_RECOGNITION_DIGEST_HOUR=15)


def _on_friday(recognition_: Recognition) -> None:
    Recognition.objects.filter(pk=recognition_.pk).update(created_at=FRIDAY - timedelta(days=1))


def _run_worker_on_friday(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    monkeypatch.setattr(timezone, "now", lambda: FRIDAY)
    return run_periodic_jobs()


@DIGEST_DAY
def test_people_no_recognition_reached_get_no_digest(
        monkeypatch: pytest.MonkeyPatch) -> None:
    team = TeamFactory()
    reached, teammate = make_person(), make_person(team=team)
    bystanders = [make_person() for _ in range(5)]
    # Shared with the whole organisation, to one person and to one team: everyone can read
    # them on the feed, but only those they reached hear about them by e-mail.
    _on_friday(recognition.give_recognition(
        giver=bystanders[0], recipient_email=reached.email, team=None, value_ids=[],
        message="Thank you for the hand-over notes.", audience=Audience.ORGANISATION))
    _on_friday(recognition.give_recognition(
        giver=bystanders[1], recipient_email="", team=team, value_ids=[],
        message="Great launch.", audience=Audience.ORGANISATION))

    results = _run_worker_on_friday(monkeypatch)

    assert -1 not in results.values()  # every job ran
    assert results["haven.recognition.jobs.send_weekly_digests"] == 2
    to = sorted(message.to[0] for message in mail.outbox
                if message.subject.endswith("Your week in recognition"))
    assert to == sorted([reached.email, teammate.email])
    assert all(b.email not in to for b in bystanders)
    assert all(" 0 recognition" not in message.body for message in mail.outbox)
    assert RecognitionDigest.objects.get().recipients == 2


@DIGEST_DAY
def test_a_week_with_only_milestones_for_others_sends_nothing(
        monkeypatch: pytest.MonkeyPatch) -> None:
    people = [make_person() for _ in range(6)]
    _on_friday(recognition.give_recognition(
        giver=people[0], recipient_email=people[1].email, team=None, value_ids=[],
        message="Thanks.", audience=Audience.ORGANISATION))
    recognition.save_preferences(person=people[1], celebrate_milestones=True,
                                 weekly_digest=False)

    results = _run_worker_on_friday(monkeypatch)

    assert results["haven.recognition.jobs.send_weekly_digests"] == 0
    assert [m for m in mail.outbox if "Your week in recognition" in m.subject] == []
