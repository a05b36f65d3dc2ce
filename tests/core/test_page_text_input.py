"""Any text into every free-text field of every page form: a character that cannot be stored
is refused beside its field, the page shows again with what was typed, nothing answers 500 and
no task (e-mail) fails. PAGES says how to reach each form with a submission that would
succeed; a test fails when a form with a text field is missing from it, and the fields come
from the form classes, so a new field is covered as soon as it exists."""

from __future__ import annotations

import importlib
import inspect
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

import pytest
from django import forms
from django.core.cache import cache
from django.db import transaction
from django.test import Client
from django.utils import timezone
from django.utils.html import escape
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from haven.activities import forms as activity_forms
from haven.activities import services as activities
from haven.attributes import forms as attribute_forms
from haven.attributes import services as attributes
from haven.coach import forms as coach_forms
from haven.coach.scenarios import SCENARIOS
from haven.coffee import forms as coffee_forms
from haven.core import forms as core_forms
from haven.core import services as core_services
from haven.core.auth import AddressLimitedMFAForm
from haven.core.models import Location, Person, Role
from haven.core.text import refusal
from haven.questions import forms as question_forms
from haven.questions import services as questions
from haven.recognition import forms as recognition_forms
from haven.recognition import services as recognition
from haven.recognition.models import Recognition, RecognitionStatus
from haven.speakup.journal import forms as journal_forms
from haven.speakup.journal import services as journal
from haven.speakup.reports import forms as report_forms
from haven.support import commitments
from haven.support import forms as support_forms
from haven.support.programme import programme_settings
from tests.activities.test_activities import an_activity
from tests.activities.test_activities_pages import _form as activity_form
from tests.coach.practice_helpers import practise
from tests.conftest import signed_in
from tests.core.test_auth import totp_code
from tests.core.test_text import _form_modules
from tests.factories import PASSWORD, make_person
from tests.speakup import reports_support as speakup_reports
from tests.support.chat_setup import open_chat

pytestmark = pytest.mark.django_db

SLUG = SCENARIOS[0].slug


@dataclass
class World:
    colleague: Person
    supporter: Person
    lead: Person  # coordinator and administrator

    def client(self, person: Person) -> Client:
        return signed_in(person)


@dataclass
class Call:
    client: Client
    url: str
    data: dict[str, Any]
    extra_fields: dict[str, bool] = field(default_factory=dict)  # added in __init__: multiline
    method: str = "post"


@dataclass(frozen=True)
class Page:
    """How to submit a form successfully; KEEPS_TEXT: a refusal shows the text again (not
    for the live coach, whose fragment leaves the text in the page's own box)."""

    setup: Callable[[World], Call]
    keeps_text: bool = True


def _later(days: int = 3) -> str:
    return (timezone.localtime() + timedelta(days=days)).strftime("%Y-%m-%dT%H:%M")


def _chat(world: World) -> int:
    return open_chat(world.colleague, world.supporter).pk


def _commitment(world: World) -> int:
    chat = open_chat(world.colleague, world.supporter)
    return commitments.record_commitment(
        conversation=chat, supporter=world.supporter, what="Call on Friday",
        due_at=timezone.now() + timedelta(days=2)).pk


def _signed_up_activity(world: World) -> int:
    activity = an_activity(organiser=world.lead)
    activities.sign_up(person=world.colleague, activity=activity)
    return activity.pk


def _waiting_question(world: World) -> int:
    return questions.ask(person=world.colleague, text="Budget?", anonymous=False).pk


def _published_question(world: World) -> int:
    asked = questions.ask(person=world.colleague, text="Rota?", anonymous=False)
    return questions.moderate(moderator=world.lead, question=asked, publish=True).pk


def _recognition(world: World, *, held: bool = False) -> int:
    given = recognition.give_recognition(
        giver=world.supporter, recipient_email=world.colleague.email,
        message="Thank you for covering my shift.", audience="organisation")
    if held:
        Recognition.objects.filter(pk=given.pk).update(status=RecognitionStatus.HELD)
    return given.pk


def _attribute(world: World) -> int:
    return attributes.define_attribute(actor=world.lead, name="Working pattern",
                                       question="How do you work?",
                                       options=["Full time", "Part time"]).pk


