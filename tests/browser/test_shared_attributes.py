"""An administrator defines an attribute people may share; a colleague shares an answer from
their profile and withdraws it. Every page has 0 axe-core violations under the strict CSP."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from haven.attributes import services as attributes
from haven.attributes.models import PersonAttribute, SharedAttribute
from haven.core.models import Role
from tests.browser.helpers import (
    AxeChecker,
    BrowserErrors,
    expect_heading,
    nav_link,
    path_of,
    sign_in,
)
from tests.factories import make_person

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_administrator_defines_an_attribute(page: Page, live_server: LiveServer,
                                               axe: AxeChecker,
                                               browser_errors: BrowserErrors) -> None:
    violations: list[str] = []
    sign_in(page, live_server, make_person(Role.ADMINISTRATOR))

    nav_link(page, "Shared attributes").click()
    expect_heading(page, "Shared attributes")
    expect(page.get_by_text("No attributes yet")).to_be_visible()
    violations += axe.violations(page)

    page.get_by_label("Name").fill("Working pattern")
    page.get_by_label("Question people see").fill("How do you usually work?")
    page.get_by_label("Answers to choose from, one a line").fill("Full time")
    browser_errors.allow("400")  # the refused form answers 400 Bad Request
    page.get_by_role("button", name="Add the attribute").click()
    expect(page.get_by_text("Give at least 2 answers").first).to_be_visible()
    expect(page.get_by_label("Name")).to_have_value("Working pattern")
    violations += axe.violations(page)

    page.get_by_label("Answers to choose from, one a line").fill("Full time\nPart time")
    page.get_by_role("button", name="Add the attribute").click()
    expect(page.get_by_text("Attribute added.")).to_be_visible()
    expect(page.get_by_role("row", name="Working pattern")).to_be_visible()
    violations += axe.violations(page)

    page.get_by_role("link", name="Change Working pattern").click()
    expect_heading(page, "Change “Working pattern”")
    page.get_by_label("Answers to choose from, one a line").fill("Full time\nCompressed hours")
    page.get_by_role("button", name="Save the changes").click()
    expect(page.get_by_text("You are removing “Part time”").first).to_be_visible()
    violations += axe.violations(page)

    assert SharedAttribute.objects.get().options == ["Full time", "Part time"]
    assert not violations, "axe-core found violations:\n" + "\n".join(violations)


def test_a_colleague_shares_and_withdraws_an_answer(page: Page, live_server: LiveServer,
                                                    axe: AxeChecker) -> None:
    attribute = attributes.define_attribute(
        actor=make_person(Role.ADMINISTRATOR), name="Working pattern",
        question="How do you usually work?", options=["Full time", "Part time", "Shifts"])
    person = make_person()
    violations: list[str] = []
    sign_in(page, live_server, person)

    page.goto(f"{live_server.url}/profile/")
    page.get_by_role("link", name="What I share about myself").click()
    expect_heading(page, "What I share about myself")
    expect(page.get_by_text("Nobody sees your answer")).to_be_visible()
    expect(page.get_by_role("radio", name="Prefer not to say")).to_be_checked()
    violations += axe.violations(page)

    page.get_by_role("radio", name="Part time").check()
    page.get_by_role("button", name="Save my answers").click()
    assert path_of(page) == "/profile/shared/"
    expect(page.get_by_text("Saved. Only you can see your answers.")).to_be_visible()
    expect(page.get_by_role("cell", name="Part time", exact=True)).to_be_visible()
    expect(page.get_by_role("radio", name="Part time")).to_be_checked()
    violations += axe.violations(page)
    assert PersonAttribute.objects.get(person=person, attribute=attribute).value == "Part time"

    page.get_by_role("button", name="Withdraw my answer about Working pattern").click()
    expect(page.get_by_text("Withdrawn and deleted.")).to_be_visible()
    expect(page.get_by_text("You have shared nothing.")).to_be_visible()
    expect(page.get_by_role("radio", name="Prefer not to say")).to_be_checked()
    violations += axe.violations(page)

    assert not PersonAttribute.objects.filter(person=person).exists()
    assert not violations, "axe-core found violations:\n" + "\n".join(violations)


def test_a_coordinator_reads_the_breakdown_by_attribute(page: Page, live_server: LiveServer,
                                                        axe: AxeChecker) -> None:
    attribute = attributes.define_attribute(
        actor=make_person(Role.ADMINISTRATOR), name="Working pattern",
        question="How do you usually work?", options=["Full time", "Part time"])
    for _ in range(6):
        attributes.save_answers(person=make_person(), answers={attribute.pk: "Full time"})
    sign_in(page, live_server, make_person(Role.COORDINATOR))

    page.goto(f"{live_server.url}/recognition/insight/")
    expect(page.get_by_role("heading", name="By working pattern")).to_be_visible()
    expect(page.get_by_role("table", name="Reach by Working pattern")).to_be_visible()
    expect(page.get_by_role("img", name="People in a coffee group each week")).to_be_visible()
    axe.assert_accessible(page)
