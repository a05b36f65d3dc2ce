"""Attributes people choose to share: administrators' definitions (validated; removing an answer
asks first and withdraws it), each colleague's own answers (optional, withdrawable), and that
nobody else ever sees an individual answer — not on a page, in the API, the audit log or logs."""

from __future__ import annotations

import json
import logging

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from haven.attributes import services as attributes
from haven.attributes.models import PersonAttribute, SharedAttribute
from haven.core.models import AuditAction, AuditEvent, Person, Role
from tests.conftest import signed_in
from tests.factories import make_person

pytestmark = pytest.mark.django_db

PATTERN = ["Full time", "Part time", "Compressed hours"]


def _define(name: str = "Working pattern", options: list[str] | None = None) -> SharedAttribute:
    return attributes.define_attribute(actor=make_person(Role.ADMINISTRATOR), name=name,
                                       question="How do you usually work?",
                                       options=options or PATTERN)


def _answer(person: Person, attribute: SharedAttribute, value: str | None) -> None:
    attributes.save_answers(person=person, answers={attribute.pk: value})


def _answers(attribute: SharedAttribute) -> dict[int, str]:
    return dict(PersonAttribute.objects.filter(attribute=attribute)
                .values_list("person_id", "value"))


# Options --------------------------------------------------------------------------------------

def test_options_are_trimmed_and_blank_lines_skipped() -> None:
    assert attributes.clean_options(["  Full   time ", "", "   ", "Part time\r"]) == [
        "Full time", "Part time"]


@pytest.mark.parametrize(("lines", "message"), [
    (["Only one"], "at least 2 answers"),
    (["", "  "], "at least 2 answers"),
    ([f"Answer {n}" for n in range(21)], "at most 20 answers; this has 21"),
    (["Yes", "x" * 81], "Keep each answer to 80 characters"),
    (["Part time", "part  TIME"], "“part TIME” is listed twice"),
    (["Yes", "No", "Prefer not to say"], "Leave out “Prefer not to say”"),
])
def test_bad_options_are_refused_with_a_specific_message(lines: list[str], message: str) -> None:
    with pytest.raises(ValidationError) as refused:
        attributes.clean_options(lines)
    assert message in refused.value.message_dict["options"][0]


def test_twenty_answers_of_eighty_characters_are_accepted() -> None:
    lines = [f"{n:02d}" + "x" * 78 for n in range(20)]
    assert attributes.clean_options(lines) == lines


# Definitions ----------------------------------------------------------------------------------

def test_defining_validates_every_field_and_saves_nothing_on_error() -> None:
    admin = make_person(Role.ADMINISTRATOR)
    with pytest.raises(ValidationError) as refused:
        attributes.define_attribute(actor=admin, name=" ", question="", options=["One"])
    assert set(refused.value.message_dict) == {"name", "question", "options"}
    _define()
    with pytest.raises(ValidationError) as twin:
        attributes.define_attribute(actor=admin, name="working PATTERN", question="Again?",
                                    options=PATTERN)
    assert "already an attribute of that name" in twin.value.message_dict["name"][0]
    assert SharedAttribute.objects.count() == 1


def test_defining_is_audited_without_any_text() -> None:
    attribute = _define()
    event = AuditEvent.objects.get(object_type="shared_attribute")
    assert event.action == AuditAction.PROGRAMME_SETTINGS_CHANGED
    assert event.object_id == str(attribute.pk) and event.detail == {"change": "created"}


def test_rewording_the_question_keeps_every_answer() -> None:
    attribute = _define()
    person = make_person()
    _answer(person, attribute, "Part time")

    removed = attributes.edit_attribute(actor=make_person(Role.ADMINISTRATOR),
                                        attribute_id=attribute.pk, name="Working pattern",
                                        question="What is your working pattern?",
                                        options=[*PATTERN, "Shifts"])

    attribute.refresh_from_db()
    assert removed == [] and attribute.question == "What is your working pattern?"
    assert attribute.options == [*PATTERN, "Shifts"]
    assert _answers(attribute) == {person.pk: "Part time"}


def test_removing_an_answer_asks_first_and_changes_nothing_until_confirmed() -> None:
    attribute = _define()
    part, full = make_person(), make_person()
    _answer(part, attribute, "Part time")
    _answer(full, attribute, "Full time")
    admin = make_person(Role.ADMINISTRATOR)
    audited = AuditEvent.objects.count()

    with pytest.raises(ValidationError) as asked:
        attributes.edit_attribute(actor=admin, attribute_id=attribute.pk, name="Renamed",
                                  question="New?", options=["Full time", "Compressed hours"])
    assert "You are removing “Part time”" in asked.value.message_dict["withdraw_removed"][0]
    attribute.refresh_from_db()
    assert (attribute.name, attribute.options) == ("Working pattern", PATTERN)
    assert _answers(attribute) == {part.pk: "Part time", full.pk: "Full time"}
    assert AuditEvent.objects.count() == audited

    removed = attributes.edit_attribute(
        actor=admin, attribute_id=attribute.pk, name="Renamed", question="New?",
        options=["Full time", "Compressed hours"], withdraw_removed=True)

    attribute.refresh_from_db()
    assert removed == ["Part time"]
    assert attribute.options == ["Full time", "Compressed hours"]
    assert _answers(attribute) == {full.pk: "Full time"}
    event = AuditEvent.objects.filter(object_type="shared_attribute").first()
    assert event is not None and event.detail == {"change": "edited", "options_removed": 1}


