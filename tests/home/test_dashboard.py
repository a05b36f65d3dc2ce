"""Home as each role's dashboard: live values from data made through the services, the empty
states, and nothing another role must not see."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from haven.activities import services as activities
from haven.activities.models import Activity
from haven.coffee import services as coffee
from haven.core.models import Person, Role
from haven.questions import services as questions
from haven.recognition import services as recognition
from haven.recognition.models import Audience
from haven.support import commitments, conversations, offers
from haven.support.models import Conversation, Offer
from tests.coffee.conftest import joined
from tests.conftest import signed_in
from tests.factories import make_person
from tests.support.conftest import make_supporter, open_request

pytestmark = pytest.mark.django_db

SECTIONS = {
    "colleague": "role-colleague",
    Role.SUPPORTER: "role-supporter",
    Role.COORDINATOR: "role-coordinator",
    Role.CASE_HANDLER: "role-case-handler",
    Role.ADMINISTRATOR: "role-administrator",
}


def home(person: Person) -> str:
    response = signed_in(person).get("/")
    assert response.status_code == 200
    return response.content.decode()


def talking(colleague: Person, supporter: Person, **overrides: object) -> Conversation:
    """A request SUPPORTER (the only one who fits) has accepted."""
    support_request = open_request(colleague, **overrides)
    offer = support_request.offers.get(state=Offer.State.PENDING)
    assert offer.supporter_id == supporter.pk
    return offers.accept_offer(offer=offer, supporter=supporter)


def send(conversation: Conversation, sender: Person, text: str = "Thank you.") -> None:
    conversations.send_message(conversation=conversation, sender=sender,
                               client_id=uuid.uuid4(), text=text)


def propose(organiser: Person, title: str, days: int = 7) -> Activity:
    start = timezone.now() + timedelta(days=days)
    return activities.propose(organiser=organiser, title=title, description="Together.",
                              starts_at=start, ends_at=start + timedelta(hours=2),
                              time_zone="Europe/London", place="Room 4", capacity=10)


# Which sections ---------------------------------------------------------------------------------

@pytest.mark.parametrize("roles", [(), (Role.SUPPORTER,), (Role.COORDINATOR,),
                                   (Role.CASE_HANDLER,), (Role.ADMINISTRATOR,),
                                   (Role.SUPPORTER, Role.COORDINATOR)])
def test_home_shows_a_section_for_each_role_held(roles: tuple[str, ...]) -> None:
    person = make_person(*roles)

    body = home(person)

    shown = {role for role, anchor in SECTIONS.items() if f'id="{anchor}"' in body}
    assert shown == {"colleague", *roles}
    assert f"Welcome, {person.name}" in body
    assert 'href="/support/new/"' in body  # the primary action, for everyone


def test_home_needs_sign_in() -> None:
    response = Client().get("/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/"


# Colleague -------------------------------------------------------------------------------------

def test_a_new_colleague_sees_each_empty_state() -> None:
    body = home(make_person())

    for empty in ["No conversations yet.", "No coffee planned.",
                  "You have not signed up for an upcoming activity.",
                  "No thanks in the last 30 days.", "No open questions yet."]:
        assert empty in body


def test_a_colleague_sees_their_conversations_and_unanswered_replies() -> None:
    colleague = make_person()
    supporter = make_supporter(name="Sam Supporter")
    conversation = talking(colleague, supporter)
    body = home(colleague)
    assert "1 conversation" in body and "0 with a reply you have not answered" in body
    assert f'href="/conversations/{conversation.pk}/"' in body
    assert "with Sam Supporter" in body and "reply waiting" not in body

    send(conversation, supporter)

    body = home(colleague)
    assert "1 with a reply you have not answered" in body and "reply waiting" in body
    assert "Thank you." not in body  # no message text on Home

    send(conversation, colleague, "And thanks again.")
    assert "0 with a reply you have not answered" in home(colleague)


def test_a_colleague_sees_their_next_coffee_in_their_time_zone_and_with_whom() -> None:
    me = joined(name="Ada Lovelace")
    joined(name="Grace Hopper")

    coffee.run_round(run_by=make_person(Role.COORDINATOR))

    body = home(me)
    assert "No coffee planned." not in body
    assert "with Grace Hopper" in body
    assert "(Europe/London)" in body  # the factories' locations are in London


def test_a_colleague_sees_activities_they_signed_up_for_and_a_couple_to_join() -> None:
    organiser = make_person(Role.COORDINATOR)
    colleague = make_person()
    picnic, walk = propose(organiser, "Picnic"), propose(organiser, "Walk", days=3)
    for title in ["Quiz", "Choir", "Book club"]:
        propose(organiser, title, days=10)
    activities.sign_up(person=colleague, activity=picnic)

    body = home(colleague)

    mine = body.split("You might join:")[0]
    assert f'href="/activities/{picnic.pk}/">Picnic</a>' in mine
    suggestions = body.split("You might join:")[1].split("All activities")[0]
    assert f'href="/activities/{walk.pk}/">Walk</a>' in suggestions
    assert suggestions.count("<li>") == 2  # a couple, not every activity
    assert "Picnic" not in suggestions


def test_a_colleague_sees_thanks_they_received_and_not_others() -> None:
    colleague = make_person(name="Rosa Recipient")
    giver = make_person(name="Gil Giver")
    recognition.give_recognition(giver=giver, message="Thanks for covering my shift!",
                                 audience=Audience.ORGANISATION,
                                 recipient_email=colleague.email)
    recognition.give_recognition(giver=giver, message="Great demo.",
                                 audience=Audience.ORGANISATION,
                                 recipient_email=make_person().email)

    body = home(colleague)

    assert "1 in the last 30 days" in body and "From Gil Giver" in body


def test_a_colleague_sees_open_questions_to_vote_on() -> None:
    coordinator = make_person(Role.COORDINATOR)
    question = questions.ask(person=make_person(), text="Can we have quiet rooms?",
                             anonymous=False)
    questions.moderate(moderator=coordinator, question=question, publish=True)
    waiting = questions.ask(person=make_person(), text="Why no bonus?", anonymous=False)

    body = home(make_person())

    assert "Can we have quiet rooms?" in body and "0 votes" in body
    assert waiting.text not in body  # not published yet


# Supporter -------------------------------------------------------------------------------------

def test_a_supporter_sees_offers_with_their_expiry_under_the_pseudonym() -> None:
    supporter = make_supporter()
    colleague = make_person(name="Priya Private")
    request = open_request(colleague, use_pseudonym=True)

    body = home(supporter)

    pseudonym = request.display_name_for_supporter()
    assert pseudonym and f"from {pseudonym}" in body and "answer by" in body
    assert "Priya Private" not in body
    assert "No requests are waiting for you." not in body


def test_a_supporter_sees_conversations_awaiting_their_reply_under_the_pseudonym() -> None:
    supporter = make_supporter()
    colleague = make_person(name="Priya Private")
    conversation = talking(colleague, supporter, use_pseudonym=True)

    body = home(supporter)

    assert "1 conversation where the colleague wrote last" in body  # the first message
    assert conversation.request.display_name_for_supporter() in body
    assert "Priya Private" not in body and "I am not sure where to start." not in body

    send(conversation, supporter)
    assert "No conversation is waiting for your reply." in home(supporter)


def test_a_supporter_sees_commitments_due_and_overdue_without_what_was_promised() -> None:
    supporter = make_supporter()
    conversation = talking(make_person(), supporter)
    now = timezone.now()
    commitments.record_commitment(conversation=conversation, supporter=supporter,
                                  what="Call HR for you", due_at=now + timedelta(hours=5))
    commitments.record_commitment(conversation=conversation, supporter=supporter,
                                  what="Send the policy", due_at=now + timedelta(days=9))
    overdue = commitments.record_commitment(conversation=conversation, supporter=supporter,
                                            what="Check in", due_at=now + timedelta(hours=1))
    type(overdue).objects.filter(pk=overdue.pk).update(due_at=now - timedelta(hours=1))

    body = home(supporter)

    assert "2 overdue or due in the next two days" in body
    assert body.count("overdue</span>") == 1
    assert "Call HR" not in body and "Check in" not in body


def test_a_supporter_sees_their_practice_progress_and_certification() -> None:
    body = home(make_supporter(approved=False))
    assert "0 of 10 scenarios practised." in body and "Not certified yet." in body

    assert "Certified." in home(make_supporter(approved=True))


def test_a_supporter_without_anything_sees_the_empty_states() -> None:
    body = home(make_person(Role.SUPPORTER))

    for empty in ["Set up your supporter profile", "No requests are waiting for you.",
                  "You have no conversations yet.", "Nothing due in the next two days."]:
        assert empty in body


# Coordinator -----------------------------------------------------------------------------------

def test_a_coordinator_sees_alerts_for_capacity_and_moderation() -> None:
    coordinator = make_person(Role.COORDINATOR)
    supporter = make_supporter(name="Fay Full", capacity=1)
    talking(make_person(), supporter)
    questions.ask(person=make_person(), text="When is the offsite?", anonymous=False)
    recognition.give_recognition(giver=make_person(), message="Thanks for nothing, genius.",
                                 audience=Audience.ORGANISATION,
                                 recipient_email=make_person().email)

    body = home(coordinator)

    assert "Fay Full: 1 of 1" in body
    assert 'Questions waiting in moderation:</a> <strong>1</strong>' in body
    assert 'Recognition and comments waiting in moderation:</a> <strong>1</strong>' in body
    assert "nothing waits in moderation." not in body


def test_a_coordinator_sees_small_figures_hidden() -> None:
    coordinator = make_person(Role.COORDINATOR)
    support_request = open_request(make_person())  # no supporter fits: it waits
    type(support_request).objects.filter(pk=support_request.pk).update(
        first_response_due=timezone.now() - timedelta(hours=1))

    body = home(coordinator)

    past = body.split("without a supporter:</a>")[1][:40]
    assert "<strong>hidden</strong>" in past  # one colleague: fewer than k
    assert "No answered requests yet." in body
    assert "Too few colleagues have asked for support yet" in body


def test_a_coordinator_sees_the_response_chart_once_groups_are_big_enough() -> None:
    coordinator = make_person(Role.COORDINATOR)
    supporter = make_supporter(capacity=10)
    for _ in range(5):
        send(talking(make_person(), supporter), supporter)

    body = home(coordinator)

    assert 'id="home-response-chart-title"' in body and "&lt; 1 h" in body
    by_state = body.split('id="home-by-state-chart-title"')[1].split("</svg>")[0]
    assert ">Talking</text>" in by_state and ">5</text>" in by_state


def test_a_quiet_programme_has_nothing_for_the_coordinator() -> None:
    body = home(make_person(Role.COORDINATOR))

    assert "No supporter is at capacity and nothing waits in moderation." in body
    assert "at or over their capacity:</a> <strong>0</strong>" in body
    assert "No requests yet." in body


def test_a_closed_conversation_waits_for_nobody() -> None:
    colleague, supporter = make_person(), make_supporter()
    answered = talking(colleague, supporter)
    send(answered, supporter)
    unanswered = talking(make_person(), supporter)  # the colleague's first message is the last
    assert "1 with a reply you have not answered" in home(colleague)
    assert "1 conversation where the colleague wrote last" in home(supporter)

    conversations.close_conversation(conversation=answered, by=colleague)
    conversations.close_conversation(conversation=unanswered, by=supporter)

    assert "0 with a reply you have not answered" in home(colleague)
    assert "No conversation is waiting for your reply." in home(supporter)
