"""Live chat through the real stack: uvicorn serving haven.asgi (one process), the channels-redis
layer and PostgreSQL, with signed-in colleague/supporter pairs on websockets. Measures delivery
latency at the other side, loss and duplication at 100 messages/s over 500 connections, then the
saturation point — beside a bare Channels relay (bench/_relay.py) on the same server and layer.
With --through-nginx, the same again through nginx in front of two server processes (same
database and Redis; tests/deploy/nginx_config.py's loopback copy of deploy/nginx/haven.conf).

`python -m bench chat` (or `python -m bench.chat --help` for shorter runs). Everything runs on
127.0.0.1; the database, the Redis database and the processes it makes are removed at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import multiprocessing
import os
import queue
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN_URL = os.environ.get("HAVEN_BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("HAVEN_BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")

TARGET_P99_MS = 150.0  # at 100 messages/s over 500 connections
SATURATION_P99_MS = 1000.0  # a step slower than this is past saturation
# How long to wait for stragglers after the last send; the channel layer drops what waits
# longer than its expiry (30 s), so a message still missing by then is lost for live delivery.
DRAIN_SECONDS = 30.0
MAX_STEPS = 14
REFINE_STEPS = 3  # bisections after the ramp: the bracket narrows from ×1.5 to ×1.05
CONNECT_CONCURRENCY = 50
NGINX_PROCESSES = 2  # behind nginx with --through-nginx, on the same database and Redis
FILLER = "I keep going over what was said in the meeting and I am not sure what to do next."


# The server side: database, seed data, uvicorn ---------------------------------------------------

def _pg_url(database: str) -> str:
    return PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + database


def _admin_sql(statement: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=5) as connection:
        connection.execute(statement)  # type: ignore[arg-type]


def _flush_redis() -> None:
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_timeout=5)
    try:
        client.flushdb()  # only the benchmark's own database number
    finally:
        client.close()


def _server_env(database: str, var_dir: str, db_connections: str) -> dict[str, str]:
    inherited = {key: value for key, value in os.environ.items()
                 if not key.startswith("HAVEN_")
                 and key not in {"DJANGO_SETTINGS_MODULE", "DATABASE_URL", "REDIS_URL"}}
    return {**inherited, "DJANGO_SETTINGS_MODULE": "haven.settings", "HAVEN_DEMO": "1",
            "HAVEN_VAR_DIR": var_dir, "DATABASE_URL": _pg_url(database),
            "REDIS_URL": REDIS_URL, "HAVEN_BENCH_RELAY": "1", "HAVEN_LOG_LEVEL": "WARNING",
            "PYTHONPATH": str(ROOT), "NO_PROXY": "127.0.0.1,localhost",
            # As configured Haven pools its PostgreSQL connections; "per-call" measures without.
            **({"HAVEN_DB_POOL_SIZE": "0"} if db_connections == "per-call" else {})}


def seed(pairs: int, out: str) -> None:
    """Runs in its own process with _server_env: migrate, then PAIRS colleagues each in an open
    conversation with their own supporter, made through Haven's services; sessions as cookies."""
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client
    from django.utils import timezone

    from haven.core import services as core_services
    from haven.core.models import Department, Person, Role, Team
    from haven.support import offers, profiles, programme
    from haven.support import requests as support_requests
    from haven.support.models import Offer

    call_command("migrate", verbosity=0, interactive=False)
    department = Department.objects.create(name="Bench")
    colleagues_team = Team.objects.create(name="Bench colleagues", department=department)
    supporters_team = Team.objects.create(name="Bench supporters")
    topics = [slug for slug, _label in programme.programme_settings().topic_choices()]
    every_day = [{"weekday": day, "start": "00:00", "end": "23:59"} for day in range(7)]
    supporters = []
    for number in range(pairs):
        supporter = Person.objects.create_user(f"supporter{number}@bench.example",
                                               name=f"Supporter {number}",
                                               team=supporters_team, languages=["en"])
        core_services.set_roles(person=supporter, roles=[Role.SUPPORTER], actor=None)
        profile = profiles.save_supporter_profile(
            person=supporter, active=True, capacity=1, languages=["en"], topics=topics,
            availability=every_day, away_from=None, away_until=None)
        profiles.approve_supporter(profile=profile, actor=supporter)
        supporters.append(supporter)

    def session_cookie(person: Person) -> str:
        client = Client()
        client.force_login(person)
        return client.cookies[settings.SESSION_COOKIE_NAME].value

    rows = []
    for number in range(pairs):
        colleague = Person.objects.create_user(f"colleague{number}@bench.example",
                                               name=f"Colleague {number}",
                                               team=colleagues_team, department=department,
                                               languages=["en"])
        support_request = support_requests.open_request(
            requester=colleague, topic=topics[0], mode="chat", use_pseudonym=False,
            language="en", avoid_my_team=True, avoid_my_department=False,
            person_of_concern=None, preferred_supporter=None, acknowledged_confidentiality=True,
            first_message="Could we talk today?", submission_id=str(uuid.uuid4()))
        offer = support_request.offers.filter(state=Offer.State.PENDING).first()
        if offer is None:  # matching found nobody free (say, at 23:59): offer directly
            free = next(s for s in supporters
                        if not s.conversations_as_supporter.exists())
            offer = Offer.objects.create(request=support_request, supporter=free,
                                         expires_at=timezone.now() + timedelta(hours=1))
        supporter = offer.supporter
        conversation = offers.accept_offer(offer=offer, supporter=supporter)
        rows.append({"pair": number, "conversation": conversation.pk,
                     "after": conversation.messages.order_by("-pk").values_list(
                         "pk", flat=True).first() or 0,
                     "colleague": session_cookie(colleague),
                     "supporter": session_cookie(supporter)})
    Path(out).write_text(json.dumps({"cookie": settings.SESSION_COOKIE_NAME, "pairs": rows}))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _get(url: str, timeout: float = 2.0) -> int:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never a proxy
    with opener.open(url, timeout=timeout) as response:  # noqa: S310 (a fixed 127.0.0.1 URL)
        return int(response.status)


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    port: int
    log: Path

    def cpu(self) -> float:
        try:
            return _cpu_seconds(self.process.pid)
        except (OSError, IndexError):
            return math.nan


