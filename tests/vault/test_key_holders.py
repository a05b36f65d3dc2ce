"""Key rotation with real second processes on the test database (a file for SQLite, the test
database's name for PostgreSQL): a web server (`haven serve`) or a worker (`haven worker`)
still running with the old HAVEN_MASTER_KEYS holds `haven keys rotate` back until it exits;
a server still configured with a retired key wraps nothing new under it; a server without
the key of a conversation answers a clean error, never a 500; a worker without it still runs
every job.

The finding these reproduce: rotating while a web process still held the old keys let it wrap
a new conversation under the old key (lost for good once that key was dropped), and every
conversation that process had not cached answered 500."""

from __future__ import annotations

import io
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from haven.core.models import Person
from haven.core.services import create_access_token
from haven.support import commitments, conversations, offers, selectors
from haven.support.models import Commitment, Conversation
from haven.vault import crypto
from haven.vault.masterkeys import generate_master_key
from haven.vault.models import DataKey
from tests.browser.asgi_server import ROOT, AsgiServer, database_url_for_server
from tests.factories import make_person
from tests.support.conftest import make_supporter, open_request

pytestmark = pytest.mark.django_db(transaction=True)

OLD, NEW = generate_master_key("old"), generate_master_key("new")
SECRET = "They read my private messages out loud at the team lunch."
WAIT = 30.0  # seconds: an upper bound for a process to start or stop; they take one or two