def test_removing_an_answer_nobody_chose_asks_too_so_the_question_reveals_nothing() -> None:
    attribute = _define()
    with pytest.raises(ValidationError):
        attributes.edit_attribute(actor=make_person(Role.ADMINISTRATOR),
                                  attribute_id=attribute.pk, name="Working pattern",
                                  question="?", options=["Full time", "Part time"])


def test_stopping_an_attribute_keeps_answers_and_offering_it_again_restores_it() -> None:
    attribute = _define()
    person = make_person()
    _answer(person, attribute, "Part time")
    admin = make_person(Role.ADMINISTRATOR)

    assert attributes.set_attribute_active(actor=admin, attribute_id=attribute.pk, active=False)
    with pytest.raises(ValidationError) as refused:
        _answer(person, attribute, "Full time")
    assert "no longer asked" in str(refused.value)
    assert _answers(attribute) == {person.pk: "Part time"}
    assert attributes.set_attribute_active(actor=admin, attribute_id=attribute.pk, active=True)
    assert not attributes.set_attribute_active(actor=admin, attribute_id=10**9, active=True)
    changes = list(AuditEvent.objects.filter(object_type="shared_attribute")
                   .values_list("detail", flat=True))
    assert {"change": "deactivated"} in changes and {"change": "reactivated"} in changes


# Answers ---------------------------------------------------------------------------------------

def test_answering_changing_and_prefer_not_to_say() -> None:
    attribute = _define()
    person = make_person()
    _answer(person, attribute, "Part time")
    _answer(person, attribute, "Full time")
    assert _answers(attribute) == {person.pk: "Full time"}
    _answer(person, attribute, None)
    assert _answers(attribute) == {}


def test_an_answer_not_offered_is_refused_and_nothing_is_saved() -> None:
    pattern, caring = _define(), _define("Caring", ["Yes", "No"])
    person = make_person()
    with pytest.raises(ValidationError) as refused:
        attributes.save_answers(person=person,
                                answers={caring.pk: "Yes", pattern.pk: "Weekends only"})
    assert list(refused.value.message_dict) == [attributes.field_name(pattern.pk)]
    assert not PersonAttribute.objects.exists()


def test_withdrawing_one_or_everything_touches_only_ones_own_answers() -> None:
    pattern, caring = _define(), _define("Caring", ["Yes", "No"])
    person, other = make_person(), make_person()
    for someone in (person, other):
        attributes.save_answers(person=someone, answers={pattern.pk: "Part time",
                                                         caring.pk: "Yes"})

    assert attributes.withdraw(person=person, attribute_id=caring.pk) == 1
    assert attributes.withdraw(person=person, attribute_id=caring.pk) == 0
    assert set(PersonAttribute.objects.filter(person=person)
               .values_list("attribute_id", flat=True)) == {pattern.pk}
    assert attributes.withdraw(person=person) == 1
    assert not PersonAttribute.objects.filter(person=person).exists()
    assert PersonAttribute.objects.filter(person=other).count() == 2


def test_answers_are_never_audited() -> None:
    attribute = _define()
    before = AuditEvent.objects.count()
    person = make_person()
    _answer(person, attribute, "Part time")
    attributes.withdraw(person=person)
    assert AuditEvent.objects.count() == before


# Pages: one's own answers -------------------------------------------------------------------------

def test_the_profile_links_to_what_i_share(as_colleague: Client) -> None:
    assert 'href="/profile/shared/"' in as_colleague.get("/profile/").content.decode()


def test_the_page_explains_who_sees_what_and_has_an_empty_state(as_colleague: Client) -> None:
    body = as_colleague.get("/profile/shared/").content.decode()
    assert "<h1>What I share about myself</h1>" in body
    assert "Nobody sees your answer" in body and "at least 5 people" in body
    assert "asks nothing about you at the moment" in body
    assert "You have shared nothing." in body


