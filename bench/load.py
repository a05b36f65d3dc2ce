"""Pages and API reads under load: the seeded demo served as deploy/ serves Haven (nginx in
front of several `haven serve` processes sharing PostgreSQL and Redis), and Locust's virtual
colleagues, supporters and coordinators (bench/_mix.py) signing in and reading with 2–8 s of
think time. A reference in the same run: virtual users opening only /livez, a bare Django view
that reads nothing, through the same nginx and processes.

`python -m bench load [--users 200 --spawn-rate 2 --run-time 5m --processes N]`. Loopback
only, bounded in time; PostgreSQL when DATABASE_URL names it (a database of its own, dropped
afterwards), else SQLite with a warning. Exits 1 when any request failed or the p99 of the
pages and API reads (sign-in apart: password hashing is slow on purpose) passes 300 ms.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from bench._mix import REFERENCE
from bench.chat import ROOT, _cpu_seconds, _get, _percentile, _stop
from haven.demo.child import free_port
from tests.deploy.nginx_config import NGINX, running_nginx

TARGET_P99_MS = 300.0
EXCEPTION_LINE = re.compile(r"^([A-Za-z_][\w.]*(?:Error|Exception|Timeout|Exhausted)):? ")
# Two `haven serve` processes per CPU: a process runs Python on one CPU at a time (its GIL),
# whatever its threads (Django's ASGI handler gives each request one), so a second one per
# CPU keeps the CPU busy while the first waits for the database.
PROCESSES = 2 * (os.cpu_count() or 1)
REDIS_URL = os.environ.get("HAVEN_BENCH_REDIS_URL", "redis://127.0.0.1:6379/13")

ACCOUNTS_SCRIPT = """
import json, sys, django
django.setup()
from haven.core.models import Person
from haven.demo.seed import DEMO_PASSWORD, DEMO_TOTP_SECRET, DOMAIN
people = list(Person.objects.filter(is_active=True, email__endswith="@" + DOMAIN)
              .order_by("email"))
def having(role):
    return [p.email for p in people if role in p.roles]
colleagues = [p.email for p in people if p.roles == {"colleague"}]
json.dump({"password": DEMO_PASSWORD, "totp_secret": DEMO_TOTP_SECRET, "roles": {
    "colleague": colleagues, "supporter": having("supporter"),
    "coordinator": having("coordinator")}}, open(sys.argv[1], "w"))