def _wait_for(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + WAIT
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


@pytest.fixture(autouse=True)
def only_this_tests_processes() -> None:
    """The test database is a file other tests' servers also use; a heartbeat one of them
    left (killed, or still stopping) would count here as a live process for up to a minute."""
    from haven.vault.models import KeyHolder

    KeyHolder.objects.all().delete()


@pytest.fixture
def use_keys(settings):  # type: ignore[no-untyped-def]
    def switch(value: str) -> None:
        settings.HAVEN_MASTER_KEYS = value
        crypto.master_keys.cache_clear()
        crypto.forget_cached_keys()

    return switch


def _holders() -> list[tuple[str, str]]:
    """(kind, current key id) of every other process's heartbeat row."""
    from haven.vault.models import KeyHolder

    return list(KeyHolder.objects.exclude(kind="command")
                .values_list("kind", "current_key_id").order_by("kind"))


def _rotate() -> str:
    out = io.StringIO()
    call_command("keys", "rotate", stdout=out)
    return out.getvalue()


# A web server in another process ----------------------------------------------------------

@pytest.fixture
def server(tmp_path: Path) -> Iterator[AsgiServer]:
    server = AsgiServer(tmp_path / "server.log")
    server.env["HAVEN_PROCESS_KIND"] = "web"  # a key holder, as `haven serve` is by default
    yield server
    server.stop()


def _start(server: AsgiServer, keys: str) -> None:
    server.env["HAVEN_MASTER_KEYS"] = keys
    server.env["HAVEN_LOG_LEVEL"] = "INFO"
    server.start()


def _api(server: AsgiServer, token: str, method: str, path: str,
         body: dict[str, Any] | None = None) -> tuple[int, Any]:
    request = urllib.request.Request(  # noqa: S310 - our own server on 127.0.0.1
        f"{server.url}/api/v1{path}", method=method,
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def _new_request(server: AsgiServer, token: str) -> tuple[int, Any]:
    return _api(server, token, "POST", "/support/requests", {
        "topic": "bullying", "mode": "messages", "acknowledged_confidentiality": True,
        "message": SECRET, "submission_id": str(uuid.uuid4())})


@pytest.fixture
def token(colleague: Person) -> str:
    return create_access_token(person=colleague, name="test")[1]


def test_rotate_refuses_while_a_server_with_the_old_keys_runs_and_goes_ahead_once_it_exits(
        server: AsgiServer, token: str, use_keys) -> None:  # type: ignore[no-untyped-def]
    _start(server, OLD)
    use_keys(f"{NEW},{OLD}")  # this process: the operator's shell, already on the new set
    assert _holders() == [("web", "old")]

    with pytest.raises(CommandError, match=r"^Nothing was rotated: 1 live process runs with "
                                           r"another current master key than new \(web on "
                                           r".* pid \d+: current key old\)\. Restart it "):
        _rotate()
    # The old server goes on opening conversations under the old key meanwhile: the data
    # that the finding lost. The refusal left them to the next rotation.
    status, created = _new_request(server, token)
    assert status == 201, created
    assert set(DataKey.objects.values_list("master_key_id", flat=True)) == {"old"}

    server.stop()  # a clean exit removes its row at once
    _wait_for(lambda: _holders() == [], "the stopped server's row to go")

    assert "1 data keys now wrapped by master key new" in _rotate()
    assert set(DataKey.objects.values_list("master_key_id", flat=True)) == {"new"}
    call_command("keys", "retire", "old", stdout=io.StringIO())
    use_keys(NEW)  # the old key is gone from every process, and nothing is lost
    conversation = Conversation.objects.select_related("data_key", "colleague").get(
        pk=created["conversation_id"])
    shown = selectors.read_messages(viewer=conversation.colleague, conversation=conversation)
    assert [message.text for message in shown] == [SECRET]


def test_status_shows_the_server_and_its_key_set(server: AsgiServer, use_keys) -> None:  # type: ignore[no-untyped-def]
    _start(server, f"{OLD},{NEW}")
    use_keys(f"{NEW},{OLD}")
    out = io.StringIO()

    call_command("keys", "status", stdout=out)

    lines = out.getvalue().splitlines()
    assert lines[-2] == "processes seen in the last 60 s, besides this one: 1"
    assert server.process is not None
    assert lines[-1].startswith(f"  web on {socket.gethostname()} pid {server.process.pid}, ")
    assert "current old; holds old, new — another current key than this process" in lines[-1]


def test_a_server_still_set_up_with_a_retired_key_wraps_nothing_new_under_it(
        server: AsgiServer, token: str, use_keys) -> None:  # type: ignore[no-untyped-def]
    use_keys(f"{NEW},{OLD}")
    crypto.create_data_key(purpose="conversation")
    call_command("keys", "retire", "old", stdout=io.StringIO())
    _start(server, f"{OLD},{NEW}")  # restarted with the old setting by mistake

    status, answer = _new_request(server, token)

    assert status == 422
    assert answer["errors"][0]["message"].startswith("Haven cannot open a new request right now")
    assert SECRET not in json.dumps(answer)
    assert not DataKey.objects.filter(master_key_id="old").exists()
    assert DataKey.objects.count() == 1
    log = server.log_tail(200)
    assert "Master key 'old' is retired" in log and SECRET not in log


def test_a_server_without_the_conversations_key_answers_a_clean_error(
        server: AsgiServer, token: str, colleague: Person, use_keys) -> None:  # type: ignore[no-untyped-def]
    use_keys(f"{NEW},{OLD}")
    conversation = open_request(colleague, first_message=SECRET).conversation
    _start(server, OLD)  # a server not restarted after the rotation to "new"

    status, answer = _api(server, token, "GET",
                          f"/support/conversations/{conversation.pk}/messages")
    listed, _conversations = _api(server, token, "GET", "/support/conversations")

    assert status == 423
    assert answer == {"message": "This conversation cannot be opened: its encryption key is not "
                                 "available on this server. Your administrator has been told.",
                      "errors": []}
    assert listed == 200
    log = server.log_tail(200)
    assert "Master key 'new' is needed" in log and SECRET not in log


# A worker in another process --------------------------------------------------------------

def _worker_env(keys: str) -> dict[str, str]:
    env = {**os.environ,
           # The production settings (the database task backend the worker serves), on the
           # test database, with the test process's generated secrets.
           "DJANGO_SETTINGS_MODULE": "haven.settings",
           "PYTHONPATH": os.pathsep.join(entry for entry in sys.path if entry),
           "HAVEN_DEMO": "1", "HAVEN_VAR_DIR": str(django_settings.VAR_DIR),
           "DATABASE_URL": database_url_for_server(), "HAVEN_MASTER_KEYS": keys,
           "HAVEN_LOG_LEVEL": "WARNING", "PYTHONUNBUFFERED": "1"}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return env


@pytest.fixture
def worker(tmp_path: Path) -> Iterator[Callable[[str], subprocess.Popen[bytes]]]:
    started: list[subprocess.Popen[bytes]] = []

    def start(keys: str) -> subprocess.Popen[bytes]:
        with (tmp_path / "worker.log").open("ab") as log:
            process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
                [sys.executable, "-m", "haven.cli", "worker", "--interval", "3600"],
                cwd=ROOT, env=_worker_env(keys), stdout=log, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL)
        started.append(process)
        _wait_for(lambda: ("worker", parse_id(keys)) in _holders() or process.poll() is not None,
                  "the worker to record its keys")
        assert process.poll() is None, (tmp_path / "worker.log").read_text()
        return process

    yield start
    for process in started:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=WAIT)


