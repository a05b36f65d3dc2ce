"""The demo's six months of history: the same on every run, made through the apps' services
(sealed, audited), and alive enough that coordinators see numbers. Seeded once per module."""

from __future__ import annotations

import re
import socket
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.test import Client
from django.utils import timezone

from haven.activities.models import ActivitySignup
from haven.coach.models import PracticeAttempt
from haven.coffee.models import CoffeeGroup, CoffeeMembership
from haven.core.models import AuditEvent, Person
from haven.demo.history import texts
from haven.demo.history.speakup import DEMO_CASE_PASSPHRASE
from haven.demo.ports import port_in_use
from haven.demo.seed import DEMO_ACCOUNTS, DEMO_PASSWORD, seed_demo
from haven.questions.models import Question
from haven.recognition.models import CompanyValue, Reaction, Recognition, RecognitionComment
from haven.speakup.models.journal import JournalEntry
from haven.speakup.models.reports import Report, ReportState
from haven.speakup.reports.selectors import has_keys, inbox, my_reports, open_case
from haven.speakup.reports.services import open_private_key
from haven.support import matching
from haven.support.models import Commitment, Conversation, Message, SupporterProfile
from haven.support.offers import ReportingLines, supporter_snapshots
from tests.support.dump import whole_database

PSEUDONYM = re.compile(r"^[A-Z][a-z]+ [A-Z][a-z]+$")


def _shape() -> dict[str, Any]:
    """What the history looks like, without its ids, times or random pseudonyms."""
    conversations = [
        (c.state, c.request.mode, c.messages.count(), c.felt_heard,
         sorted(Commitment.objects.filter(conversation=c).values_list("state", flat=True)),
         bool(PSEUDONYM.match(c.request.details.pseudonym)) if c.request.details.use_pseudonym
         else None)
        for c in Conversation.objects.select_related("request", "data_key").order_by("pk")]
    return {
        "conversations": conversations,
        "recognitions": list(Recognition.objects.order_by("pk").values_list(
            "audience", "message", "giver__email", "recipient__email")),
        "reactions": Reaction.objects.count(), "comments": RecognitionComment.objects.count(),
        "values": list(CompanyValue.objects.order_by("pk").values_list("name", flat=True)),
        "coffee": sorted(Counter(CoffeeMembership.objects.values_list("group", flat=True))
                         .values()),
        "met": CoffeeMembership.objects.filter(met=True).count(),
        "signups": Counter(ActivitySignup.objects.values_list("status", flat=True)),
        "questions": [(status, votes, answered is None) for status, votes, answered in
                      Question.objects.order_by("pk").values_list("status", "vote_count",
                                                                  "answered_at")],
        "practice": PracticeAttempt.objects.count(),
        "certified": SupporterProfile.objects.filter(certified_at__isnull=False).count(),
    }


def _sequences() -> list[tuple[str, int | None]]:
    """PostgreSQL's sequences and their positions: a rollback does not rewind them."""
    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        cursor.execute("SELECT format('%I.%I', schemaname, sequencename), last_value "
                       "FROM pg_sequences")
        return list(cursor.fetchall())


def _rewind(sequences: list[tuple[str, int | None]]) -> None:
    with connection.cursor() as cursor:
        for name, last in sequences:
            cursor.execute("SELECT setval(%s::regclass, %s, %s)",
                           [name, last or 1, last is not None])


@pytest.fixture(scope="module")
def seeded(django_db_setup: None, django_db_blocker: Any) -> Iterator[dict[str, Any]]:
    """Seeds twice into the same empty database (the first run rolled back, and on PostgreSQL
    its sequences rewound, so that ids are those of a fresh database) and keeps the second.
    How long seeding takes is measured by `python -m bench demo_seed`, not here."""
    with django_db_blocker.unblock(), transaction.atomic():
        sequences = _sequences()
        with transaction.atomic():
            seed_demo()
            first = {"shape": _shape()}
            transaction.set_rollback(True)
        _rewind(sequences)
        seed_demo()
        yield {"first": first, "second": _shape()}
        transaction.set_rollback(True)