def test_a_colleague_shares_and_withdraws_on_their_page() -> None:
    attribute = _define()
    person = make_person()
    client = signed_in(person)
    field = attributes.field_name(attribute.pk)

    page = client.get("/profile/shared/").content.decode()
    assert "How do you usually work?" in page and "Prefer not to say" in page
    assert f'name="{field}" value="" ' in page and "checked" in page  # nothing chosen yet

    response = client.post("/profile/shared/", {field: "Part time"})
    assert response.status_code == 302
    assert _answers(attribute) == {person.pk: "Part time"}
    page = client.get("/profile/shared/").content.decode()
    assert "<td>Part time</td>" in page

    response = client.post("/profile/shared/withdraw/", {"attribute": attribute.pk})
    assert response.status_code == 302 and _answers(attribute) == {}


def test_a_bad_answer_is_refused_and_the_form_keeps_the_other_choices() -> None:
    pattern, caring = _define(), _define("Caring", ["Yes", "No"])
    person = make_person()
    client = signed_in(person)

    response = client.post("/profile/shared/", {attributes.field_name(pattern.pk): "Weekends",
                                                attributes.field_name(caring.pk): "Yes"})

    assert response.status_code == 400
    body = response.content.decode()
    assert "That answer is no longer offered" in body
    assert f'value="Yes" id="id_{attributes.field_name(caring.pk)}_1" checked' in body
    assert not PersonAttribute.objects.exists()


def test_prefer_not_to_say_deletes_the_answer_on_the_page() -> None:
    attribute = _define()
    person = make_person()
    _answer(person, attribute, "Part time")
    signed_in(person).post("/profile/shared/", {attributes.field_name(attribute.pk): ""})
    assert _answers(attribute) == {}


def test_withdrawing_everything_needs_the_tick() -> None:
    attribute = _define()
    person = make_person()
    _answer(person, attribute, "Part time")
    client = signed_in(person)

    response = client.post("/profile/shared/withdraw/", {}, follow=True)
    assert "Tick the box to confirm" in response.content.decode()
    assert _answers(attribute) == {person.pk: "Part time"}
    client.post("/profile/shared/withdraw/", {"everything": "on"})
    assert _answers(attribute) == {}


def test_withdrawing_cannot_reach_another_persons_answer() -> None:
    attribute = _define()
    owner = make_person()
    _answer(owner, attribute, "Part time")
    response = signed_in(make_person()).post("/profile/shared/withdraw/",
                                             {"attribute": attribute.pk}, follow=True)
    assert "nothing to withdraw" in response.content.decode()
    assert _answers(attribute) == {owner.pk: "Part time"}


def test_an_answer_to_a_question_no_longer_asked_is_still_shown_and_withdrawable() -> None:
    attribute = _define()
    person = make_person()
    _answer(person, attribute, "Part time")
    attributes.set_attribute_active(actor=make_person(Role.ADMINISTRATOR),
                                    attribute_id=attribute.pk, active=False)
    client = signed_in(person)
    body = client.get("/profile/shared/").content.decode()
    assert "no longer asked" in body and "<td>Part time</td>" in body
    client.post("/profile/shared/withdraw/", {"attribute": attribute.pk})
    assert _answers(attribute) == {}


@pytest.mark.parametrize("method", ["put", "delete"])
def test_the_pages_refuse_other_methods(as_colleague: Client, as_administrator: Client,
                                        method: str) -> None:
    assert getattr(as_colleague, method)("/profile/shared/").status_code == 405
    assert getattr(as_colleague, method)("/profile/shared/withdraw/").status_code == 405
    assert getattr(as_administrator, method)("/attributes/").status_code == 405
    assert as_colleague.get("/profile/shared/withdraw/").status_code == 405