def _invitation(world: World) -> Call:
    person = make_person()
    person.set_unusable_password()
    person.save()
    url = core_services.invitation_url(person).split("://", 1)[-1]
    return Call(Client(), url[url.index("/"):],
                {"password1": "a long new passphrase 42", "password2": "a long new passphrase 42"})


def _programme_settings(world: World) -> Call:
    crisis = {f"crisis_{pk}": "" for pk in Location.objects.values_list("pk", flat=True)}
    first = f"crisis_{world.colleague.location_id}"
    crisis[first] = "Call the local line."
    return Call(world.client(world.lead), "/programme/settings/", {
        "topics": "bullying: Bullying or harassment\nworkload: Workload",
        "confidentiality_text": "What you say stays here unless a life is at risk.",
        "crisis_text": "Call 999 in an emergency.", "response_target_hours": "8",
        "offer_minutes": "30", "retention_days": "90", "safety_contact": "", **crisis},
        extra_fields={first: True})


def _journal_entry(world: World) -> str:
    return str(journal.write_entry(author=world.colleague, entry_input=journal.EntryInput(
        occurred_on=date(2025, 11, 2), what="Shouted at in the stand-up.")).pk)


def _journal_form(world: World) -> dict[str, str]:
    return {"occurred_on": "2025-11-02", "occurred_time": "09:00", "what": "Shouted at.",
            "where": "Office", "people": world.supporter.email, "others": "A visitor",
            "witnesses": "Sam", "impact": "Upset"}


def _mfa_step(world: World) -> Call:
    """The second step of signing in (a code from the authenticator app), after the password."""
    client = Client()
    client.post("/accounts/login/", {"login": world.lead.email, "password": PASSWORD})
    return Call(client, "/accounts/2fa/authenticate/", {"code": totp_code()})


