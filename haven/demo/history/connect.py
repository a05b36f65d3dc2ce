"""Six months of connection, through each app's services: company values, recognitions with
reactions and comments, weekly coffee rounds with meetups reported, past and upcoming
activities with sign-ups and waitlists, and open questions with votes and answers."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from haven.activities import services as activities
from haven.activities.models import ActivitySignup
from haven.coffee import services as coffee
from haven.coffee.models import CoffeeMembership, Frequency, MeetingMode
from haven.coffee.selectors import coffee_settings, schedule_slot
from haven.core.models import Person, Team
from haven.demo.history import texts
from haven.demo.history.clock import move, working_moment
from haven.questions import services as questions
from haven.questions.models import Question
from haven.recognition import comments
from haven.recognition import services as recognition
from haven.recognition.models import Audience, CompanyValue, ReactionKind, Recognition

RECOGNITIONS = 150
WEEKS = 26


def seed_values() -> list[CompanyValue]:
    for name, description in texts.VALUES:
        if not CompanyValue.objects.filter(name=name).exists():
            recognition.add_value(name=name, description=description)
    return list(CompanyValue.objects.order_by("pk"))


def seed_recognition(rng: random.Random, now: datetime, people: list[Person],
                     teams: list[Team], values: list[CompanyValue]) -> None:
    """Recognitions spread over six months (a little busier lately), each with a few
    reactions, some with comments."""
    value_ids = [value.pk for value in values]
    for _ in range(RECOGNITIONS):
        at = working_moment(rng, now - timedelta(days=rng.triangular(1, 182, 1)))
        giver = rng.choice(people)
        chosen = rng.sample(value_ids, rng.choice([1, 1, 2]))
        if rng.random() < 0.12:
            given = recognition.give_recognition(
                giver=giver, message=rng.choice(texts.TEAM_MESSAGES),
                audience=Audience.ORGANISATION, team=rng.choice(teams), value_ids=chosen)
        else:
            recipient = rng.choice([p for p in people if p.pk != giver.pk])
            audience = rng.choices([Audience.ORGANISATION, Audience.TEAM, Audience.PRIVATE],
                                   [6, 3, 1])[0]
            if audience == Audience.TEAM and recipient.team_id is None:
                audience = Audience.ORGANISATION
            given = recognition.give_recognition(
                giver=giver, message=rng.choice(texts.RECOGNITION_MESSAGES),
                audience=audience, recipient_email=recipient.email, value_ids=chosen)
        move(given, created_at=at)
        _react(rng, given, people, at)


def _react(rng: random.Random, given: Recognition, people: list[Person], at: datetime) -> None:
    if given.audience == Audience.PRIVATE:
        if given.recipient is not None:
            reaction_at = at + timedelta(hours=rng.randint(1, 30))
            recognition.toggle_reaction(person=given.recipient, recognition=given,
                                        kind=ReactionKind.THANKS)
            given.reactions.update(created_at=reaction_at)
        return
    for person in rng.sample(people, rng.randint(0, 7)):
        recognition.toggle_reaction(person=person, recognition=given,
                                    kind=rng.choice(ReactionKind.values))
    given.reactions.update(created_at=at + timedelta(hours=rng.randint(1, 48)))
    if rng.random() < 0.3:
        for person in rng.sample(people, rng.randint(1, 2)):
            comments.post_comment(author=person, recognition=given,
                                  message=rng.choice(texts.COMMENTS),
                                  now=at + timedelta(hours=rng.randint(1, 72)))


def seed_coffee(rng: random.Random, now: datetime, people: list[Person]) -> None:
    """About two in three people take part; a round every week for six months (as the
    schedule would have run them), and most groups say whether they met."""
    joined = now - timedelta(days=7 * WEEKS + 14)
    for person in people:
        if rng.random() >= 0.68:
            continue
        remote = rng.random() < 0.35 or person.location is None
        profile = coffee.save_profile(
            person=person, active=True,
            frequency=rng.choices(Frequency.values, [5, 3, 2])[0],
            mode=MeetingMode.REMOTE if remote else MeetingMode.IN_PERSON,
            location=None if remote else person.location)
        move(profile, joined_at=joined)
    current = coffee_settings()
    for week in range(WEEKS, -1, -1):
        moment = now - timedelta(weeks=week)
        day, starts = schedule_slot(moment, current)
        if starts > now:
            continue  # this week's round is still to come: the worker runs it
        pairing_round = coffee.run_round(now=starts, scheduled_for=day,
                                         seed=rng.getrandbits(62))
        for membership in CoffeeMembership.objects.filter(group__round=pairing_round) \
                .select_related("group").order_by("pk"):
            if membership.group.meet_at > now or rng.random() >= 0.75:
                continue
            coffee.answer_met(person=membership.person, group=membership.group,
                              met=rng.random() < 0.85)
            move(membership, answered_at=membership.group.meet_at + timedelta(hours=3))


def seed_activities(rng: random.Random, now: datetime, people: list[Person],
                    organisers: list[Person]) -> None:
    """Eight past activities with feedback, and four to come: two of them full with a
    waitlist."""
    for index, (title, description, place, link) in enumerate(texts.ACTIVITIES * 2):
        upcoming = index >= len(texts.ACTIVITIES) + 4
        if index >= len(texts.ACTIVITIES) + 8:
            break
        starts = (working_moment(rng, now + timedelta(days=3 + 5 * (index % 4)))
                  if upcoming else working_moment(rng, now - timedelta(days=170 - 14 * index)))
        proposed = starts - timedelta(days=rng.randint(10, 20))
        organiser = organisers[index % len(organisers)]
        zone = organiser.time_zone or "Europe/London"
        capacity = rng.choice([6, 8]) if upcoming and index % 2 else rng.choice([12, 20])
        activity = activities.propose(
            organiser=organiser, title=title, description=description, starts_at=starts,
            ends_at=starts + timedelta(hours=rng.choice([1, 2])), time_zone=zone, place=place,
            online_link=link, capacity=capacity, now=min(proposed, now))
        move(activity, created_at=min(proposed, now))
        signed = rng.sample(people, min(len(people), capacity + rng.randint(-4, 4)))
        for number, person in enumerate(signed):
            at = min(proposed + timedelta(hours=2 + number * 5), now, starts - timedelta(hours=1))
            activities.sign_up(person=person, activity=activity, now=at)
        if upcoming:
            continue
        for signup in ActivitySignup.objects.filter(activity=activity, status="going") \
                .select_related("person").order_by("pk"):
            if rng.random() < 0.6:
                activities.give_feedback(person=signup.person, activity=activity,
                                         score=rng.choices([5, 4, 3], [5, 3, 1])[0],
                                         now=activity.ends_at + timedelta(hours=2))


def seed_questions(rng: random.Random, now: datetime, people: list[Person],
                   coordinator: Person) -> None:
    """Questions asked over the months: most published and voted on, some answered (which
    closes the vote), one still waiting for a coordinator."""
    count = len(texts.QUESTIONS)
    for index, (text, answer) in enumerate(texts.QUESTIONS):
        asked = working_moment(rng, now - timedelta(days=160 - index * (150 // count)))
        author = rng.choice(people)
        question = questions.ask(person=author, text=text, anonymous=rng.random() < 0.6)
        move(question, created_at=asked.replace(hour=0, minute=0))
        if index == count - 1:
            continue  # waiting for moderation
        published = questions.moderate(moderator=coordinator, question=question, publish=True,
                                       now=asked + timedelta(hours=3))
        for voter in rng.sample(people, rng.randint(4, 30)):
            questions.vote(person=voter, question=published)
        if answer:
            questions.answer(leader=coordinator, question=Question.objects.get(pk=question.pk),
                             text=answer, now=asked + timedelta(days=rng.randint(3, 12)))

