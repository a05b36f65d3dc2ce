from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime
from typing import Any

import pytest
from django.test import Client, override_settings
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from haven.accesslog import AccessLog
from haven.core import metrics
from haven.core.models import JobRun
from haven.support.live.routing import websocket_urlpatterns

TOKEN = "a-long-random-metrics-token"
WITH_TOKEN = override_settings(HAVEN_METRICS_TOKEN=TOKEN)


@pytest.fixture(autouse=True)
def _fresh_counters() -> None:
    metrics.reset()


def _scrape(token: str | None = TOKEN) -> Any:
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token is not None else {}
    return Client().get("/metrics", **headers)


def test_without_a_configured_token_metrics_is_not_served(db: None) -> None:
    assert _scrape().status_code == 404


@WITH_TOKEN
def test_a_missing_token_is_401_and_a_wrong_one_403(db: None) -> None:
    missing = _scrape(None)
    assert missing.status_code == 401
    assert missing["WWW-Authenticate"].startswith("Bearer")
    assert _scrape("not-the-token").status_code == 403
    assert _scrape(TOKEN + "x").status_code == 403
    assert b"haven_" not in _scrape("not-the-token").content


@WITH_TOKEN
def test_the_right_token_gets_tasks_jobs_and_health_in_prometheus_format(db: None) -> None:
    for status in (TaskResultStatus.READY, TaskResultStatus.READY, TaskResultStatus.FAILED):
        DBTaskResult.objects.create(task_path="haven.core.tasks.send_email", status=status,
                                    args_kwargs={"args": [], "kwargs": {}},
                                    backend_name="default", run_after=datetime.now(UTC),
                                    exception_class_path="", traceback="")
    finished = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    JobRun.objects.create(job="haven.core.jobs.forget_sent_email", slot=finished,
                          finished_at=finished, changed=0)
    response = _scrape()
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=0.0.4")
    text = response.content.decode()
    assert 'haven_tasks{state="ready"} 2\n' in text
    assert 'haven_tasks{state="failed"} 1\n' in text
    assert ('haven_periodic_job_last_run_timestamp_seconds{job="haven.core.jobs.'
            f'forget_sent_email"}} {int(finished.timestamp())}\n') in text
    assert 'haven_health_ok{part="database"} 1\n' in text
    assert "haven_mail_queue_oldest_seconds " in text
    # Every line is a comment or one sample: name, optional labels, a number.
    sample = re.compile(r'^[a-z_]+(\{[a-z_]+="[^"\n]*"(,[a-z_]+="[^"\n]*")*\})? -?[0-9.e+]+$')
    for line in text.splitlines():
        assert line.startswith("# ") or sample.match(line), line


def _http(app: AccessLog, path: str, status: int) -> None:
    async def inner(scope: dict, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": status, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    async def receive() -> dict:
        return {"type": "http.request", "body": b""}

    async def send(message: dict) -> None:
        return None

    app.app = inner
    asyncio.run(app({"type": "http", "method": "GET", "path": path}, receive, send))


@WITH_TOKEN
def test_requests_are_counted_by_route_name_and_status_never_by_path(db: None) -> None:
    app = AccessLog(lambda *args: None, websocket_patterns=websocket_urlpatterns)  # type: ignore[arg-type,return-value]
    secret = "Mg/cz0xyz-a1b2c3d4e5f6a7b8c9d0"
    _http(app, f"/invitation/{secret}/", 200)
    _http(app, f"/invitation/{secret}/", 200)
    _http(app, "/no/such/page?q=quokka", 404)
    text = _scrape().content.decode()
    assert ('haven_http_request_duration_seconds_count{route="accept_invitation",'
            'status="200"} 2\n') in text
    assert ('haven_http_request_duration_seconds_bucket{route="accept_invitation",'
            'status="200",le="+Inf"} 2\n') in text
    assert 'route="(no route)",status="404"' in text
    assert "cz0xyz" not in text and "quokka" not in text and "/invitation" not in text


def test_open_websockets_go_up_when_accepted_and_down_when_closed() -> None:
    seen: list[dict[str, int]] = []

    async def inner(scope: dict, receive: Any, send: Any) -> None:
        await send({"type": "websocket.accept"})
        seen.append(metrics.websockets_open())
        await receive()

    async def receive() -> dict:
        return {"type": "websocket.disconnect", "code": 1000}

    async def send(message: dict) -> None:
        return None

    app = AccessLog(inner, websocket_patterns=websocket_urlpatterns)
    asyncio.run(app({"type": "websocket", "path": "/ws/conversations/12/"}, receive, send))
    assert seen == [{"conversation_socket": 1}]
    assert metrics.websockets_open() == {"conversation_socket": 0}