"""


def _admin(url: str, statement: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True, connect_timeout=5) as connection:
        connection.execute(statement)


@contextmanager
def _demo_server(var_dir: Path, processes: int) -> Iterator[tuple[str, dict[str, str], list[int]]]:
    """The seeded demo on a database of its own, served as deploy/ serves Haven: PROCESSES
    `haven serve` processes (one port each, as deploy/systemd/haven-web@.service) sharing the
    database and Redis, with nginx in front (deploy/nginx/haven.conf's own upstream and site
    blocks on loopback, tests/deploy/nginx_config.py). nginx's URL, the env, the servers' pids."""
    port = free_port()
    env = {key: value for key, value in os.environ.items()
           if not key.startswith("HAVEN_") and key not in {"DJANGO_SETTINGS_MODULE", "REDIS_URL"}}
    env.update({"DJANGO_SETTINGS_MODULE": "haven.settings", "HAVEN_DEMO": "1",
                "HAVEN_VAR_DIR": str(var_dir), "HAVEN_BASE_URL": f"http://127.0.0.1:{port}",
                "HAVEN_TRUSTED_PROXIES": "127.0.0.1", "REDIS_URL": REDIS_URL,
                "HAVEN_LOG_LEVEL": "WARNING", "PYTHONPATH": str(ROOT),
                "NO_PROXY": "127.0.0.1,localhost"})
    admin_url = os.environ.get("DATABASE_URL", "")
    database = f"haven_bench_load_{os.getpid()}"
    if admin_url:
        _admin(admin_url, f'CREATE DATABASE "{database}"')
        env["DATABASE_URL"] = admin_url.rsplit("/", 1)[0] + "/" + database
    _flush_redis()
    servers: list[subprocess.Popen[bytes]] = []
    try:
        started = time.monotonic()
        for command in (["migrate", "--verbosity", "0"], ["seed-demo"]):
            subprocess.run([sys.executable, "-m", "haven.cli", *command], cwd=ROOT,  # noqa: S603
                           env=env, check=True, timeout=1800, stdout=subprocess.DEVNULL)
        print(f"   demo seeded in {time.monotonic() - started:.0f} s", flush=True)
        ports = [free_port() for _ in range(processes)]
        for number, server_port in enumerate(ports, 1):
            log = (var_dir / f"server-{number}.log").open("wb")
            servers.append(subprocess.Popen(  # noqa: S603 - our own interpreter and module
                [sys.executable, "-m", "haven.cli", "serve", "--port", str(server_port)],
                cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL))
        for server, server_port in zip(servers, ports, strict=True):
            _wait_for(server, f"http://127.0.0.1:{server_port}/healthz", var_dir)
        proxy = var_dir / "nginx"
        (proxy / "static").mkdir(parents=True)
        with running_nginx(proxy, port=port, upstream_ports=ports, static=proxy / "static",
                           worker_connections=4096):
            yield f"http://127.0.0.1:{port}", env, [server.pid for server in servers]
    finally:
        for number, server in enumerate(servers, 1):
            _stop(server)
            _print_errors(var_dir / f"server-{number}.log")
        if admin_url:
            with suppress(Exception):
                _admin(admin_url, f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        with suppress(Exception):
            _flush_redis()


def _flush_redis() -> None:
    import redis

    redis.Redis.from_url(REDIS_URL, socket_timeout=5).flushdb()


def _wait_for(server: subprocess.Popen[bytes], url: str, var_dir: Path) -> None:
    deadline = time.monotonic() + 120
    while True:
        with suppress(OSError):
            if _get(url) == 200:
                return
        if server.poll() is not None or time.monotonic() > deadline:
            logs = "".join(log.read_text(errors="replace")[-2000:]
                           for log in sorted(var_dir.glob("server-*.log")))
            raise RuntimeError("a server did not start: " + logs)
        time.sleep(0.3)


def _print_errors(log: Path) -> None:
    """What the server logged at ERROR and the exception types it named (routes and type
    names, never content: Haven's log filter keeps paths and texts out), if any."""
    lines = log.read_text(errors="replace").splitlines()
    errors = [line for line in lines if " ERROR " in line]
    if errors:
        causes = Counter(found.group(1) for line in lines
                         if (found := EXCEPTION_LINE.match(line)))
        print(f"   {log.name}: {len(errors)} error lines; the last ones:\n   "
              + "\n   ".join(errors[-5:])
              + "\n   exceptions named: " + (", ".join(
                  f"{name} × {count}" for name, count in causes.most_common()) or "none"))


def _kinds(times: dict[str, list[list[float | bool]]]) -> tuple[list[str], list[str]]:
    """The request names of the pages and API reads, and of the sign-in steps (the reference
    is neither)."""
    sign_in = sorted(name for name in times if " sign-in" in name)
    return sorted(name for name in times if name != REFERENCE and name not in sign_in), sign_in


def _summary(times: dict[str, list[list[float | bool]]]) -> tuple[list[str], dict[str, float]]:
    """Markdown rows per request name, then pages and API reads overall, sign-in overall and
    the reference; and the verdict's figures (failures, p99 of pages and API reads)."""
    def row(name: str, samples: list[list[float | bool]]) -> str:
        values = [float(ms) for ms, _failed in samples]
        failures = sum(1 for _ms, failed in samples if failed)
        cells = [f"{_percentile(values, q):.0f}" for q in (0.5, 0.95, 0.99)]
        return f"| {name} | {len(samples):,} | {failures} | " + " | ".join(cells) + " |"

    def pooled(names: list[str]) -> list[list[float | bool]]:
        return [sample for name in names for sample in times[name]]

    pages, sign_in = _kinds(times)
    rows = [row(name, times[name]) for name in [*pages, *sign_in]]
    rows.append(row("**pages and API reads, overall**", pooled(pages)))
    rows.append(row("**sign-in, overall**", pooled(sign_in)))
    rows.append(row(f"**{REFERENCE}**", times.get(REFERENCE, [])))
    failures = sum(1 for samples in times.values() for _ms, failed in samples if failed)
    return rows, {"failures": failures,
                  "p99": _percentile([float(ms) for ms, _ in pooled(pages)], 0.99)}


def _user_counts(text: str) -> list[int]:
    """"200" or "50,100,200": the steps, smallest first."""
    try:
        counts = sorted({int(part) for part in text.split(",") if part.strip()})
    except ValueError:
        raise argparse.ArgumentTypeError(
            "users: a number, or numbers separated by commas") from None
    if not counts or not all(1 <= count <= 2000 for count in counts):
        raise argparse.ArgumentTypeError("users: each from 1 to 2000")
    return counts


@dataclass
class Step:
    users: int
    seconds: float
    times: dict[str, list[list[float | bool]]]
    cpu: list[float]  # CPU seconds of each server process during the step
    said: str  # the end of Locust's own report


def _run_step(url: str, env: dict[str, str], var_dir: Path, users: int, pids: list[int],
              args: argparse.Namespace) -> Step:
    """One Locust run of USERS virtual people (and the reference's) against URL."""
    accounts, times_file = var_dir / "accounts.json", var_dir / f"times-{users}.json"
    reference_users = max(1, users // 20)
    command = [sys.executable, "-m", "locust", "-f", str(ROOT / "bench/_locustfile.py"),
               "--headless", "--host", url, "--users", str(users + reference_users),
               "--spawn-rate", str(args.spawn_rate), "--run-time", args.run_time,
               "--stop-timeout", "10", "--only-summary", "--loglevel", "WARNING"]
    locust_env = {**env, "HAVEN_LOAD_ACCOUNTS": str(accounts),
                  "HAVEN_LOAD_TIMES": str(times_file),
                  "HAVEN_LOAD_REFERENCE_USERS": str(reference_users)}
    print(f"   Locust: {users} users (+{reference_users} on the reference), "
          f"{args.spawn_rate:g}/s, {args.run_time}, against {url}", flush=True)
    cpu_before = [_cpu_seconds(pid) for pid in pids]
    started = time.monotonic()
    with (var_dir / "locust.log").open("wb") as log:
        subprocess.run(command, cwd=ROOT, env=locust_env, timeout=4 * 3600,  # noqa: S603
                       stdout=log, stderr=subprocess.STDOUT, check=False)
    return Step(users=users, seconds=time.monotonic() - started,
                times=json.loads(times_file.read_text()),
                cpu=[_cpu_seconds(pid) - before for pid, before in zip(pids, cpu_before,
                                                                        strict=True)],
                said=(var_dir / "locust.log").read_text(errors="replace").strip())


def _held(verdict: dict[str, float]) -> bool:
    return (verdict["failures"] == 0 and not math.isnan(verdict["p99"])
            and verdict["p99"] <= TARGET_P99_MS)


def _print_steps(steps: list[Step]) -> None:
    """A row per step: how the pages' times grow with the number of people."""
    print("| users | requests/s | failures | pages p50 ms | pages p95 ms | pages p99 ms | "
          "reference p99 ms | server CPU (CPUs busy) | targets |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    for step in steps:
        _rows, verdict = _summary(step.times)
        pages = [float(ms) for name in _kinds(step.times)[0] for ms, _ in step.times[name]]
        reference = [float(ms) for ms, _ in step.times.get(REFERENCE, [])]
        requests = sum(len(samples) for samples in step.times.values())
        print(f"| {step.users} | {requests / step.seconds:.1f} | {verdict['failures']:.0f} | "
              + " | ".join(f"{_percentile(pages, q):.0f}" for q in (0.5, 0.95, 0.99))
              + f" | {_percentile(reference, 0.99):.0f} | {sum(step.cpu) / step.seconds:.2f} | "
              f"{'met' if _held(verdict) else 'not met'} |")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench load", description=__doc__)
    parser.add_argument("--users", type=_user_counts, default=[200],
                        help="virtual people, or several counts (50,100,200) run in turn "
                             "against the same servers")
    parser.add_argument("--spawn-rate", type=float, default=2.0, help="users started per second")
    parser.add_argument("--run-time", default="5m", help="each run, in Locust's form: 30s, 5m")
    parser.add_argument("--processes", type=int, default=PROCESSES,
                        help="`haven serve` processes behind nginx")
    args = parser.parse_args(argv or [])
    if not NGINX.exists():
        # Said and returned rather than parser.error: `python -m bench` runs the others still.
        print(f"   not run: the benchmark serves Haven behind nginx, as deploy/ does, and "
              f"{NGINX} is missing (apt-get install nginx)", file=sys.stderr)
        return 2
    if not 1 <= args.processes <= 32:
        parser.error("keep to 1–32 processes")
    if not 0 < args.spawn_rate <= 100:
        parser.error("keep to a spawn rate up to 100 a second")
    database_url = os.environ.get("DATABASE_URL", "")
    if database_url and urlsplit(database_url).hostname not in {"127.0.0.1", "localhost", "::1"}:
        print("   skipped: DATABASE_URL is not on this machine; the benchmark stays local.")
        return 0
    if not database_url:
        print("   warning: no DATABASE_URL, so SQLite: these figures are not comparable with "
              "PostgreSQL's (set DATABASE_URL=postgres://…)", flush=True)
    from bench import machine_description

    load_at_start = os.getloadavg()[0]
    var_dir = Path(tempfile.mkdtemp(prefix="haven-bench-load-"))
    try:
        with _demo_server(var_dir, args.processes) as (url, env, pids):
            subprocess.run([sys.executable, "-c", ACCOUNTS_SCRIPT,  # noqa: S603
                            str(var_dir / "accounts.json")],
                           cwd=ROOT, env=env, check=True, timeout=120)
            steps = [_run_step(url, env, var_dir, users, pids, args) for users in args.users]
        last = steps[-1]
        if last.said:
            print("   Locust said, at the last step (last lines):\n   "
                  + "\n   ".join(last.said.splitlines()[-60:]))
        database = "PostgreSQL" if database_url else "SQLite"
        print(f"\n   {machine_description()} ({load_at_start:.2f} at the start); {database}; "
              f"nginx in front of {args.processes} `haven serve` processes (CPU seconds each "
              f"during the last step: {', '.join(f'{seconds:.0f}' for seconds in last.cpu)}); "
              "Locust in one process on the same machine\n")
        rows, verdict = _summary(last.times)
        print("| request | requests | failures | p50 ms | p95 ms | p99 ms |")
        print("|---|---:|---:|---:|---:|---:|")
        print("\n".join(rows))
        if len(steps) > 1:
            print()
            _print_steps(steps)
        print(f"\n   at {last.users} users: failures {verdict['failures']} (all requests), p99 "
              f"of pages and API reads {verdict['p99']:.0f} ms (targets: 0 and ≤ "
              f"{TARGET_P99_MS:.0f} ms; sign-in, slow by design, is shown but not in the p99): "
              f"{'met' if _held(verdict) else 'NOT met'}")
        return 0 if _held(verdict) else 1
    finally:
        shutil.rmtree(var_dir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
