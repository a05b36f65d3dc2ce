"""The figures /metrics serves, in Prometheus' text format (version 0.0.4), written here.

Request counts and times (by route name and status) and open websockets are counted in this
process, by haven.accesslog's middleware: with several processes each one reports its own, so
Prometheus scrapes each process (docs/operations.md, "Health and metrics"). Tasks by state, the
mail queue's age, each periodic job's last run and the health parts are read from the database
(and Redis) at each scrape, so any process gives the same answer.

Labels hold route names, statuses, task states and job names only: never a path, a query
string, an address or anything about a person.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Iterable

# Upper bounds (seconds) of the request-time histogram's buckets.
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

_lock = threading.Lock()
_requests: dict[tuple[str, str], list[float]] = {}  # (route, status) -> bucket counts, sum
_websockets_open: dict[str, int] = defaultdict(int)


def observe_request(*, route: str, status: int | str, seconds: float) -> None:
    """Count one HTTP request to ROUTE (a route name) answered STATUS after SECONDS."""
    with _lock:
        series = _requests.setdefault((route, str(status)), [0.0] * (len(BUCKETS) + 2))
        for index, bound in enumerate(BUCKETS):
            if seconds <= bound:
                series[index] += 1
        series[-2] += 1  # +Inf: the count
        series[-1] += seconds


def websocket_opened(route: str) -> None:
    with _lock:
        _websockets_open[route] += 1


def websocket_closed(route: str) -> None:
    with _lock:
        _websockets_open[route] -= 1


def websockets_open() -> dict[str, int]:
    """Websockets open in this process now, by route name."""
    with _lock:
        return dict(_websockets_open)


def reset() -> None:
    """Forget this process's counts (tests)."""
    with _lock:
        _requests.clear()
        _websockets_open.clear()


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _sample(name: str, labels: dict[str, str], value: float) -> str:
    text = ",".join(f'{key}="{_escape(str(item))}"' for key, item in labels.items())
    number = str(int(value)) if float(value).is_integer() else repr(float(value))
    return f"{name}{{{text}}} {number}" if text else f"{name} {number}"


def _family(name: str, kind: str, help_text: str, samples: Iterable[str]) -> list[str]:
    return [f"# HELP {name} {help_text}", f"# TYPE {name} {kind}", *samples]


def _request_lines() -> list[str]:
    with _lock:
        series = {key: list(values) for key, values in _requests.items()}
    lines: list[str] = []
    for (route, status), values in sorted(series.items()):
        labels = {"route": route, "status": status}
        for bound, count in zip(BUCKETS, values, strict=False):
            lines.append(_sample("haven_http_request_duration_seconds_bucket",
                                 {**labels, "le": f"{bound:g}"}, count))
        lines.append(_sample("haven_http_request_duration_seconds_bucket",
                             {**labels, "le": "+Inf"}, values[-2]))
        lines.append(_sample("haven_http_request_duration_seconds_count", labels, values[-2]))
        lines.append(_sample("haven_http_request_duration_seconds_sum", labels, values[-1]))
    return lines


def exposition() -> str:
    """Every figure, as Prometheus reads it."""
    # Imported here: haven.accesslog imports this module before Django's apps are ready.
    from django.db.models import Count, Max
    from django_tasks_db.models import DBTaskResult

    from haven.core import health
    from haven.core.models import JobRun

    sockets = websockets_open()
    tasks = (DBTaskResult.objects.values_list("status").annotate(count=Count("id"))
             .order_by("status"))
    last_runs = (JobRun.objects.filter(finished_at__isnull=False).values_list("job")
                 .annotate(last=Max("finished_at")).order_by("job"))
    parts = health.report()
    lines = [
        *_family("haven_http_request_duration_seconds", "histogram",
                 "HTTP requests served by this process, by route name and status.",
                 _request_lines()),
        *_family("haven_websockets_open", "gauge",
                 "Websockets open in this process, by route name.",
                 (_sample("haven_websockets_open", {"route": route}, count)
                  for route, count in sorted(sockets.items()))),
        *_family("haven_tasks", "gauge", "Background tasks in the database, by state.",
                 (_sample("haven_tasks", {"state": str(state).lower()}, count)
                  for state, count in tasks)),
        *_family("haven_periodic_job_last_run_timestamp_seconds", "gauge",
                 "When each periodic job last finished a run (Unix time), on any worker.",
                 (_sample("haven_periodic_job_last_run_timestamp_seconds", {"job": job},
                          round(last.timestamp())) for job, last in last_runs)),
        *_family("haven_health_ok", "gauge",
                 "Whether each part /healthz reports is healthy (1) or not (0).",
                 (_sample("haven_health_ok", {"part": name}, int(part.healthy))
                  for name, part in parts.items())),
    ]
    for name, part in parts.items():  # e.g. haven_mail_queue_oldest_seconds, haven_worker_alive
        for figure, value in part.figures.items():
            lines += _family(f"haven_{name}_{figure}", "gauge",
                             f"/healthz's {name}_{figure}.",
                             [_sample(f"haven_{name}_{figure}", {}, value)])
    return "\n".join(lines) + "\n"