pytestmark = pytest.mark.django_db


def test_two_runs_tell_the_same_history(seeded: dict[str, Any]) -> None:
    first, second = seeded["first"]["shape"], seeded["second"]
    assert first == second
    # Pseudonymous requests have a pseudonym of the usual shape (its words are random).
    assert any(flag is True for *_rest, flag in second["conversations"])
    assert all(flag in (True, None) for *_rest, flag in second["conversations"])


def test_it_is_rich_enough_to_be_alive(seeded: dict[str, Any]) -> None:
    shape = seeded["second"]
    states = Counter(state for state, *_rest in shape["conversations"])
    assert 55 <= len(shape["conversations"]) <= 65
    assert states["open"] >= 5 and states["closed"] >= 45
    commitment_states = Counter(s for *_a, found, _p in shape["conversations"] for s in found)
    assert commitment_states["kept"] >= 5 and commitment_states["missed"] >= 1
    assert len(shape["values"]) == len(texts.VALUES)
    assert len(shape["recognitions"]) >= 100 and shape["reactions"] > 100
    assert shape["comments"] > 10
    assert len(shape["coffee"]) > 100 and shape["met"] > 100
    assert shape["signups"]["waitlist"] >= 1 and shape["signups"]["going"] > 50
    statuses = Counter(status for status, _votes, _open in shape["questions"])
    assert statuses["published"] >= 5 and statuses["pending"] == 1
    assert any(not unanswered for _s, _v, unanswered in shape["questions"])
    # Most supporters certified through practice, a few not yet.
    assert 5 <= shape["certified"] < SupporterProfile.objects.count()
    # Six months back, and nothing in the future.
    now = timezone.now()
    oldest = Message.objects.order_by("sent_at").first()
    assert oldest is not None and now - oldest.sent_at > timedelta(days=150)
    assert not Message.objects.filter(sent_at__gt=now).exists()
    assert CoffeeGroup.objects.filter(created_at__lt=now - timedelta(days=150)).exists()


def test_it_went_through_the_services_sealed_and_audited(seeded: dict[str, Any]) -> None:
    actions = Counter(AuditEvent.objects.values_list("action", flat=True))
    assert actions["safety_escalated"] == 1
    assert actions["supporter_certified"] == seeded["second"]["certified"]
    assert actions["coffee_round_run"] >= 20
    # Messages are sealed: none holds its words in clear, and none appears anywhere in the DB.
    dump = whole_database().lower()
    written = [*texts.FIRST_REPLIES, *texts.FOLLOW_UPS, texts.ESCALATION_COLLEAGUE,
               *texts.COMMITMENTS, *(line for lines in texts.OPENINGS.values() for line in lines),
               *(what for _days, _where, what, _impact in texts.JOURNAL),
               *(what for what, _when, _where in [*texts.REPORTS, texts.HELD_REPORT])]
    for text in written:
        assert text.lower()[:60] not in dump
        assert text.encode()[:40].hex() not in dump
    colleague = Person.objects.get(email=DEMO_ACCOUNTS[0].email)
    assert Conversation.objects.filter(colleague=colleague, state="open").exists()


def test_speak_up_has_a_journal_a_released_case_and_a_held_report(
        seeded: dict[str, Any]) -> None:
    colleague = Person.objects.get(email=DEMO_ACCOUNTS[0].email)
    handler = Person.objects.get(email=DEMO_ACCOUNTS[3].email)
    assert JournalEntry.objects.filter(journal__author=colleague).count() == len(texts.JOURNAL)
    assert Counter(Report.objects.values_list("state", flat=True)) == {
        ReportState.RELEASED: len(texts.REPORTS), ReportState.HELD: 1}
    assert not Report.objects.filter(state=ReportState.RELEASED, delivered_at=None).exists()
    assert has_keys(handler)
    [group] = inbox(handler)
    assert group.collective and len(group.cases) == len(texts.REPORTS)
    # The demo passphrase opens the handler's key, and it opens the case.
    private_key = open_private_key(person=handler, passphrase=DEMO_CASE_PASSPHRASE)
    opened = open_case(handler, group.cases[0].pk, private_key)
    assert opened.content["what"] in [what for what, _when, _where in texts.REPORTS]
    assert len(my_reports(colleague)) == 1