def test_nobody_else_ever_sees_an_individual_answer(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    attribute = _define(options=["Full time", "Zebra-striped rota"])
    owner = make_person()
    coordinator = make_person(Role.COORDINATOR)
    admin = make_person(Role.ADMINISTRATOR)
    signed_in(owner).post("/profile/shared/", {attributes.field_name(attribute.pk):
                                               "Zebra-striped rota"})
    assert _answers(attribute) == {owner.pk: "Zebra-striped rota"}

    for viewer in (make_person(), coordinator, admin):  # their own page: the choice, unchosen
        page = signed_in(viewer).get("/profile/shared/").content.decode()
        assert "You have shared nothing." in page and "<td>Zebra" not in page
        assert f'value="Zebra-striped rota" id="id_attribute_{attribute.pk}_1" checked' not in page
    for viewer in (coordinator, admin):
        client = signed_in(viewer)
        for path in (f"/directory/{owner.pk}/", "/audit/", f"/api/v1/directory/people/{owner.pk}",
                     "/api/v1/me"):
            response = client.get(path)
            assert response.status_code == (403 if path == "/audit/" and viewer == coordinator
                                            else 200), path
            assert "Zebra" not in response.content.decode(), path
    assert "Zebra" not in json.dumps(list(AuditEvent.objects.values("detail", "object_id")))
    assert "Zebra" not in caplog.text


# Pages: administrators' definitions ---------------------------------------------------------

@pytest.mark.parametrize("path", ["/attributes/", "/attributes/1/"])
def test_the_definitions_are_refused_to_colleagues_and_coordinators(
        as_colleague: Client, as_coordinator: Client, path: str) -> None:
    attribute = _define()
    path = path.replace("1", str(attribute.pk))
    for client in (as_colleague, as_coordinator):
        assert client.get(path).status_code == 403
        assert client.post(path, {"name": "X", "question": "Y",
                                  "options": "A\nB"}).status_code == 403
    assert as_colleague.post(f"/attributes/{attribute.pk}/active/",
                             {"active": "no"}).status_code == 403
    attribute.refresh_from_db()
    assert attribute.active and attribute.name == "Working pattern"


def test_the_definitions_page_suggests_examples_and_creates_none(as_administrator: Client) -> None:
    body = as_administrator.get("/attributes/").content.decode()
    assert "<h1>Shared attributes</h1>" in body
    assert "Caring responsibilities" in body and "Working pattern" in body
    assert "No attributes yet" in body
    assert not SharedAttribute.objects.exists()


def test_an_administrator_defines_an_attribute(as_administrator: Client) -> None:
    response = as_administrator.post("/attributes/", {
        "name": "Caring responsibilities", "question": "Do you care for someone?",
        "options": "I care for a child\nI care for an adult\n\nNo caring responsibilities"})
    assert response.status_code == 302
    attribute = SharedAttribute.objects.get()
    assert attribute.options == ["I care for a child", "I care for an adult",
                                 "No caring responsibilities"]
    assert "Caring responsibilities" in as_administrator.get("/attributes/").content.decode()


def test_a_bad_definition_is_refused_and_what_was_typed_is_kept(as_administrator: Client) -> None:
    response = as_administrator.post("/attributes/", {
        "name": "Caring", "question": "Do you care for someone?", "options": "Only one"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "Give at least 2 answers" in body and 'value="Caring"' in body
    assert 'id="id_options_error"' in body
    assert not SharedAttribute.objects.exists()


def test_editing_on_the_page_asks_before_withdrawing(as_administrator: Client) -> None:
    attribute = _define()
    person = make_person()
    _answer(person, attribute, "Part time")
    form = {"name": "Working pattern", "question": "How do you work?",
            "options": "Full time\nCompressed hours"}

    response = as_administrator.post(f"/attributes/{attribute.pk}/", form)
    assert response.status_code == 400
    assert "You are removing “Part time”" in response.content.decode()
    assert _answers(attribute) == {person.pk: "Part time"}

    response = as_administrator.post(f"/attributes/{attribute.pk}/",
                                     {**form, "withdraw_removed": "on"})
    assert response.status_code == 302 and _answers(attribute) == {}


def test_the_edit_page_shows_the_current_definition_and_404s_for_none(
        as_administrator: Client) -> None:
    attribute = _define()
    body = as_administrator.get(f"/attributes/{attribute.pk}/").content.decode()
    assert "Full time\nPart time\nCompressed hours" in body
    assert as_administrator.get("/attributes/999999/").status_code == 404
    assert as_administrator.post("/attributes/999999/active/", {"active": "no"}).status_code == 404


def test_stopping_and_offering_again_on_the_page(as_administrator: Client) -> None:
    attribute = _define()
    as_administrator.post(f"/attributes/{attribute.pk}/active/", {"active": "no"})
    attribute.refresh_from_db()
    assert not attribute.active
    assert "asks nothing about you" in signed_in(make_person()).get(
        "/profile/shared/").content.decode()
    as_administrator.post(f"/attributes/{attribute.pk}/active/", {"active": "yes"})
    attribute.refresh_from_db()
    assert attribute.active
    assert as_administrator.post(f"/attributes/{attribute.pk}/active/",
                                 {"active": "maybe"}).status_code == 404


def test_the_demo_shares_a_working_pattern_but_not_for_the_demo_colleague() -> None:
    from haven.demo.seed import DEMO_ACCOUNTS, seed_demo
    from haven.insight.report import inclusion_report

    seed_demo(history=False)  # the people and their shared attributes are what matters here
    attribute = SharedAttribute.objects.get(name="Working pattern")
    answered = set(PersonAttribute.objects.filter(attribute=attribute)
                   .values_list("person__email", "value"))
    assert 30 < len(answered) < Person.objects.count()
    assert DEMO_ACCOUNTS[0].email not in {email for email, _value in answered}
    seed_demo(history=False)
    assert set(PersonAttribute.objects.values_list("person__email", "value")) == answered

    rows = {row.label: row for row in inclusion_report(k=5).dimensions[-1].rows}
    assert rows["Full time"].people != "hidden" and rows["Not shared"].people != "hidden"