@dataclass
class ServerGroup:
    """Several server processes measured as one (CPU summed); profiled through the first."""
    servers: list[Server]

    @property
    def process(self) -> subprocess.Popen[bytes]:
        return self.servers[0].process

    def cpu(self) -> float:
        return sum(server.cpu() for server in self.servers)


@contextmanager
def _behind_nginx(env: dict[str, str], var_dir: Path, processes: int
                  ) -> Iterator[tuple[ServerGroup, int]]:
    """PROCESSES servers on the same database and Redis, with nginx in front (deploy/nginx's
    own upstream and site blocks on loopback, tests/deploy/nginx_config.py); nginx's port."""
    from tests.deploy.nginx_config import running_nginx

    port = _free_port()
    proxy_dir = var_dir / "nginx"
    (proxy_dir / "static").mkdir(parents=True, exist_ok=True)
    servers: list[Server] = []
    try:
        for number in range(processes):
            servers.append(_start_server(env, var_dir / f"server-{number + 1}.log",
                                         base_url=f"http://127.0.0.1:{port}"))
        # Each socket holds a client and an upstream connection in nginx's one worker.
        with running_nginx(proxy_dir, port=port, static=proxy_dir / "static",
                           upstream_ports=[server.port for server in servers],
                           worker_connections=8192):
            yield ServerGroup(servers), port
    finally:
        for server in servers:
            _stop(server.process)


def _start_server(env: dict[str, str], log: Path, base_url: str | None = None) -> Server:
    port = _free_port()
    # The websocket origin check accepts only the base URL's scheme, host and port: its own,
    # or the proxy's (BASE_URL) when it serves behind one.
    env = {**env, "HAVEN_BASE_URL": base_url or f"http://127.0.0.1:{port}"}
    command = [sys.executable, "-m", "uvicorn", "haven.asgi:application", "--host", "127.0.0.1",
               "--port", str(port), "--lifespan", "on", "--no-access-log",
               "--log-level", "warning"]
    with log.open("wb") as output:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=output,  # noqa: S603
                                   stderr=subprocess.STDOUT)
    server = Server(process, port, log)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server stopped at start: {log.read_text()[-2000:]}")
        with suppress(OSError):
            if _get(f"http://127.0.0.1:{port}/healthz") == 200:
                return server
        time.sleep(0.2)
    _stop(process)
    raise RuntimeError("the server did not answer /healthz within 60 s")