def test_coordinators_see_numbers_not_only_hidden(seeded: dict[str, Any]) -> None:
    client = Client()
    client.force_login(Person.objects.get(email=DEMO_ACCOUNTS[2].email))
    for url in ("/programme/", "/recognition/insight/"):
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        figures = re.findall(r">\s*(\d+(?:\.\d+)?%?)\s*<", body)
        assert len([f for f in figures if f not in {"0", "0%"}]) >= 5, url
        assert "hidden" in body, url  # as in life, some small groups stay hidden


def test_someone_is_available_at_any_hour(seeded: dict[str, Any]) -> None:
    supporters = [s for s in supporter_snapshots(ReportingLines()) if s.certified]
    start = timezone.now().replace(minute=0, second=0, microsecond=0)
    for minutes in range(0, 7 * 24 * 60, 29):
        moment = start + timedelta(minutes=minutes)
        assert any(matching.is_available_at(s, moment) for s in supporters), moment


def test_the_demo_starts_without_an_e_mail_storm(seeded: dict[str, Any]) -> None:
    from haven.recognition.services import send_weekly_digests

    assert send_weekly_digests(now=timezone.now()) == 0


# Demo set-up ---------------------------------------------------------------------------------

def test_every_demo_address_is_plain_ascii_as_people_type_it() -> None:
    seed_demo(history=False)
    people = dict(Person.objects.values_list("name", "email"))
    assert any(not name.isascii() for name in people)  # accented names are in the demo
    assert all(address.isascii() for address in people.values())


def test_a_busy_port_gets_a_one_line_hint() -> None:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        assert port_in_use("127.0.0.1", port)
        with pytest.raises(CommandError) as refused:
            call_command("demo", port=port)
    message = str(refused.value)
    assert "\n" not in message and "already in use" in message
    assert f"PORT={port + 1}" in message and f"--port {port + 1}" in message
    assert not port_in_use("127.0.0.1", port)


def test_the_demo_port_sets_the_base_url() -> None:
    from haven import cli

    assert cli._demo_port(["--port", "8001"]) == 8001
    assert cli._demo_port([]) == 8000


def test_the_sign_in_page_lists_the_demo_accounts_only_in_demo_mode(settings: Any) -> None:
    page = Client().get("/accounts/login/").content.decode()
    assert all(account.email in page for account in DEMO_ACCOUNTS) and DEMO_PASSWORD in page
    assert DEMO_CASE_PASSPHRASE in page
    settings.HAVEN_DEMO = False
    page = Client().get("/accounts/login/").content.decode()
    assert DEMO_ACCOUNTS[0].email not in page and DEMO_PASSWORD not in page
    assert DEMO_CASE_PASSPHRASE not in page


def test_the_mfa_page_says_how_to_get_the_code_only_in_demo_mode(
        seeded: dict[str, Any], settings: Any) -> None:
    def mfa_page() -> str:
        client = Client()
        response = client.post("/accounts/login/", {"login": DEMO_ACCOUNTS[2].email,
                                                    "password": DEMO_PASSWORD}, follow=True)
        assert "code" in response.content.decode().lower()
        return response.content.decode()

    assert "haven totp" in mfa_page()
    settings.HAVEN_DEMO = False
    assert "haven totp" not in mfa_page()


def test_each_demo_accounts_home_shows_their_dashboard(seeded: dict[str, Any]) -> None:
    for account in DEMO_ACCOUNTS:
        client = Client()
        client.force_login(Person.objects.get(email=account.email))
        response = client.get("/")
        assert response.status_code == 200, account.role
        body = response.content.decode()
        assert f'id="role-{account.role.replace("_", "-")}"' in body, account.role
    colleague = Client()
    colleague.force_login(Person.objects.get(email=DEMO_ACCOUNTS[0].email))
    assert "No conversations yet." not in colleague.get("/").content.decode()
