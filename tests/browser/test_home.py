"""Each role's Home, with live data in every section, has 0 axe violations and fits a 390 px
phone as well as a 1280 px screen."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page
from pytest_django.live_server_helper import LiveServer

from haven.activities import services as activities
from haven.coffee import services as coffee
from haven.core.models import Person, Role
from haven.questions import services as questions
from haven.recognition import services as recognition
from haven.recognition.models import Audience
from haven.support import commitments
from tests.browser.helpers import AxeChecker, sign_in
from tests.coffee.conftest import joined
from tests.factories import make_person
from tests.home.test_dashboard import propose, send, talking
from tests.support.conftest import make_supporter, open_request

pytestmark = pytest.mark.django_db(transaction=True)

SCREENS = [(1280, 800), (390, 844)]
TOO_WIDE = "() => document.scrollingElement.scrollWidth > window.innerWidth"


def programme() -> tuple[Person, Person]:
    """A colleague and a supporter with something in every section of their Home."""
    coordinator = make_person(Role.COORDINATOR)
    supporter = make_supporter(capacity=1)
    colleague = joined(make_person())
    joined()
    coffee.run_round(run_by=coordinator)
    conversation = talking(colleague, supporter, use_pseudonym=True)
    send(conversation, supporter)
    send(conversation, colleague, "Thanks, that helps.")
    commitments.record_commitment(conversation=conversation, supporter=supporter,
                                  what="Check in", due_at=timezone.now() + timedelta(hours=3))
    open_request(make_person())  # waits: the only supporter is full
    activities.sign_up(person=colleague, activity=propose(coordinator, "Picnic in the park"))
    propose(coordinator, "Book club", days=9)
    recognition.give_recognition(giver=make_person(), message="Thank you for the help!",
                                 audience=Audience.ORGANISATION,
                                 recipient_email=colleague.email)
    question = questions.ask(person=make_person(), text="Can we have quiet rooms?",
                             anonymous=False)
    questions.moderate(moderator=coordinator, question=question, publish=True)
    questions.ask(person=make_person(), text="When is the offsite?", anonymous=False)
    return colleague, supporter


@pytest.mark.parametrize("role", ["colleague", *Role.values], ids=str)
def test_each_roles_home_with_data_is_accessible_on_a_desktop_and_a_phone(
        page: Page, live_server: LiveServer, axe: AxeChecker, role: str) -> None:
    colleague, supporter = programme()
    person = {"colleague": colleague, Role.SUPPORTER: supporter}.get(role) or make_person(role)
    sign_in(page, live_server, person)
    found = []
    for width, height in SCREENS:
        page.set_viewport_size({"width": width, "height": height})
        response = page.goto(f"{live_server.url}/")
        assert response is not None and response.status == 200
        found += [f"{width} px: {violation}" for violation in axe.violations(page)]
        assert not page.evaluate(TOO_WIDE), f"Home is wider than a {width} px screen"
    assert not found, "axe-core found violations:\n" + "\n".join(found)
