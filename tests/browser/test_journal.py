"""A colleague journals three incidents (one with a photo), edits one, exports the PDF and the
JSON, and someone without an account checks the JSON on the public verify page: intact. The
same file edited by hand is reported altered, naming the entry. A case handler finds nothing.
Every page has 0 axe-core violations and runs under the strict CSP without errors."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.utils import timezone
from PIL import Image
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from haven.core.models import Role
from haven.speakup.models import JournalEntry, JournalRecord
from tests.browser.helpers import AxeChecker, BrowserErrors, expect_heading, sign_in
from tests.factories import make_person

pytestmark = pytest.mark.django_db(transaction=True)

INCIDENTS = [
    ("Told me in front of the whole team that my work was “rubbish”.", "Meeting room 2"),
    ("Left me off the invitation to the client dinner, again.", "E-mail"),
    ("Read out my sick note to the office.", "Open office"),
]


def _photo(tmp_path: Path) -> Path:
    path = tmp_path / "whiteboard.png"
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (20, 120, 200)).save(buffer, format="PNG")
    path.write_bytes(buffer.getvalue())
    return path


def test_a_colleague_journals_exports_and_the_export_verifies(
        page: Page, live_server: LiveServer, axe: AxeChecker, browser: Browser,
        browser_errors: BrowserErrors, tmp_path: Path) -> None:
    colleague = make_person(name="Nia Njoroge")
    make_person(name="Rex Rowe")
    browser_errors.allow("status of 400")  # a form sent with a future date, on purpose
    violations: list[str] = []
    sign_in(page, live_server, colleague)

    page.get_by_role("link", name="Your incident journal").click()
    expect_heading(page, "Your incident journal")
    expect(page.get_by_text("Your journal is empty")).to_be_visible()
    violations += axe.violations(page)

    today = timezone.localdate()
    for index, (what, where) in enumerate(INCIDENTS):
        if index:
            page.get_by_role("link", name="Back to your journal").click()
        page.get_by_role("link", name="Write an entry").click()
        expect_heading(page, "Write an entry")
        if index == 0:
            # A date in the future is refused beside the field; what was typed stays.
            page.get_by_label("When did it happen?").fill(
                (today.replace(year=today.year + 1)).isoformat())
            page.get_by_label("What happened?").fill(what)
            page.get_by_role("button", name="Save the entry").click()
            expect(page.locator(".error-summary")).to_be_visible()
            expect(page.get_by_label("What happened?")).to_have_value(what)
            violations += axe.violations(page)
        page.get_by_label("When did it happen?").fill(today.isoformat())
        page.get_by_label("At what time? (optional)").fill(f"1{index}:30")
        page.get_by_label("What happened?").fill(what)
        page.get_by_label("Where? (optional)").fill(where)
        page.get_by_label("Who was involved, from the directory (optional)").fill("Rex Rowe")
        page.get_by_label("Witnesses (optional)").fill("Sam from accounts")
        page.get_by_label("How did it affect you? (optional)").fill("I went home and cried.")
        if index == 0:
            page.get_by_label("Attachments (optional)").set_input_files(_photo(tmp_path))
        page.get_by_role("button", name="Save the entry").click()
        expect_heading(page, f"Entry {index + 1}")
        expect(page.get_by_text(what)).to_be_visible()
        if index == 0:
            expect(page.get_by_role("link", name="whiteboard.png")).to_be_visible()
            violations += axe.violations(page)

    # Entry 2 gets a second version; the first stays, marked as replaced.
    page.goto(f"{live_server.url}/journal/")
    page.get_by_role("link", name="Entry 2:").click()
    page.get_by_role("link", name="Edit (adds a version)").click()
    expect_heading(page, "Edit entry 2")
    violations += axe.violations(page)
    page.get_by_label("What happened?").fill(INCIDENTS[1][0] + " Third time this quarter.")
    page.get_by_role("button", name="Save a new version").click()
    expect(page.get_by_text("replaced by a later version")).to_be_visible()
    page.goto(f"{live_server.url}/journal/")
    violations += axe.violations(page)

    with page.expect_download() as pdf_download:
        page.get_by_role("link", name="Export as PDF").click()
    pdf_path = tmp_path / "journal.pdf"
    pdf_download.value.save_as(pdf_path)
    assert pdf_path.read_bytes().startswith(b"%PDF-")
    with page.expect_download() as json_download:
        page.get_by_role("link", name="Export for checking (JSON)").click()
    json_path = tmp_path / "journal.json"
    json_download.value.save_as(json_path)
    document = json.loads(json_path.read_text(encoding="utf-8"))
    assert len(document["records"]) == 4 == JournalRecord.objects.count()

    # Someone from HR, with no account, checks the file on the public page.
    hr = browser.new_context(base_url=live_server.url)
    try:
        hr_page = hr.new_page()
        browser_errors.watch(hr_page)
        hr_page.goto(f"{live_server.url}/journal/verify/")
        expect_heading(hr_page, "Check a journal export")
        violations += axe.violations(hr_page)
        hr_page.get_by_label("The journal's JSON export (.json)").set_input_files(json_path)
        hr_page.get_by_role("button", name="Check the export").click()
        expect(hr_page.get_by_role("heading", name="Intact")).to_be_visible()
        violations += axe.violations(hr_page)

        document["records"][2]["content"]["what"] = "Nothing happened."
        altered = tmp_path / "altered.json"
        altered.write_text(json.dumps(document), encoding="utf-8")
        hr_page.get_by_label("The journal's JSON export (.json)").set_input_files(altered)
        hr_page.get_by_role("button", name="Check the export").click()
        expect(hr_page.get_by_role("heading", name="Altered: this export is not what the "
                                                 "server recorded")).to_be_visible()
        expect(hr_page.get_by_text("Entry 3, version 1 (chain record 3): content changed")
               ).to_be_visible()
        violations += axe.violations(hr_page)
    finally:
        hr.close()
    assert not violations, violations


def test_a_case_handler_finds_nothing_of_anyone_elses_journal(
        page: Page, live_server: LiveServer, browser_errors: BrowserErrors) -> None:
    from haven.speakup.journal import services

    colleague = make_person()
    entry = services.write_entry(author=colleague, entry_input=services.EntryInput(
        occurred_on=timezone.localdate(), what="Private words."))
    handler = make_person(Role.CASE_HANDLER)
    browser_errors.allow("status of 404")
    sign_in(page, live_server, handler)
    response = page.goto(f"{live_server.url}/journal/{entry.pk}/")
    assert response is not None and response.status == 404
    page.goto(f"{live_server.url}/journal/")
    expect(page.get_by_text("Your journal is empty")).to_be_visible()
    expect(page.get_by_text("Private words.")).to_have_count(0)
    assert JournalEntry.objects.count() == 1


def test_deleting_asks_first_and_leaves_a_mark(page: Page, live_server: LiveServer,
                                               axe: AxeChecker,
                                               browser_errors: BrowserErrors) -> None:
    from haven.speakup.journal import services
    from haven.vault.models import DataKey

    colleague = make_person()
    for what in ("Mocked my accent.", "Moved my desk without asking."):
        services.write_entry(author=colleague, entry_input=services.EntryInput(
            occurred_on=timezone.localdate(), what=what))
    browser_errors.allow("status of 400")  # confirmed without ticking the box, on purpose
    violations: list[str] = []
    sign_in(page, live_server, colleague)
    page.goto(f"{live_server.url}/journal/")
    page.get_by_role("link", name="Entry 1:").click()
    page.get_by_role("link", name="Delete this entry…").click()
    expect_heading(page, "Delete entry 1?")
    violations += axe.violations(page)
    page.get_by_role("button", name="Delete this entry for good").click()
    expect(page.get_by_text("Tick the box to confirm; nothing was deleted.")).to_be_visible()
    violations += axe.violations(page)
    page.get_by_label("Yes, I understand this cannot be undone").check()
    page.get_by_role("button", name="Delete this entry for good").click()
    expect_heading(page, "Your incident journal")
    expect(page.get_by_text("Deleted by you on")).to_be_visible()
    expect(page.get_by_text("Mocked my accent.")).to_have_count(0)
    violations += axe.violations(page)

    page.get_by_role("link", name="Delete my journal…").click()
    expect_heading(page, "Delete your whole journal?")
    violations += axe.violations(page)
    page.get_by_label("Yes, I understand this cannot be undone").check()
    page.get_by_role("button", name="Delete my journal for good").click()
    expect(page.get_by_text("Your journal is empty")).to_be_visible()
    assert DataKey.objects.filter(purpose="journal", shredded_at__isnull=False).count() == 1
    assert not violations, violations