PAGES: dict[type[forms.BaseForm] | str, Page] = {
    # core
    core_forms.ProfileForm: Page(lambda w: Call(
        w.client(w.colleague), "/profile/", {"pronouns": "they/them", "languages": ["en", "fr"]})),
    core_forms.AccessTokenForm: Page(lambda w: Call(
        w.client(w.colleague), "/profile/tokens/", {"name": "HR sync", "days": "90"})),
    core_forms.AcceptInvitationForm: Page(_invitation),
    core_forms.AuditFilterForm: Page(lambda w: Call(
        w.client(w.lead), "/audit/", {"person": w.colleague.email, "object_type": "person",
                                      "object_id": "1"}, method="get")),
    AddressLimitedMFAForm: Page(_mfa_step, keeps_text=False),
    "directory search": Page(lambda w: Call(
        w.client(w.lead), "/directory/", {"q": "someone"}, method="get")),
    # support
    support_forms.RequestForm: Page(lambda w: Call(w.client(w.colleague), "/support/new/", {
        "topic": programme_settings().topic_choices()[0][0], "mode": "messages",
        "use_pseudonym": "name", "language": "en", "avoid_my_team": "on",
        "person_of_concern": "", "message": "Can we talk?", "acknowledged": "on",
        "submission_id": str(uuid.uuid4())})),
    support_forms.MessageForm: Page(lambda w: Call(
        w.client(w.colleague), f"/conversations/{_chat(w)}/send/",
        {"text": "Hello", "client_id": str(uuid.uuid4())})),
    support_forms.CommitmentForm: Page(lambda w: Call(
        w.client(w.supporter), f"/conversations/{_chat(w)}/commitments/",
        {"what": "Check in on Friday", "due_at": _later()})),
    support_forms.RenegotiateForm: Page(lambda w: Call(
        w.client(w.supporter), f"/commitments/{_commitment(w)}/",
        {"outcome": "renegotiate", "due_at": _later(5), "note": "HR is closed this week"})),
    support_forms.ProgrammeSettingsForm: Page(_programme_settings),
    # coach
    coach_forms.FeedbackForm: Page(lambda w: Call(
        w.client(w.supporter), "/coach/feedback/",
        {"reply": "That sounds hard.", "seeker": "My manager shouts.", "scenario": ""}),
        keeps_text=False),
    coach_forms.ConversationFeedbackForm: Page(lambda w: Call(
        w.client(w.supporter), f"/conversations/{_chat(w)}/coach/",
        {"reply": "That sounds hard."}), keeps_text=False),
    coach_forms.TryForm: Page(lambda w: Call(
        w.client(w.supporter), "/coach/try/",
        {"seeker": "My manager shouts.", "reply": "That sounds hard."})),
    coach_forms.PracticeForm: Page(lambda w: Call(
        w.client(w.supporter), f"/coach/practice/{SLUG}/",
        {"reply": "That sounds hard. How are you?", "attempt": ""})),
    coach_forms.FinishForm: Page(lambda w: Call(
        w.client(w.supporter), f"/coach/practice/{SLUG}/finish/",
        {"attempt": str(practise(w.supporter, SLUG).pk), "reply": "That sounds hard."}),
        keeps_text=False),  # the hidden copy of a reply the practice page already took
    # activities and questions
    activity_forms.ActivityForm: Page(lambda w: Call(
        w.client(w.lead), "/activities/new/", activity_form())),
    activity_forms.CallOffForm: Page(lambda w: Call(
        w.client(w.lead), f"/activities/{_signed_up_activity(w)}/call-off/",
        {"note": "The hall is flooded.", "confirm": "on"})),
    question_forms.QuestionForm: Page(lambda w: Call(
        w.client(w.colleague), "/questions/ask/", {"text": "Why the rota?", "anonymous": "no"})),
    question_forms.ModerationForm: Page(lambda w: Call(
        w.client(w.lead), f"/questions/{_waiting_question(w)}/moderate/",
        {"decision": "reject", "reason": "Asked last week."})),
    question_forms.AnswerForm: Page(lambda w: Call(
        w.client(w.lead), f"/questions/{_published_question(w)}/answer/",
        {"answer": "On the 3rd."})),
    # recognition
    recognition_forms.GiveForm: Page(lambda w: Call(
        w.client(w.supporter), "/recognition/give/", {
            "recipient": w.colleague.email, "team": "", "message": "Thanks for the help!",
            "audience": "organisation"})),
    recognition_forms.CommentForm: Page(lambda w: Call(
        w.client(w.colleague), f"/recognition/{_recognition(w)}/comments/",
        {"message": "Well deserved!"})),
    recognition_forms.ModerateForm: Page(lambda w: Call(
        w.client(w.lead), f"/recognition/{_recognition(w, held=True)}/moderate/",
        {"decision": "reject", "reason": "Not kind."})),
    recognition_forms.ValueForm: Page(lambda w: Call(
        w.client(w.lead), "/recognition/values/",
        {"name": "Courage", "description": "Speaking up."})),
    # coffee and shared attributes
    coffee_forms.BlockForm: Page(lambda w: Call(
        w.client(w.colleague), "/coffee/blocks/", {"person": w.supporter.email})),
    attribute_forms.AttributeForm: Page(lambda w: Call(
        w.client(w.lead), "/attributes/", {"name": "Caring", "question": "Do you care for "
                                           "someone?", "options": "Yes\nNo"})),
    attribute_forms.EditAttributeForm: Page(lambda w: Call(
        w.client(w.lead), f"/attributes/{_attribute(w)}/", {
            "name": "Working pattern", "question": "How do you work?",
            "options": "Full time\nPart time\nShifts"})),
    # speak-up: the journal
    journal_forms.EntryForm: Page(lambda w: Call(
        w.client(w.colleague), "/journal/new/", _journal_form(w))),
    journal_forms.EditEntryForm: Page(lambda w: Call(
        w.client(w.colleague), f"/journal/{_journal_entry(w)}/edit/", _journal_form(w))),
    # speak-up: reports and cases (tests/speakup/reports_support.py sets each one up)
    report_forms.ReportForm: Page(lambda w: Call(*speakup_reports.report_form(w.colleague))),
    report_forms.EditReportForm: Page(lambda w: Call(
        *speakup_reports.edit_report_form(w.colleague))),
    report_forms.ReceiptCodeForm: Page(lambda w: Call(
        *speakup_reports.receipt_code_form(w.colleague))),
    report_forms.ReporterMessageForm: Page(lambda w: Call(
        *speakup_reports.reporter_message_form(w.colleague))),
    report_forms.SetUpKeysForm: Page(lambda w: Call(
        *speakup_reports.set_up_keys_form(w.colleague))),
    report_forms.UnlockForm: Page(lambda w: Call(*speakup_reports.unlock_form(w.colleague))),
    report_forms.ChangePassphraseForm: Page(lambda w: Call(
        *speakup_reports.change_passphrase_form(w.colleague))),
    report_forms.RecoverKeysForm: Page(lambda w: Call(
        *speakup_reports.recover_keys_form(w.colleague))),
    report_forms.NoteForm: Page(lambda w: Call(*speakup_reports.case_form(w.colleague,
                                                                          "note"))),
    report_forms.HandlerMessageForm: Page(lambda w: Call(
        *speakup_reports.case_form(w.colleague, "message"))),
    report_forms.CaseStateForm: Page(lambda w: Call(*speakup_reports.case_form(w.colleague,
                                                                               "state"))),
}


