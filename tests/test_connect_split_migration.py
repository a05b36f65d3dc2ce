"""The split of haven.connect into one app per capability (connect 0008 and each new app's
0001) on a populated database: a row in every table connect owned at 0007, migrated forward,
is in the new app's model with its values and links; going back gives connect its tables
again, rows included."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from haven.activities.models import Activity, ActivityFeedback, ActivitySettings, ActivitySignup
from haven.attributes.models import PersonAttribute, SharedAttribute
from haven.coffee.models import (
    CoffeeBlock,
    CoffeeGroup,
    CoffeeMembership,
    CoffeeProfile,
    CoffeeSettings,
    CoffeeSkip,
    PairingRound,
)
from haven.core.email_kinds import wants_email
from haven.core.models import Person
from haven.questions.models import Question, QuestionKeys, QuestionParticipant, QuestionVote
from haven.recognition.models import (
    DIGEST_EMAIL,
    CompanyValue,
    Reaction,
    Recognition,
    RecognitionComment,
    RecognitionDigest,
    RecognitionPreferences,
)
from haven.vault import crypto
from tests.factories import LocationFactory, make_person

BEFORE = [("connect", "0007_drop_identifying_question_columns")]
WHEN = datetime(2026, 5, 6, 9, 30, tzinfo=UTC)

# Every model connect held at 0007, by the app that owns it now.
MOVED = {
    "coffee": ["CoffeeProfile", "CoffeeBlock", "PairingRound", "CoffeeGroup", "CoffeeMembership",
               "CoffeeSkip", "CoffeeSettings"],
    "attributes": ["SharedAttribute", "PersonAttribute"],
    "activities": ["Activity", "ActivitySettings", "ActivitySignup", "ActivityFeedback"],
    "questions": ["Question", "QuestionVote", "QuestionParticipant", "QuestionKeys"],
    "recognition": ["CompanyValue", "Recognition", "RecognitionComment", "Reaction",
                    "RecognitionPreferences", "RecognitionDigest"],
}


def _migrate(targets: list[tuple[str, str]]) -> Any:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def _latest() -> list[tuple[str, str]]:
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


def _tables() -> set[str]:
    with connection.cursor() as cursor:
        return set(connection.introspection.table_names(cursor))


@pytest.fixture
def at_connect_0007(transactional_db: None) -> Iterator[Any]:
    """The schema as it was before the split; every other test expects the latest schema, so
    it is restored whatever happens here."""
    yield _migrate(BEFORE)
    _migrate(_latest())


def _fill(old: Any, people: list[Person]) -> dict[str, Any]:
    """One row in every table connect owned (two where a link needs them), made with the
    historical models. Returns the ids the checks look for."""
    a, b, c = people
    model = lambda name: old.get_model("connect", name)  # noqa: E731
    place = LocationFactory(name="Leeds", time_zone="Europe/London")
    model("CoffeeProfile").objects.create(person_id=a.pk, active=True, frequency="weekly",
                                          mode="in_person", location_id=place.pk)
    model("CoffeeBlock").objects.create(blocker_id=a.pk, blocked_id=b.pk)
    round_ = model("PairingRound").objects.create(seed=424242, participants=3, groups_made=1,
                                                  unpaired=1, scheduled_for=date(2026, 5, 4))
    group = model("CoffeeGroup").objects.create(round_id=round_.pk, mode="remote", meet_at=WHEN,
                                                time_zone="UTC", starters=[1, 4])
    model("CoffeeMembership").objects.create(group_id=group.pk, person_id=a.pk, met=True)
    model("CoffeeMembership").objects.create(group_id=group.pk, person_id=b.pk)
    model("CoffeeSkip").objects.create(round_id=round_.pk, person_id=c.pk, reason="alone")
    model("CoffeeSettings").objects.create(weekday=3, hour=11, no_repeat_rounds=8)

    attribute = model("SharedAttribute").objects.create(
        name="Caring", question="Do you care for someone?", options=["Yes", "No"])
    model("PersonAttribute").objects.create(person_id=a.pk, attribute_id=attribute.pk,
                                            value="Yes")

    activity = model("Activity").objects.create(
        title="Walk by the canal", starts_at=WHEN, ends_at=WHEN + timedelta(hours=2),
        time_zone="Europe/London", capacity=12, organiser_id=a.pk, sequence=2)
    model("ActivitySettings").objects.create(pk=1, colleagues_may_propose=True)
    model("ActivitySignup").objects.create(activity_id=activity.pk, person_id=b.pk,
                                           status="waitlist")
    model("ActivityFeedback").objects.create(activity_id=activity.pk, person_id=b.pk, score=4)

    vote_key = crypto.create_data_key(purpose="question-votes")
    question = model("Question").objects.create(
        text="Why the new rota?", anonymous=False, author_id=c.pk, status="published",
        vote_key_id=vote_key.pk, vote_count=1, created_at=WHEN.replace(hour=0, minute=0))
    model("QuestionVote").objects.create(question_id=question.pk, voter_tag="tag-of-a-voter")
    model("QuestionParticipant").objects.create(tag="tag-of-a-participant")
    participants = crypto.create_data_key(purpose="question-participants")
    authors = crypto.create_data_key(purpose="question-authors")
    model("QuestionKeys").objects.create(pk=1, participants_id=participants.pk,
                                         authors_id=authors.pk)

    value = model("CompanyValue").objects.create(name="Courage")
    model("CompanyValue").objects.create(name="Care", active=False)
    recognition = model("Recognition").objects.create(
        giver_id=a.pk, recipient_id=b.pk, message="Thank you for covering my shift.",
        audience="private")
    recognition.values.add(value)
    model("RecognitionComment").objects.create(recognition_id=recognition.pk, author_id=c.pk,
                                               message="Well deserved.")
    model("Reaction").objects.create(recognition_id=recognition.pk, person_id=c.pk,
                                     kind="celebrate")
    model("RecognitionPreferences").objects.create(person_id=b.pk, weekly_digest=False)
    model("RecognitionDigest").objects.create(week=date(2026, 5, 4), recipients=17)
    return {"round": round_.pk, "group": group.pk, "attribute": attribute.pk,
            "activity": activity.pk, "question": question.pk, "vote_key": vote_key.pk,
            "participants": participants.pk, "authors": authors.pk, "value": value.pk,
            "recognition": recognition.pk}


def test_every_row_of_every_moved_table_is_in_its_new_app(at_connect_0007: Any) -> None:
    a, b, c = people = [make_person() for _ in range(3)]
    ids = _fill(at_connect_0007, people)
    counts_before = {name: at_connect_0007.get_model("connect", name).objects.count()
                     for names in MOVED.values() for name in names}
    assert all(counts_before.values())  # a row in every table

    _migrate(_latest())

    models = {"CoffeeProfile": CoffeeProfile, "CoffeeBlock": CoffeeBlock,
              "PairingRound": PairingRound, "CoffeeGroup": CoffeeGroup,
              "CoffeeMembership": CoffeeMembership, "CoffeeSkip": CoffeeSkip,
              "CoffeeSettings": CoffeeSettings, "SharedAttribute": SharedAttribute,
              "PersonAttribute": PersonAttribute, "Activity": Activity,
              "ActivitySettings": ActivitySettings, "ActivitySignup": ActivitySignup,
              "ActivityFeedback": ActivityFeedback, "Question": Question,
              "QuestionVote": QuestionVote, "QuestionParticipant": QuestionParticipant,
              "QuestionKeys": QuestionKeys, "CompanyValue": CompanyValue,
              "Recognition": Recognition, "RecognitionComment": RecognitionComment,
              "Reaction": Reaction, "RecognitionPreferences": RecognitionPreferences,
              "RecognitionDigest": RecognitionDigest}
    assert {name: model.objects.count() for name, model in models.items()} == counts_before
    for app, names in MOVED.items():
        assert {models[name]._meta.app_label for name in names} == {app}

    profile = CoffeeProfile.objects.get(person=a)
    assert (profile.frequency, profile.mode, profile.location.name) == ("weekly", "in_person",
                                                                        "Leeds")
    assert CoffeeBlock.objects.get().blocked == b
    group = CoffeeGroup.objects.get(pk=ids["group"])
    assert (group.round.seed, group.starters, group.meet_at) == (424242, [1, 4], WHEN)
    assert {(m.person, m.met) for m in group.memberships.all()} == {(a, True), (b, None)}
    assert CoffeeSkip.objects.get().reason == "alone"
    assert PairingRound.objects.get(pk=ids["round"]).skips.get().person == c
    assert (CoffeeSettings.objects.get().weekday, CoffeeSettings.objects.get().hour) == (3, 11)

    answer = PersonAttribute.objects.get()
    assert (answer.person, answer.attribute.options, answer.value) == (a, ["Yes", "No"], "Yes")

    activity = Activity.objects.get(pk=ids["activity"])
    assert (activity.title, activity.organiser, activity.sequence) == ("Walk by the canal", a, 2)
    assert activity.signups.get().status == "waitlist"
    assert activity.feedback.get().score == 4
    assert ActivitySettings.objects.get(pk=1).colleagues_may_propose is True

    question = Question.objects.get(pk=ids["question"])
    assert (question.text, question.author, question.vote_key_id) == (
        "Why the new rota?", c, ids["vote_key"])
    assert list(question.votes.values_list("voter_tag", flat=True)) == ["tag-of-a-voter"]
    assert QuestionParticipant.objects.get().tag == "tag-of-a-participant"
    keys = QuestionKeys.objects.get(pk=1)
    assert (keys.participants_id, keys.authors_id) == (ids["participants"], ids["authors"])

    recognition = Recognition.objects.get(pk=ids["recognition"])
    assert (recognition.giver, recognition.recipient, recognition.audience) == (a, b, "private")
    assert [v.pk for v in recognition.values.all()] == [ids["value"]]  # the link table moved
    assert recognition.comments.get().author == c
    assert recognition.reactions.get().kind == "celebrate"
    # The "no digest" choice is now core's opt-out of that e-mail (recognition 0002).
    assert RecognitionPreferences.objects.filter(person=b).exists()
    assert not wants_email(person_id=b.pk, kind=DIGEST_EMAIL.key)
    assert RecognitionDigest.objects.get().recipients == 17

    # The tables carry their new apps' names; connect keeps none, and new rows get new ids.
    tables = _tables()
    assert {model._meta.db_table for model in models.values()} <= tables
    assert "recognition_recognition_values" in tables
    assert not {table for table in tables if table.startswith("connect_")}
    assert CompanyValue.objects.create(name="Candour").pk > ids["value"]
    assert Activity.objects.create(
        title="Quiz", starts_at=WHEN, ends_at=WHEN + timedelta(hours=1), time_zone="UTC",
        capacity=5).pk > ids["activity"]


def test_going_back_gives_connect_its_tables_and_rows_again(at_connect_0007: Any) -> None:
    people = [make_person() for _ in range(3)]
    ids = _fill(at_connect_0007, people)
    _migrate(_latest())

    old = _migrate(BEFORE)

    assert old.get_model("connect", "Recognition").objects.get(
        pk=ids["recognition"]).values.get().name == "Courage"
    assert old.get_model("connect", "Activity").objects.get(
        pk=ids["activity"]).title == "Walk by the canal"
    assert old.get_model("connect", "CoffeeMembership").objects.count() == 2
    tables = _tables()
    assert {"connect_recognition", "connect_recognition_values", "connect_question"} <= tables
    assert not {"coffee_coffeeprofile", "activities_activity", "questions_question",
                "recognition_recognition", "attributes_sharedattribute"} & tables
