from __future__ import annotations

import os
import socket
import uuid
from datetime import timedelta
from typing import Any

import pytest
from django.db import DatabaseError
from django.test import Client, override_settings
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from haven.core import health
from haven.core.tasks import send_email
from haven.vault.models import KeyHolder


def _worker(*, seen_minutes_ago: float) -> KeyHolder:
    now = timezone.now()
    return KeyHolder.objects.create(
        id=uuid.uuid4(), kind="worker", host="test", pid=os.getpid(), started_at=now,
        current_key_id="k", current_key_check="c", key_ids="k", fingerprint="f",
        last_seen_at=now - timedelta(minutes=seen_minutes_ago))


def _queued_email(*, minutes_ago: float) -> None:
    row = DBTaskResult.objects.create(
        task_path=send_email.module_path, args_kwargs={"args": [], "kwargs": {}},
        backend_name="default", run_after=timezone.now(), status=TaskResultStatus.READY,
        exception_class_path="", traceback="")
    DBTaskResult.objects.filter(pk=row.pk).update(
        enqueued_at=timezone.now() - timedelta(minutes=minutes_ago))


@pytest.fixture(autouse=True)
def _no_workers(db: None) -> None:
    KeyHolder.objects.filter(kind="worker").delete()


def test_all_parts_healthy_is_200_with_each_part_named() -> None:
    _worker(seen_minutes_ago=0.5)
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "redis": "not configured",
                               "worker": "ok", "worker_alive": 1, "mail_queue": "ok",
                               "mail_queue_oldest_seconds": 0.0}


def test_a_stale_worker_and_late_mail_degrade_but_do_not_fail_by_default() -> None:
    _worker(seen_minutes_ago=10)
    _queued_email(minutes_ago=30)
    response = Client().get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["worker"], body["worker_alive"]) == ("degraded", "stale", 0)
    assert body["mail_queue"] == "late"
    assert 29 * 60 < body["mail_queue_oldest_seconds"] < 31 * 60


@override_settings(HAVEN_HEALTH_WORKER_REQUIRED=True)
def test_with_the_worker_required_a_stale_worker_is_503() -> None:
    _worker(seen_minutes_ago=3)
    response = Client().get("/healthz")
    assert response.status_code == 503
    assert response.json()["status"] == "error"
    assert response.json()["worker"] == "stale"


@override_settings(HAVEN_HEALTH_WORKER_REQUIRED=True)
def test_with_the_worker_required_no_worker_at_all_is_503() -> None:
    assert Client().get("/healthz").json()["worker"] == "none"
    assert Client().get("/healthz").status_code == 503


@override_settings(HAVEN_HEALTH_WORKER_REQUIRED=True, HAVEN_HEALTH_MAIL_LATE_MINUTES=5)
def test_with_the_worker_required_late_mail_is_503() -> None:
    _worker(seen_minutes_ago=0)
    _queued_email(minutes_ago=1)
    assert Client().get("/healthz").status_code == 200
    _queued_email(minutes_ago=6)
    response = Client().get("/healthz")
    assert response.status_code == 503
    assert response.json()["mail_queue"] == "late"


def test_mail_queue_counts_only_e_mails_waiting() -> None:
    _queued_email(minutes_ago=40)
    DBTaskResult.objects.update(status=TaskResultStatus.SUCCESSFUL)
    assert health.oldest_queued_email() == 0.0


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_unreachable_redis_is_503_without_host_or_error_text(
        caplog: pytest.LogCaptureFixture) -> None:
    port = _closed_port()
    with override_settings(REDIS_URL=f"redis://127.0.0.1:{port}/0"):
        response = Client().get("/healthz")
    assert response.status_code == 503
    assert response.json()["redis"] == "unavailable"
    assert str(port) not in response.content.decode()
    assert str(port) not in caplog.text
    assert "Health check redis failed: ConnectionError" in caplog.text


def test_a_database_failure_is_503(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken() -> health.Part:
        raise DatabaseError("connection to server at 10.0.0.7 failed")

    monkeypatch.setattr(health, "database", broken)
    response = Client().get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "unavailable"
    assert "10.0.0.7" not in response.content.decode()


def test_it_rejects_post(db: None) -> None:
    assert Client().post("/healthz").status_code == 405


def test_it_serves_haven_stylesheet_and_scripts(db: None) -> None:
    for path in ("/static/haven/haven.css", "/static/haven/chat.js", "/static/haven/confirm.js"):
        response = Client().get(path)
        assert response.status_code == 200, path


def test_livez_answers_without_reading_anything(django_assert_num_queries: Any) -> None:
    # A process manager's question is only "does the process answer?": no query, no Redis.
    with django_assert_num_queries(0):
        response = Client().get("/livez")
    assert (response.status_code, response.content) == (200, b"ok\n")
    assert response["Content-Type"].startswith("text/plain")
    assert Client().post("/livez").status_code == 405