def _is_free_text(form_field: forms.Field) -> bool:
    # A UUID is a hidden id, not something typed; its own check says it is not one.
    return isinstance(form_field, forms.CharField) and not isinstance(form_field,
                                                                      forms.UUIDField)


def _multiline(form_field: forms.Field) -> bool:
    return getattr(form_field, "multiline", isinstance(form_field.widget, forms.Textarea))


@dataclass(frozen=True)
class TextField:
    name: str
    multiline: bool
    strips: bool  # the field trims what was typed before checking it
    says_why: bool  # our message is shown (a URL field may say "not a URL" first)
    shows_typed: bool  # a refusal shows the text again (not a password)


def text_fields(key: type[forms.BaseForm] | str, call: Call) -> list[TextField]:
    if key == "directory search":
        return [TextField("q", False, False, True, True)]
    assert isinstance(key, type)
    found = [TextField(name, _multiline(form_field), form_field.strip,
                       not isinstance(form_field, forms.URLField),
                       not isinstance(form_field.widget, forms.PasswordInput))
             for name, form_field in key.base_fields.items() if _is_free_text(form_field)]
    found += [TextField(name, multiline, True, True, True)
              for name, multiline in call.extra_fields.items()]
    return found


@pytest.fixture
def world(db: None) -> World:
    return World(colleague=make_person(), supporter=make_person(Role.SUPPORTER),
                 lead=make_person(Role.COORDINATOR, Role.ADMINISTRATOR))


def received(value: str) -> str:
    """VALUE as Django reads it from a form: an unpaired surrogate can only arrive as bytes
    (what a careless encoder makes of it), which Django reads as U+FFFD."""
    return value.encode("utf-8", "surrogatepass").decode("utf-8", "replace")


def submit(call: Call, name: str | None = None, value: str | None = None) -> Any:
    data = dict(call.data)
    if name is not None:
        data[name] = value
    encoded = urlencode(data, doseq=True, encoding="utf-8", errors="surrogatepass")
    if call.method == "get":
        return call.client.get(f"{call.url}?{encoded}")
    return call.client.post(call.url, encoded,
                            content_type="application/x-www-form-urlencoded")


def _attempt(world: World, key: type[forms.BaseForm] | str, pick: Callable[[Call], Any],
             capture: Any) -> tuple[Any, Any]:
    """Set up, submit (after-commit work such as e-mail run), then undo it all."""
    cache.clear()  # rate limits: every attempt is someone's first
    with transaction.atomic():
        call = PAGES[key].setup(world)
        name, value = pick(call)
        with capture(execute=True):
            response = submit(call, name, value)
        transaction.set_rollback(True)
    return call, response


def _key_id(key: type[forms.BaseForm] | str) -> str:
    return key if isinstance(key, str) else f"{key.__module__.rsplit('.', 1)[-1]}.{key.__name__}"


KEYS = sorted(PAGES, key=_key_id)


def assert_refused_and_kept(key: type[forms.BaseForm] | str, text_field: TextField,
                            value: str, response: Any) -> None:
    typed = received(value)
    checked = typed.strip() if text_field.strips else typed
    message = refusal(checked, multiline=text_field.multiline)
    if message is None:
        return
    if response.status_code == 302 and key is coach_forms.FinishForm:
        return  # only a tampered hidden copy of a reply gets here: back to the practice page
    assert response.status_code in (200, 400), (  # the page again, not a redirect
        text_field.name, value, response.status_code)
    page = response.content.decode()
    if text_field.says_why:
        assert escape(message) in page, (text_field.name, value)
    if PAGES[key].keeps_text and text_field.shows_typed:
        assert escape(typed) in page, f"{text_field.name}: what was typed is not shown again"


