"""Two web processes, one database and one Redis: a colleague on one process and their
supporter on the other chat live both ways, and when a process dies its client resumes on the
other with what it missed, nothing lost and nothing twice (issue 15, item 1)."""

from __future__ import annotations

from pathlib import Path

import pytest
from websockets.exceptions import ConnectionClosed

from haven.core.models import Role
from tests.deploy.live import ChatSocket, session_cookie, two_servers
from tests.factories import make_person
from tests.support.chat_setup import open_chat, stored_texts

pytestmark = pytest.mark.django_db(transaction=True)


def ws(url: str) -> str:
    return url.replace("http://", "ws://", 1)


def test_a_chat_across_two_processes_survives_one_of_them_dying(
        django_db_setup: None, tmp_path: Path) -> None:
    colleague, supporter = make_person(), make_person(Role.SUPPORTER)
    chat = open_chat(colleague, supporter)
    colleague_cookie, supporter_cookie = session_cookie(colleague), session_cookie(supporter)

    with two_servers(tmp_path) as (first, second):
        origin = first.url  # both processes serve the same site
        with ChatSocket.open(ws(first.url), chat.pk, cookie=colleague_cookie,
                             origin=origin) as (colleague_side, _), \
             ChatSocket.open(ws(second.url), chat.pk, cookie=supporter_cookie,
                             origin=origin) as (supporter_side, _):
            asked = colleague_side.send("Hello, is anyone there?")
            assert supporter_side.next("message", id=asked)["text"] == "Hello, is anyone there?"
            answered = supporter_side.send("Yes, I am here. Take your time.")
            assert colleague_side.next("message", id=answered)["sender_role"] == "supporter"

            second.stop(crash=True)  # the supporter's process dies (SIGKILL)
            with pytest.raises(ConnectionClosed):  # after any frames already on their way
                while True:
                    supporter_side.frame()
            missed = colleague_side.send("It started last week.")  # stored while they are away
            last_seen = max(supporter_side.seen)

        # The supporter's page reconnects to the process still running, from its last id.
        with ChatSocket.open(ws(first.url), chat.pk, cookie=supporter_cookie, origin=origin,
                             after=last_seen) as (supporter_side, backlog):
            assert [frame["id"] for frame in backlog] == [missed]
            assert backlog[0]["text"] == "It started last week."
            supporter_side.send("Thank you for telling me.")

    assert [text for _, _, text in stored_texts(chat)] == [
        "Hello, is anyone there?", "Yes, I am here. Take your time.",
        "It started last week.", "Thank you for telling me."]
