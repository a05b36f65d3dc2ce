"""An administrator finds a person's audit events: from the directory, by part of a name with
several matches, and by a name that matches nobody. 0 axe-core violations in each state."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from haven.core.models import AuditAction, AuditEvent, Role
from tests.browser.helpers import AxeChecker, expect_heading, sign_in
from tests.factories import make_person

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_administrator_finds_a_persons_audit_events(page: Page, live_server: LiveServer,
                                                        axe: AxeChecker) -> None:
    violations: list[str] = []
    grace = make_person(name="Grace Quillfeather", email="grace.q@example.org")
    tom = make_person(name="Tom Quillfeather", email="tq@example.org")
    AuditEvent.objects.create(action=AuditAction.TOKEN_CREATED, actor=tom,
                              object_type="token", object_id="41")
    AuditEvent.objects.create(action=AuditAction.TOKEN_CREATED, actor=grace,
                              object_type="token", object_id="42")
    sign_in(page, live_server, make_person(Role.ADMINISTRATOR))

    page.goto(f"/directory/{grace.pk}/")
    page.get_by_role("link", name="Audit events by this person").click()
    expect_heading(page, "Audit log")
    expect(page.get_by_text("Showing events by Grace Quillfeather (grace.q@example.org).")
           ).to_be_visible()
    expect(page.get_by_role("cell", name="token #42")).to_be_visible()
    expect(page.get_by_role("cell", name="token #41")).to_have_count(0)
    violations += axe.violations(page)

    page.get_by_label("Person").fill("quillfeather")
    page.get_by_label("Action").select_option(AuditAction.TOKEN_CREATED)
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_role("heading", name="Several people match “quillfeather”")
           ).to_be_visible()
    expect(page.get_by_text("No events are listed until you choose one of the people above.")
           ).to_be_visible()
    violations += axe.violations(page)

    page.get_by_role("link", name="Tom Quillfeather").click()
    expect(page.get_by_text("Showing events by Tom Quillfeather (tq@example.org).")
           ).to_be_visible()
    expect(page.get_by_label("Action")).to_have_value(AuditAction.TOKEN_CREATED)
    expect(page.get_by_role("cell", name="token #41")).to_be_visible()
    expect(page.get_by_role("cell", name="token #42")).to_have_count(0)

    page.get_by_label("Person").fill("Nobody Zzyzx")
    page.get_by_role("button", name="Filter").click()
    person = page.get_by_label("Person")
    expect(person).to_have_attribute("aria-invalid", "true")
    expect(person).to_have_value("Nobody Zzyzx")
    expect(person).to_have_accessible_description(
        "Their work e-mail or part of their name. Shows what they did. Nobody in the "
        "directory matches “Nobody Zzyzx”. Check the spelling, or type their work e-mail. "
        "12 / 100")  # the character counter is part of the field's description
    expect(page.get_by_text("No events are listed until the filters marked above are "
                            "corrected.")).to_be_visible()
    violations += axe.violations(page)

    assert not violations, "axe-core found violations:\n" + "\n".join(violations)
