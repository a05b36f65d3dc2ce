"""Any text into every free-text field of every API route: a character that cannot be stored
is a 422 naming the field, in the API's JSON error shape; nothing answers 500 and no task
(e-mail) fails, whatever is sent. Routes and fields come from the OpenAPI schema, so a new
route or field is covered as soon as it exists (and a new route must say how to reach it in
ROUTES, or a test fails)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from typing import Any
from urllib.parse import urlencode

import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from haven.activities import services as activities
from haven.activities.models import Activity
from haven.api.api import api
from haven.core.models import Person, Role
from haven.core.text import refusal
from haven.questions import services as questions
from haven.recognition import services as recognition
from haven.speakup.journal import services as journal
from haven.support.programme import programme_settings
from tests.activities.test_activities import an_activity
from tests.conftest import signed_in
from tests.factories import make_person
from tests.speakup import reports_support as speakup_reports
from tests.support.chat_setup import open_chat

pytestmark = pytest.mark.django_db

PREFIX = "/api/v1"
# Refused in any text, single line or not.
NEVER = ["\x00", "a\x00b", "\ud800", "a\udfffb", "\ufffe", "\U0010ffff", "\x07", "x\x85y"]
# Refused only where a field is one line.
NOT_ONE_LINE = ["a\r\nb", "a\nb", "a\tb", "a\u2028b"]


# What the schema says -------------------------------------------------------------------------

@cache
def schema() -> dict[str, Any]:
    """The document /api/v1/openapi.json serves (built here: the tests are collected before
    any database or client exists)."""
    return json.loads(json.dumps(api.get_openapi_schema(path_prefix=PREFIX)))


def _resolve(node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        node = schema()["components"]["schemas"][node["$ref"].rsplit("/", 1)[-1]]
    return node


def _free_text(node: dict[str, Any]) -> tuple[bool, dict[str, Any] | None]:
    """(is a list of strings, the string's schema) when NODE holds free text: a string with
    no enum, const or format (those are checked by their type), alone, optional or in a
    list. (False, None) otherwise."""
    node = _resolve(node)
    for option in node.get("anyOf", []):
        found = _free_text(option)
        if found[1] is not None:
            return found
    if node.get("type") == "array":
        return (True, _free_text(node["items"])[1])
    if (node.get("type") == "string" and not {"enum", "const", "format"} & set(node)):
        return (False, node)
    return (False, None)


@dataclass(frozen=True)
class TextField:
    name: str
    where: str  # body or query
    many: bool  # a list of strings
    kind: str | None  # x-haven-text: multi-line, single-line (None: not checked)


def _fields(operation: dict[str, Any]) -> list[TextField]:
    found = []
    body = operation.get("requestBody", {}).get("content", {}).get("application/json")
    if body:
        for name, node in _resolve(body["schema"]).get("properties", {}).items():
            many, text = _free_text(node)
            if text is not None:
                found.append(TextField(name, "body", many, text.get("x-haven-text")))
    for parameter in operation.get("parameters", []):
        if parameter["in"] == "query":
            many, text = _free_text(parameter["schema"])
            if text is not None:
                found.append(TextField(parameter["name"], "query", many,
                                       text.get("x-haven-text")))
    return found


def operations() -> dict[tuple[str, str], list[TextField]]:
    """Every route that reads free text: (METHOD, path) → its text fields."""
    found = {}
    for path, methods in schema()["paths"].items():
        for method, operation in methods.items():
            fields = _fields(operation)
            if fields:
                found[(method.upper(), path.removeprefix(PREFIX))] = fields
    return found


# How to reach each route with a request that would succeed --------------------------------------

@dataclass
class World:
    colleague: Person
    supporter: Person
    coordinator: Person

    def client(self, person: Person) -> Client:
        return signed_in(person)


@dataclass
class Call:
    client: Client
    path: str
    body: dict[str, Any]  # the body, or the query string


def _future(days: int) -> str:
    return (timezone.now() + timedelta(days=days)).isoformat()


def _signed_up_activity(world: World) -> Activity:
    """An activity of the coordinator's, with the colleague going (so a change or call-off
    e-mails someone)."""
    activity = an_activity(organiser=world.coordinator, capacity=5)
    activities.sign_up(person=world.colleague, activity=activity)
    return activity


def _recognition(world: World) -> int:
    return recognition.give_recognition(
        giver=world.supporter, recipient_email=world.colleague.email,
        message="Thank you for covering my shift.", audience="organisation").pk


def _waiting_question(world: World) -> int:
    return questions.ask(person=world.colleague, text="Budget?", anonymous=False).pk


def _published_question(world: World) -> int:
    asked = questions.ask(person=world.colleague, text="When is the next all-hands?",
                          anonymous=False)
    return questions.moderate(moderator=world.coordinator, question=asked, publish=True).pk


def _journal_entry(world: World) -> str:
    return str(journal.write_entry(author=world.colleague, entry_input=journal.EntryInput(
        occurred_on=date(2025, 11, 2), what="Shouted at in the stand-up.")).pk)


def _journal_body(world: World) -> dict[str, Any]:
    return {"occurred_on": "2025-11-02", "occurred_time": "09:00", "what": "Shouted at.",
            "where": "Office", "people": [world.supporter.email], "others": "A visitor",
            "witnesses": "Sam", "impact": "Upset"}
def _speakup_case(world: World, action: str, body: dict[str, Any]) -> Call:
    handler, client = speakup_reports.unlocked_handler_client()
    filed = speakup_reports.released_case(world.colleague, handler)
    return Call(client, f"/speakup/cases/{filed.report.pk}/{action}", body)


ROUTES: dict[tuple[str, str], Callable[[World], Call]] = {
    ("PATCH", "/me"): lambda w: Call(
        w.client(w.colleague), "/me", {"pronouns": "they/them", "languages": ["en", "fr"]}),
    ("GET", "/directory/people"): lambda w: Call(
        w.client(w.coordinator), "/directory/people", {"q": "someone"}),
    ("POST", "/support/requests"): lambda w: Call(
        w.client(w.colleague), "/support/requests", {
            "topic": programme_settings().topic_choices()[0][0], "mode": "messages",
            "language": "en", "person_of_concern_email": w.supporter.email,
            "acknowledged_confidentiality": True, "message": "Can we talk?",
            "submission_id": str(uuid.uuid4())}),
    ("POST", "/support/conversations/{conversation_id}/messages"): lambda w: Call(
        w.client(w.colleague),
        f"/support/conversations/{open_chat(w.colleague, w.supporter).pk}/messages",
        {"client_id": str(uuid.uuid4()), "text": "Hello"}),
    ("POST", "/support/conversations/{conversation_id}/commitments"): lambda w: Call(
        w.client(w.supporter),
        f"/support/conversations/{open_chat(w.colleague, w.supporter).pk}/commitments",
        {"what": "Check in on Friday", "due_at": _future(3)}),
    ("POST", "/connect/activities"): lambda w: Call(
        w.client(w.coordinator), "/connect/activities", {
            "title": "Choir", "description": "Sing along.", "starts_at": _future(5),
            "ends_at": _future(6), "time_zone": "Europe/London", "place": "Hall",
            "online_link": "https://meet.example.org/choir", "capacity": 10,
            "accessibility": "Step-free."}),
    ("PATCH", "/connect/activities/{activity_id}"): lambda w: Call(
        w.client(w.coordinator), f"/connect/activities/{_signed_up_activity(w).pk}", {
            "title": "Choir", "description": "Sing along.", "time_zone": "Europe/London",
            "place": "Hall B", "online_link": "https://meet.example.org/choir",
            "accessibility": "Step-free."}),
    ("POST", "/connect/activities/{activity_id}/call-off"): lambda w: Call(
        w.client(w.coordinator), f"/connect/activities/{_signed_up_activity(w).pk}/call-off",
        {"note": "The hall is flooded."}),
    ("POST", "/connect/questions"): lambda w: Call(
        w.client(w.colleague), "/connect/questions", {"text": "Why the new rota?"}),
    ("POST", "/connect/questions/{question_id}/moderation"): lambda w: Call(
        w.client(w.coordinator), f"/connect/questions/{_waiting_question(w)}/moderation",
        {"decision": "reject", "reason": "Asked last week."}),
    ("PUT", "/connect/questions/{question_id}/answer"): lambda w: Call(
        w.client(w.coordinator), f"/connect/questions/{_published_question(w)}/answer",
        {"text": "On the 3rd."}),
    ("POST", "/recognitions"): lambda w: Call(
        w.client(w.supporter), "/recognitions", {
            "recipient_email": w.colleague.email, "message": "Thanks for the help!",
            "audience": "organisation"}),
    ("POST", "/recognitions/{recognition_id}/comments"): lambda w: Call(
        w.client(w.colleague), f"/recognitions/{_recognition(w)}/comments",
        {"message": "Well deserved!"}),
    ("POST", "/journal/entries"): lambda w: Call(
        w.client(w.colleague), "/journal/entries", _journal_body(w)),
    ("PUT", "/journal/entries/{entry_id}"): lambda w: Call(
        w.client(w.colleague), f"/journal/entries/{_journal_entry(w)}",
        {**_journal_body(w), "keep_attachments": []}),
    # speak-up (tests/speakup/reports_support.py sets each one up)
    ("POST", "/speakup/reports"): lambda w: Call(
        w.client(w.colleague), "/speakup/reports", {
            "named_text": "Someone Outside", "what": "They mocked me.", "when": "Tuesday",
            "where": "Canteen"}),
    ("POST", "/speakup/reports/open"): lambda w: Call(
        w.client(w.colleague), "/speakup/reports/open",
        {"code": speakup_reports.file(w.colleague, text="Someone Outside").receipt_code}),
    ("POST", "/speakup/reports/messages"): lambda w: Call(
        w.client(w.colleague), "/speakup/reports/messages", {
            "code": speakup_reports.released_case(w.colleague, w.coordinator).receipt_code,
            "text": "Anything new?"}),
    ("POST", "/speakup/cases/{report_id}/state"): lambda w: _speakup_case(
        w, "state", {"state": "acknowledged", "outcome": "Not needed yet."}),
    ("POST", "/speakup/cases/{report_id}/messages"): lambda w: _speakup_case(
        w, "messages", {"text": "Thank you for telling us."}),
    ("POST", "/speakup/cases/{report_id}/notes"): lambda w: _speakup_case(
        w, "notes", {"text": "Check the rota."}),
}


@pytest.fixture
def world(db: None) -> World:
    return World(colleague=make_person(), supporter=make_person(Role.SUPPORTER),
                 coordinator=make_person(Role.COORDINATOR))


def received(field: TextField, value: str) -> str:
    """VALUE as the server reads it. A query string is bytes: an unpaired surrogate goes as
    the bytes a careless encoder makes of it (CESU-8), which Django reads as U+FFFD."""
    if field.where == "query":
        return value.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
    return value


def send(call: Call, method: str, field: TextField | None = None, value: Any = None,
         ) -> Any:
    body = dict(call.body)
    if field is not None:
        body[field.name] = [value] if field.many else value
    path = PREFIX + call.path
    if method == "GET":
        query = urlencode(body, doseq=True, encoding="utf-8", errors="surrogatepass")
        return call.client.get(f"{path}?{query}")
    return getattr(call.client, method.lower())(path, json.dumps(body),
                                                content_type="application/json")


def _attempt(world: World, route: tuple[str, str], field: TextField | None, value: Any,
             capture: Any) -> Any:
    """One request, with its after-commit work (e-mail) run, then undone: each attempt starts
    from the same world."""
    with transaction.atomic():
        call = ROUTES[route](world)
        with capture(execute=True):
            response = send(call, route[0], field, value)
        transaction.set_rollback(True)
    return response


# The tests ------------------------------------------------------------------------------------

def test_every_route_that_reads_text_says_how_to_reach_it() -> None:
    assert set(operations()) == set(ROUTES), (
        "add the route to ROUTES (a call that would succeed), or drop one that is gone")


def test_every_free_text_field_of_a_request_is_checked() -> None:
    unchecked = [f"{method} {path}: {field.name}"
                 for (method, path), fields in operations().items()
                 for field in fields if field.kind not in ("multi-line", "single-line")]

    assert not unchecked, ("use haven.api.schemas.Text or Line (or STORABLE / ONE_LINE) for "
                           f"these: {unchecked}")


CASES = [(route, field) for route, fields in sorted(operations().items()) for field in fields]
CASE_IDS = [f"{method} {path} {field.name}" for (method, path), field in CASES]


@pytest.mark.parametrize(("route", "field"), CASES, ids=CASE_IDS)
def test_the_base_call_of_each_route_succeeds(world: World, route: tuple[str, str],
                                              field: TextField,
                                              django_capture_on_commit_callbacks: Any,
                                              failed_tasks: list[str]) -> None:
    # Unchanged, each call in ROUTES works: so a refusal below is the text's doing.
    response = _attempt(world, route, None, None, django_capture_on_commit_callbacks)

    assert response.status_code in (200, 201), response.content[:300]
    assert not failed_tasks


@pytest.mark.parametrize(("route", "field"), CASES, ids=CASE_IDS)
def test_a_character_that_cannot_be_stored_is_a_422_naming_the_field(
        world: World, route: tuple[str, str], field: TextField,
        django_capture_on_commit_callbacks: Any, failed_tasks: list[str]) -> None:
    values = NEVER + (NOT_ONE_LINE if field.kind == "single-line" else [])
    for value in values:
        expected = refusal(received(field, value), multiline=field.kind == "multi-line")
        response = _attempt(world, route, field, value, django_capture_on_commit_callbacks)

        if expected is None:  # a surrogate in a query string arrives as U+FFFD
            assert response.status_code == 200
            continue
        assert response.status_code == 422, (value, response.content[:300])
        assert response["Content-Type"].startswith("application/json")
        body = response.json()
        assert body["message"] == "The request is not valid."
        named = [error for error in body["errors"]
                 if error["field"] in (field.name, f"{field.name}.0")]
        assert [error["message"] for error in named] == [expected], body
    assert not failed_tasks


AWKWARD = st.sampled_from(NEVER + NOT_ONE_LINE + ["\ufffd", "\u202e", "🙂", "", " "])
TEXT = st.one_of(
    st.text(st.characters(codec=None), max_size=40),
    st.builds(lambda before, odd, after: before + odd + after,
              st.text(max_size=10), AWKWARD, st.text(max_size=10)),
    AWKWARD,
)


@pytest.mark.parametrize("route", sorted(ROUTES), ids=" ".join)
@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_any_text_in_any_field_never_fails_and_never_fails_a_task(
        world: World, route: tuple[str, str], data: st.DataObject,
        django_capture_on_commit_callbacks: Any, failed_tasks: list[str]) -> None:
    field = data.draw(st.sampled_from(operations()[route]), label="field")
    value = data.draw(TEXT, label="text")

    response = _attempt(world, route, field, value, django_capture_on_commit_callbacks)

    assert response.status_code < 500, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    assert response.status_code < 300 or response.json()["message"]
    if refusal(received(field, value), multiline=field.kind == "multi-line") is not None:
        assert response.status_code == 422
    assert not failed_tasks