def _stop(process: subprocess.Popen[bytes] | multiprocessing.Process) -> None:
    if isinstance(process, subprocess.Popen):
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)
        return
    if process.is_alive():
        process.terminate()
        process.join(timeout=10)
        if process.is_alive():
            process.kill()
            process.join(timeout=5)


def _profile(pid: int, seconds: float, out: Path) -> subprocess.Popen[bytes] | None:
    """Sample the server with py-spy (if installed) while a step sends: collapsed stacks."""
    spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    if not Path(spy).exists():
        print("   (py-spy is not installed: `pip install py-spy` to profile)")
        return None
    return subprocess.Popen([spy, "record", "--pid", str(pid), "--duration",  # noqa: S603
                             str(max(1, int(seconds))), "--rate", "100", "--format", "raw",
                             "--threads", "--idle", "--nonblocking", "--output", str(out)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


# The client side: one asyncio process (or several), each holding whole pairs ------------------

@dataclass
class Socket:
    url: str
    headers: dict[str, str]
    role: str
    pair: int
    connection: Any = None
    open: bool = False


@dataclass
class StepState:
    sent: dict[str, float] = field(default_factory=dict)  # client id: monotonic send time
    acked: dict[str, float] = field(default_factory=dict)
    delivered: dict[str, int] = field(default_factory=dict)  # at the other side: times seen
    errored: set[str] = field(default_factory=set)
    latencies: list[float] = field(default_factory=list)  # seconds, first delivery
    ack_latencies: list[float] = field(default_factory=list)
    send_lag: list[float] = field(default_factory=list)  # behind the Poisson schedule
    stray: int = 0
    send_failures: int = 0
    last_delivery: float = 0.0


class ClientWorker:
    def __init__(self, sockets: list[Socket], origin: str, seed: int) -> None:
        self.sockets = sockets
        self.origin = origin
        self.rng = random.Random(seed)
        self.step = StepState()
        self.readers: list[asyncio.Task[None]] = []
        self.closed: dict[str, int] = {}  # close code (or error): sockets

    async def connect_all(self) -> int:
        from websockets.asyncio.client import connect

        gate = asyncio.Semaphore(CONNECT_CONCURRENCY)

        async def one(sock: Socket) -> bool:
            async with gate:
                try:
                    sock.connection = await connect(
                        sock.url, origin=self.origin, additional_headers=sock.headers,  # type: ignore[arg-type]
                        # No client pings: browsers send none (the server pings them).
                        proxy=None, open_timeout=60, max_size=2**20, ping_interval=None)
                    while True:  # the backlog, if any, then "ready"
                        frame = json.loads(await asyncio.wait_for(sock.connection.recv(), 60))
                        if frame.get("type") == "ready":
                            break
                except Exception:  # noqa: BLE001 (counted and reported as a failed connection)
                    return False
            sock.open = True
            self.readers.append(asyncio.create_task(self.read(sock)))
            return True

        results = await asyncio.gather(*(one(sock) for sock in self.sockets))
        return sum(results)

    async def read(self, sock: Socket) -> None:
        try:
            async for raw in sock.connection:
                now = time.monotonic()
                frame = json.loads(raw)
                kind = frame.get("type")
                step = self.step
                if kind == "message":
                    if frame.get("sender_role") == sock.role:
                        continue  # our own message, echoed to this side's sockets
                    client_id = frame.get("client_id")
                    seen = step.delivered.get(client_id)
                    if seen is not None:
                        step.delivered[client_id] = seen + 1  # a duplicate
                    elif client_id in step.sent:
                        step.delivered[client_id] = 1
                        # The send time travels in the message's own text.
                        sent_ns = int(str(frame.get("text", "")).split(" ", 2)[1])
                        step.latencies.append(now - sent_ns / 1e9)
                        step.last_delivery = now
                    else:
                        step.stray += 1  # from an earlier step, after its drain
                elif kind == "ack":
                    client_id = frame.get("client_id")
                    if client_id in step.sent and client_id not in step.acked:
                        step.acked[client_id] = now
                        step.ack_latencies.append(now - step.sent[client_id])
                elif kind == "error":
                    step.errored.add(str(frame.get("client_id")))
        except Exception:  # noqa: BLE001, S110 (a closed socket ends its reader; counted below)
            pass
        sock.open = False
        code = str(getattr(sock.connection, "close_code", None))
        self.closed[code] = self.closed.get(code, 0) + 1

    async def send_poisson(self, sock: Socket, rate: float, start: float, end: float) -> None:
        step = self.step
        due = start
        sequence = 0
        while True:
            due += self.rng.expovariate(rate)
            if due >= end:
                return
            delay = due - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            sequence += 1
            client_id = str(uuid.uuid4())
            now_ns = time.monotonic_ns()
            step.sent[client_id] = now_ns / 1e9
            step.send_lag.append(now_ns / 1e9 - due)
            try:
                await sock.connection.send(json.dumps({
                    "type": "send", "client_id": client_id,
                    "text": f"bench {now_ns} {sequence} {FILLER}"}))
            except Exception:  # noqa: BLE001
                step.send_failures += 1
                return

    async def run_step(self, rate: float, start: float, duration: float,
                       drain: float) -> dict[str, Any]:
        self.step = step = StepState()
        # Pairs with a socket the server closed (reported as such) sit the later steps out.
        dead = {sock.pair for sock in self.sockets if not sock.open}
        live = [sock for sock in self.sockets if sock.pair not in dead]
        cpu_before = time.process_time()
        end = start + duration
        per_socket = rate / max(1, len(live))
        await asyncio.gather(*(self.send_poisson(sock, per_socket, start, end) for sock in live))
        deadline = end + drain
        while time.monotonic() < deadline:
            settled = len(step.delivered) + len(step.errored - step.delivered.keys())
            if settled >= len(step.sent):
                break
            await asyncio.sleep(0.05)
        wall = time.monotonic() - start
        return {
            "sent": len(step.sent), "acked": len(step.acked),
            "delivered": len(step.delivered),
            "duplicates": sum(count - 1 for count in step.delivered.values()),
            "lost": sum(1 for client_id in step.acked if client_id not in step.delivered),
            "unacked": sum(1 for client_id in step.sent if client_id not in step.acked),
            "errors": len(step.errored), "stray": step.stray,
            "send_failures": step.send_failures, "closed": dict(self.closed),
            "latencies": step.latencies, "ack_latencies": step.ack_latencies,
            "send_lag": step.send_lag, "start": start,
            "last_delivery": step.last_delivery or time.monotonic(),
            "cpu": time.process_time() - cpu_before, "wall": wall,
        }

    async def close_all(self) -> None:
        for sock in self.sockets:
            if sock.connection is not None:
                with suppress(Exception):
                    await asyncio.wait_for(sock.connection.close(), 5)
        for reader in self.readers:
            reader.cancel()


def _client_process(sockets: list[dict[str, Any]], origin: str, seed: int,
                    commands: multiprocessing.Queue, results: multiprocessing.Queue) -> None:
    """A client process: connect, then run each step it is told to, until told None."""
    async def serve() -> None:
        worker = ClientWorker([Socket(**sock) for sock in sockets], origin, seed)
        connected = await worker.connect_all()
        results.put({"connected": connected})
        loop = asyncio.get_running_loop()
        while True:
            command = await loop.run_in_executor(None, commands.get)
            if command is None:
                break
            results.put(await worker.run_step(**command))
        await worker.close_all()

    try:
        import uvloop

        uvloop.run(serve())
    except ImportError:
        asyncio.run(serve())


# Phases: a fixed rate, or a ramp to saturation ---------------------------------------------------

def _percentile(values: list[float], q: float) -> float:
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


@dataclass
class Result:
    label: str
    offered: float
    connections: int
    stats: dict[str, Any]
    client_cpu: list[float]  # per client process, share of one CPU
    server_cpu: float  # share of one CPU
    server_cpu_seconds: float

    @property
    def server_ms_per_message(self) -> float:
        # Steadier than wall-clock figures when other work shares the machine.
        return 1000 * self.server_cpu_seconds / max(1, self.stats["acked"])

    @property
    def delivered_per_s(self) -> float:
        span = self.stats["last_delivery"] - self.stats["start"]
        return self.stats["delivered"] / span if span > 0 else 0.0

    def p(self, q: float) -> float:
        return _percentile(self.stats["latencies"], q) * 1000


class Phase:
    """SOCKETS connected across PROCS client processes, ready to run steps."""

    def __init__(self, pairs: list[list[dict[str, Any]]], origin: str, procs: int,
                 server: Server | ServerGroup) -> None:
        self.server = server
        self.connections = sum(len(pair) for pair in pairs)
        context = multiprocessing.get_context("spawn")  # a clean interpreter: no Django
        self.results: multiprocessing.Queue = context.Queue()
        self.workers: list[tuple[multiprocessing.Process, multiprocessing.Queue]] = []
        # Both sides of a pair in one process, so each delivery is timed on one clock.
        pair_groups = [[sock for pair in pairs[index::procs] for sock in pair]
                       for index in range(procs)]
        for index, group in enumerate(pair_groups):
            commands: multiprocessing.Queue = context.Queue()
            process = context.Process(target=_client_process,
                                      args=(group, origin, 1000 + index, commands,
                                            self.results), daemon=True)
            process.start()
            self.workers.append((process, commands))
        connected = sum(self._collect(240)[i]["connected"] for i in range(procs))
        if connected < self.connections:
            raise RuntimeError(f"only {connected} of {self.connections} websockets connected")

    def _collect(self, timeout: float) -> list[dict[str, Any]]:
        out = []
        deadline = time.monotonic() + timeout
        for _worker in self.workers:
            try:
                out.append(self.results.get(timeout=max(1.0, deadline - time.monotonic())))
            except queue.Empty:
                raise RuntimeError("a client process did not answer in time") from None
        return out

    def step(self, label: str, rate: float, duration: float, drain: float,
             profile: Path | None = None) -> Result:
        start = time.monotonic() + 1.0
        for _process, commands in self.workers:
            commands.put({"rate": rate / len(self.workers), "start": start,
                          "duration": duration, "drain": drain})
        server_before = self.server.cpu()
        time.sleep(max(0.0, start - time.monotonic()))
        spy = _profile(self.server.process.pid, duration, profile) if profile else None
        parts = self._collect(duration + drain + 60)
        if spy is not None:
            with suppress(subprocess.TimeoutExpired):
                spy.wait(timeout=30)
        wall = time.monotonic() - start
        merged: dict[str, Any] = {"latencies": [], "ack_latencies": [], "send_lag": []}
        for part in parts:
            for key, value in part.items():
                if isinstance(value, list):
                    merged[key].extend(value)
                elif key in ("start",):
                    merged[key] = min(merged.get(key, value), value)
                elif key == "last_delivery":
                    merged[key] = max(merged.get(key, value), value)
                elif key == "closed":
                    for code, count in value.items():
                        merged.setdefault("closed", {})
                        merged["closed"][code] = merged["closed"].get(code, 0) + count
                elif key not in ("cpu", "wall"):
                    merged[key] = merged.get(key, 0) + value
        server_seconds = self.server.cpu() - server_before
        return Result(label, rate, self.connections, merged,
                      [part["cpu"] / part["wall"] for part in parts], server_seconds / wall,
                      server_seconds)

    def close(self) -> None:
        for _process, commands in self.workers:
            commands.put(None)
        for process, _commands in self.workers:
            process.join(timeout=20)
            _stop(process)


def _pairs(seeded: dict[str, Any], port: int, kind: str) -> list[list[dict[str, Any]]]:
    """Both sockets of each pair: Haven's conversation, signed in, or the bare relay."""
    cookie = seeded["cookie"]
    pairs = []
    for row in seeded["pairs"]:
        pair = []
        for role in ("colleague", "supporter"):
            if kind == "haven":
                url = (f"ws://127.0.0.1:{port}/ws/conversations/{row['conversation']}/"
                       f"?after={row['after']}")
                headers = {"Cookie": f"{cookie}={row[role]}"}
            else:
                url = f"ws://127.0.0.1:{port}/ws/bench-relay/{row['pair']}/?role={role}"
                headers = {}
            pair.append({"url": url, "headers": headers, "role": role, "pair": row["pair"]})
        pairs.append(pair)
    return pairs


def _saturate(phase: Phase, label: str, first_rate: float, factor: float,
              duration: float) -> list[Result]:
    """Raise the rate until delivered/s stops growing, p99 passes 1 s or anything is lost;
    then narrow the gap between the last good rate and the first bad one by bisection
    (geometric), so that the figure does not depend on where the steps happen to fall."""
    steps: list[Result] = []

    def step(rate: float) -> Result:
        result = phase.step(label, rate, duration, drain=max(10.0, duration))
        steps.append(result)
        _settle(phase.server, limit=30.0)
        print(f"   {label} at {rate:,.0f}/s offered: {result.delivered_per_s:,.0f}/s "
              f"delivered, p99 {result.p(0.99):,.0f} ms, lost {result.stats['lost']}"
              f"{_closed(result)}", flush=True)
        return result

    rate, good, best = first_rate, 0.0, 0.0
    for _number in range(MAX_STEPS):
        result = step(rate)
        if not _holds(result) or result.delivered_per_s < best * 1.05:
            break
        good, best = rate, max(best, result.delivered_per_s)
        rate *= factor
    bad = rate
    for _number in range(REFINE_STEPS if good else 0):
        middle = math.sqrt(good * bad)
        if _holds(step(middle)):
            good = middle
        else:
            bad = middle
    return steps


def _holds(result: Result) -> bool:
    return result.p(0.99) <= SATURATION_P99_MS and not result.stats["lost"]


def _closed(result: Result) -> str:
    closed = result.stats.get("closed") or {}
    return (", sockets closed so far: " + ", ".join(f"{count} ({code})"
                                                     for code, count in closed.items())
            if closed else "")


def sustained(steps: list[Result]) -> float:
    """The most messages/s delivered in a step with p99 within 1 s and nothing lost."""
    return max((step.delivered_per_s for step in steps if _holds(step)), default=0.0)


# Reporting --------------------------------------------------------------------------------------

def _row(result: Result) -> str:
    s = result.stats
    client = "+".join(f"{share * 100:.0f}" for share in result.client_cpu)
    return (f"| {result.label} | {result.offered:,.0f} | {result.connections} | {s['sent']:,} | "
            f"{s['delivered']:,} | {result.delivered_per_s:,.0f} | {result.p(0.5):.1f} | "
            f"{result.p(0.99):.1f} | {result.p(1.0):.0f} | "
            f"{_percentile(s['ack_latencies'], 0.99) * 1000:.1f} | {s['lost']} | "
            f"{s['duplicates']} | {s['errors'] + s['unacked']} | "
            f"{_percentile(s['send_lag'], 0.99) * 1000:.0f} | {client}% | "
            f"{result.server_cpu * 100:.0f}% | {result.server_ms_per_message:.1f} |")


HEADER = ("| run | offered msg/s | sockets | sent | delivered | delivered/s | p50 ms | p99 ms | "
          "max ms | ack p99 ms | lost | dup | errors+unacked | client lag p99 ms | client CPU | "
          "server CPU | server CPU ms/msg |\n"
          "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")


def _verdicts(target: Result, haven_max: float, relay_max: float) -> list[str]:
    s = target.stats
    checks = [
        (f"p99 delivery at {target.offered:.0f} msg/s, {target.connections} sockets "
         f"< {TARGET_P99_MS:.0f} ms", f"{target.p(0.99):.1f} ms",
         target.p(0.99) < TARGET_P99_MS),
        ("lost = 0 (and every send acknowledged)",
         f"{s['lost']} lost, {s['unacked']} never acknowledged",
         s["lost"] == 0 and s["unacked"] == 0),
        ("duplicated = 0", str(s["duplicates"]), s["duplicates"] == 0),
        ("saturation ≥ half the bare relay",
         f"{haven_max:,.0f} vs {relay_max:,.0f} msg/s ({haven_max / relay_max:.0%})"
         if relay_max else "relay not measured", relay_max > 0 and haven_max >= relay_max / 2),
    ]
    return [f"| {name} | {value} | {'met' if ok else 'MISSED'} |" for name, value, ok in checks]


# Orchestration ----------------------------------------------------------------------------------

@contextmanager
def _one_at_a_time() -> Iterator[bool]:
    """One chat benchmark per machine: two would share the Redis database (groups, flushes)
    and the CPUs. Waits a while for another run to finish, then gives up."""
    import fcntl

    with open(Path(tempfile.gettempdir()) / "haven-bench-chat.lock", "w") as lock:
        deadline = time.monotonic() + 900
        while True:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    yield False
                    return
                time.sleep(2)
        try:
            yield True
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


@contextmanager
def _stack(pairs: int, db_connections: str
           ) -> Iterator[tuple[Server, dict[str, Any], dict[str, str], Path]]:
    """A fresh PostgreSQL database, seeded; a clean Redis database; the server. Removed after."""
    database = f"haven_bench_chat_{os.getpid()}"
    var_dir = tempfile.mkdtemp(prefix="haven-bench-chat-")
    env = _server_env(database, var_dir, db_connections)
    server: Server | None = None
    _flush_redis()
    _admin_sql(f'CREATE DATABASE "{database}"')
    try:
        out = Path(var_dir) / "seed.json"
        started = time.monotonic()
        subprocess.run([sys.executable, "-m", "bench.chat", "--seed", str(pairs), str(out)],  # noqa: S603
                       cwd=ROOT, env=env, check=True, timeout=1200)
        print(f"   seeded {pairs} pairs in {time.monotonic() - started:.0f} s", flush=True)
        server = _start_server(env, Path(var_dir) / "server.log")
        yield server, json.loads(out.read_text()), env, Path(var_dir)
    finally:
        if server is not None:
            _stop(server.process)
            log = server.log.read_text(errors="replace").strip()
            if log:
                print("   server log (last lines):\n   " + "\n   ".join(log.splitlines()[-15:]))
        with suppress(Exception):
            _admin_sql(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        with suppress(Exception):
            _flush_redis()
        shutil.rmtree(var_dir, ignore_errors=True)


def _settle(server: Server | ServerGroup, limit: float = 120.0) -> None:
    """Wait until the server is idle (work queued by closed sockets done), at most LIMIT s."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        before = server.cpu()
        time.sleep(1.0)
        if server.cpu() - before < 0.05:
            return


def _preflight() -> str | None:
    from urllib.parse import urlsplit

    for url in (PG_ADMIN_URL, REDIS_URL):
        if urlsplit(url).hostname not in {"127.0.0.1", "localhost", "::1"}:
            return f"{url.split('@')[-1]} is not on this machine; the benchmark stays local"
    try:
        _admin_sql("SELECT 1")
    except Exception as error:  # noqa: BLE001
        return f"PostgreSQL at {PG_ADMIN_URL} is not reachable ({type(error).__name__})"
    try:
        import redis

        redis.Redis.from_url(REDIS_URL, socket_timeout=3).ping()
    except Exception as error:  # noqa: BLE001
        return f"Redis at {REDIS_URL} is not reachable ({type(error).__name__})"
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.chat", description=__doc__)
    parser.add_argument("--pairs", type=int, default=250, help="colleague/supporter pairs")
    parser.add_argument("--rate", type=float, default=100.0, help="messages/s, all sockets")
    parser.add_argument("--seconds", type=float, default=20.0, help="length of the fixed run")
    parser.add_argument("--step-seconds", type=float, default=8.0, help="each saturation step")
    parser.add_argument("--first-step", type=float, default=10.0, help="first step, msg/s")
    parser.add_argument("--factor", type=float, default=1.5, help="growth between steps")
    parser.add_argument("--client-procs", type=int, default=1, help="client processes")
    parser.add_argument("--no-saturation", action="store_true", help="only the fixed run")
    parser.add_argument("--only", choices=["haven", "relay"], help="one side only")
    parser.add_argument("--db-connections", choices=["pool", "per-call"], default="pool",
                        help="pool: as configured (psycopg's pool); per-call: what-if without "
                             "it (HAVEN_DB_POOL_SIZE=0, a new connection per database call)")
    parser.add_argument("--profile", metavar="FILE",
                        help="sample the server with py-spy during Haven's fixed run")
    parser.add_argument("--through-nginx", action="store_true",
                        help=f"also measure Haven's chat through nginx in front of "
                             f"{NGINX_PROCESSES} server processes (needs /usr/sbin/nginx)")
    parser.add_argument("--seed", nargs=2, metavar=("PAIRS", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args([] if argv is None else argv)
    if args.seed:
        seed(int(args.seed[0]), args.seed[1])
        return 0
    if not (1 <= args.pairs <= 2000 and 0 < args.rate <= 20_000 and 1 <= args.seconds <= 600
            and 1 <= args.client_procs <= 8):
        parser.error("keep to 1–2000 pairs, up to 20,000 msg/s, 1–600 s, 1–8 client processes")

    if args.through_nginx and not Path("/usr/sbin/nginx").exists():
        parser.error("--through-nginx needs /usr/sbin/nginx (apt-get install nginx)")
    problem = _preflight()
    if problem:
        print(f"   skipped: {problem}.")
        return 0
    with _one_at_a_time() as alone:
        if not alone:
            print("   skipped: another chat benchmark kept running for 15 minutes.")
            return 0
        return _run(args)


def _measure(phase: Phase, label: str, args: argparse.Namespace, *, profile: Path | None
             ) -> tuple[Result, list[Result]]:
    """The fixed run at --rate, then (unless --no-saturation) the ramp to saturation."""
    fixed = phase.step(label, args.rate, args.seconds, drain=DRAIN_SECONDS, profile=profile)
    print(f"   {label} at {args.rate:,.0f}/s: p99 {fixed.p(0.99):.1f} ms, "
          f"lost {fixed.stats['lost']}, duplicated {fixed.stats['duplicates']}"
          f"{_closed(fixed)}", flush=True)
    if args.no_saturation:
        return fixed, []
    _settle(phase.server)
    return fixed, _saturate(phase, f"{label} ramp", args.first_step, args.factor,
                            args.step_seconds)


def _run(args: argparse.Namespace) -> int:
    from bench import machine_description

    load_at_start = os.getloadavg()[0]
    results: list[Result] = []
    steps: dict[str, list[Result]] = {"haven": [], "relay": [], "nginx": []}
    nginx_label = f"Haven chat, nginx + {NGINX_PROCESSES} processes"
    with _stack(args.pairs, args.db_connections) as (server, seeded, env, var_dir):
        origin = f"http://127.0.0.1:{server.port}"
        for kind, label in (("haven", "Haven chat"), ("relay", "bare relay")):
            if args.only and kind != args.only:
                continue
            phase = Phase(_pairs(seeded, server.port, kind), origin, args.client_procs, server)
            try:
                fixed, ramp = _measure(phase, label, args, profile=Path(args.profile).resolve()
                                       if args.profile and kind == "haven" else None)
                results.append(fixed)
                steps[kind].extend(ramp)
            finally:
                phase.close()
                _settle(server)
        if args.through_nginx:
            with _behind_nginx(env, var_dir, NGINX_PROCESSES) as (group, port):
                phase = Phase(_pairs(seeded, port, "haven"), f"http://127.0.0.1:{port}",
                              args.client_procs, group)
                try:
                    fixed, ramp = _measure(phase, nginx_label, args, profile=None)
                    results.append(fixed)
                    steps["nginx"].extend(ramp)
                finally:
                    phase.close()

    print(f"\n   {machine_description()} ({load_at_start:.2f} at the start); "
          f"database connections: {args.db_connections}")
    print()
    print(HEADER)
    for result in [*results, *steps["haven"], *steps["relay"], *steps["nginx"]]:
        print(_row(result))
    haven_max, relay_max = sustained(steps["haven"]), sustained(steps["relay"])
    print()
    print(f"Saturation (most msg/s delivered with p99 ≤ 1 s, nothing lost): Haven chat "
          f"{haven_max:,.0f}, bare relay {relay_max:,.0f}.")
    if args.through_nginx and not args.no_saturation:
        nginx_max = sustained(steps["nginx"])
        print(f"{nginx_label}: {nginx_max:,.0f} msg/s — "
              f"{nginx_max / haven_max if haven_max else math.nan:.2f}× one process, "
              f"{nginx_max / relay_max if relay_max else math.nan:.2f}× the bare relay "
              f"(one process), same run.")
    print()
    if results and results[0].label == "Haven chat":
        print("| target | measured | |\n|---|---|---|")
        print("\n".join(_verdicts(results[0], haven_max, relay_max)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