def parse_id(keys: str) -> str:
    return keys.split(":", 1)[0]


def test_rotate_refuses_while_a_worker_with_the_old_keys_runs(worker, use_keys) -> None:  # type: ignore[no-untyped-def]
    use_keys(OLD)
    crypto.create_data_key(purpose="conversation")
    process = worker(OLD)
    use_keys(f"{NEW},{OLD}")

    with pytest.raises(CommandError, match=r"\(worker on .* current key old\)"):
        _rotate()
    assert set(DataKey.objects.values_list("master_key_id", flat=True)) == {"old"}

    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=WAIT) == 0
    assert _holders() == []
    assert "1 data keys now wrapped by master key new" in _rotate()


def test_a_killed_worker_holds_rotation_back_only_until_its_heartbeat_is_stale(
        worker, use_keys) -> None:  # type: ignore[no-untyped-def]
    from haven.vault import holders
    from haven.vault.models import KeyHolder

    process = worker(OLD)
    process.kill()  # no clean exit: its row stays
    process.wait(timeout=WAIT)
    use_keys(f"{NEW},{OLD}")

    with pytest.raises(CommandError, match="1 live process runs"):
        _rotate()
    KeyHolder.objects.filter(kind="worker").update(
        last_seen_at=timezone.now() - timedelta(seconds=holders.STALE_AFTER_SECONDS + 1))

    assert "0 data keys now wrapped by master key new" in _rotate()
    assert _holders() == []


def test_a_worker_without_a_conversations_key_still_runs_every_job(
        colleague: Person, use_keys) -> None:  # type: ignore[no-untyped-def]
    use_keys(generate_master_key("gone"))
    supporter = make_supporter()
    reminded = open_request(colleague, first_message=SECRET).conversation
    reminded = offers.accept_offer(offer=reminded.request.offers.get(), supporter=supporter)
    commitments.record_commitment(conversation=reminded, supporter=supporter,
                                    what="Call you on Friday",
                                    due_at=timezone.now() + timedelta(hours=2))
    expired = open_request(make_person(), first_message=SECRET).conversation
    conversations.close_conversation(conversation=expired, by=expired.colleague)
    Conversation.objects.filter(pk=expired.pk).update(
        shred_after=timezone.now() - timedelta(minutes=1))

    run = subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "haven.cli", "worker", "--once"], cwd=ROOT,
        env=_worker_env(NEW), capture_output=True, timeout=120, check=False)

    output = run.stdout.decode()
    assert run.returncode == 0, run.stderr.decode()
    assert "haven.support.jobs.remind_commitments: 1" in output
    assert "haven.support.jobs.shred_expired_conversations: 1" in output
    assert ": -1" not in output, output + run.stderr.decode()
    assert Commitment.objects.get(conversation=reminded).reminded_at is not None
    assert Conversation.objects.get(pk=expired.pk).state == Conversation.State.SHREDDED
    assert _holders() == []  # the one-shot worker recorded itself and removed its row