# The tests ------------------------------------------------------------------------------------

def test_every_form_with_a_text_field_says_how_to_reach_it() -> None:
    with_text = set()
    for name in _form_modules():
        module = importlib.import_module(name)
        for _name, cls in inspect.getmembers(module, inspect.isclass):
            if (issubclass(cls, forms.BaseForm) and cls.__module__ == name
                    and any(_is_free_text(form_field)
                            for form_field in cls.base_fields.values())):
                with_text.add(cls)
    with_text.add(support_forms.ProgrammeSettingsForm)  # its per-place fields come later

    assert with_text == {key for key in PAGES if isinstance(key, type)}, (
        "add the form to PAGES (a submission that would succeed), or drop one that is gone")


@pytest.mark.parametrize("key", KEYS, ids=_key_id)
def test_the_submission_of_each_page_succeeds(world: World, key: Any, failed_tasks: list[str],
                                              django_capture_on_commit_callbacks: Any) -> None:
    # Unchanged, each submission in PAGES works: so a refusal below is the text's doing.
    _call, response = _attempt(world, key, lambda call: (None, None),
                               django_capture_on_commit_callbacks)

    assert response.status_code in (200, 302), response.content[:500]
    form = (response.context or {}).get("form") if response.status_code == 200 else None
    assert not getattr(form, "errors", None), form.errors
    assert not failed_tasks


# A field a form adds in __init__ (a place's crisis resources) is named once set up.
LATER = TextField("(added by the form)", True, True, True, True)
FIELD_CASES = [(key, text_field) for key in KEYS
               for text_field in text_fields(key, Call(Client(), "", {}))]
FIELD_CASES.append((support_forms.ProgrammeSettingsForm, LATER))


def _name(call: Call, text_field: TextField) -> str:
    return next(iter(call.extra_fields)) if text_field is LATER else text_field.name


@pytest.mark.parametrize(("key", "text_field"), FIELD_CASES,
                         ids=[f"{_key_id(key)}.{f.name}" for key, f in FIELD_CASES])
def test_a_character_that_cannot_be_stored_is_refused_beside_the_field_and_kept(
        world: World, key: Any, text_field: TextField, failed_tasks: list[str],
        django_capture_on_commit_callbacks: Any) -> None:
    values = ["Dear\x00team", "look \ufffe here", "bell\x07"]
    if not text_field.multiline:
        values.append("Quiz\r\nBcc: x@example.org")
    for value in values:
        _call, response = _attempt(world, key,
                                   lambda call, v=value: (_name(call, text_field), v),
                                   django_capture_on_commit_callbacks)

        assert response.status_code < 500
        assert_refused_and_kept(key, text_field, value, response)
    assert not failed_tasks


AWKWARD = st.sampled_from(["\x00", "\ud800", "\ufffe", "a\r\nb", "\x85", "\u2028", "\t",
                           "\ufffd", "🙂", " ", "<b>&amp;</b>", "'\""])
TEXT = st.one_of(
    st.text(st.characters(codec=None), max_size=30),
    st.builds(lambda before, odd, after: before + odd + after,
              st.text(max_size=8), AWKWARD, st.text(max_size=8)),
    AWKWARD,
)


@pytest.mark.parametrize("key", KEYS, ids=_key_id)
@settings(max_examples=20, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_any_text_in_any_page_field_never_fails_and_never_fails_a_task(
        world: World, key: Any, data: st.DataObject, failed_tasks: list[str],
        django_capture_on_commit_callbacks: Any) -> None:
    chosen: dict[str, Any] = {}

    def pick(call: Call) -> tuple[str, str]:
        chosen["field"] = data.draw(st.sampled_from(text_fields(key, call)), label="field")
        chosen["value"] = data.draw(TEXT, label="text")
        return chosen["field"].name, chosen["value"]

    _call, response = _attempt(world, key, pick, django_capture_on_commit_callbacks)

    assert response.status_code < 500
    assert_refused_and_kept(key, chosen["field"], chosen["value"], response)
    assert not failed_tasks
