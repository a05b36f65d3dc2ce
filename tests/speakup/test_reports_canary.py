"""The confidentiality promise for reports and cases: canary strings written through every
sealed field — what happened, when, where, the person named (typed or from the directory),
the reporter's name when they chose to be named, edits, notes, messages and the outcome —
never appear in the database (whatever the engine), a log record, an e-mail or the audit log,
while the case handler and the reporter read them back."""

from __future__ import annotations

import logging

import pytest
from django.core import mail
from django.db import connection
from django.test import Client

from haven.core.models import AuditEvent, Role
from haven.speakup.models import CaseState
from haven.speakup.reports import selectors, services
from tests.factories import make_person
from tests.speakup.reports_support import PASSPHRASE, fast_kdf, handler_with_keys
from tests.support.dump import Canaries, database_except, whole_database

__all__ = ["fast_kdf"]
pytestmark = pytest.mark.django_db(transaction=False)


def test_no_report_content_or_name_leaves_the_escrow(caplog,
                                                     django_capture_on_commit_callbacks) -> None:
    caplog.set_level(logging.DEBUG)
    connection.force_debug_cursor = True  # every SQL statement and its parameters is logged
    canary = Canaries()
    handler, private, _ = handler_with_keys()
    named_reporter = make_person(name=canary.new("reportername"))
    directory_target = make_person(name=canary.new("directorytarget"))
    typed_name = canary.new("typedname")
    kept: list[str] = []
    try:
        with django_capture_on_commit_callbacks(execute=True):
            filings = []
            for index in range(3):
                what, when, where = (canary.new(f"what{index}"), canary.new(f"when{index}"),
                                     canary.new(f"where{index}"))
                filings.append(services.file_report(
                    reporter=named_reporter if index == 0 else make_person(),
                    named_person_id=directory_target.pk, named_text="", what=what, when=when,
                    where=where, send_now=False, anonymous=index != 0))
                kept.append(what)
            typed = services.file_report(
                reporter=make_person(), named_person_id=None, named_text=typed_name,
                what=canary.new("typedwhat"), when="", where="", send_now=False,
                anonymous=True)
            edited = canary.new("edited")
            services.edit_report(code=typed.receipt_code, what=edited, when="", where="")
            services.save_speakup_settings(actor=make_person(Role.ADMINISTRATOR),
                                           values={"threshold": 3})
            report = filings[0].report
            services.set_case_state(handler=handler, report_id=report.pk,
                                    state=CaseState.ACKNOWLEDGED)
            note, to_reporter, from_reporter, outcome = (
                canary.new("note"), canary.new("tohandler"), canary.new("fromreporter"),
                canary.new("outcome"))
            services.add_note(handler=handler, report_id=report.pk, private_key=private,
                              text=note)
            services.send_handler_message(handler=handler, report_id=report.pk,
                                          private_key=private, text=to_reporter)
            client = Client()
            assert client.post("/speakup/receipt/reply/", {
                "code": filings[0].receipt_code, "text": from_reporter}).status_code == 200
            services.set_case_state(handler=handler, report_id=report.pk,
                                    state=CaseState.CLOSED, private_key=private,
                                    outcome=outcome)
            # Through the pages too: the case handler reads it with the unlocked key.
            handler_client = Client()
            handler_client.force_login(handler)
            handler_client.post("/cases/unlock/", {"passphrase": PASSPHRASE})
            page = handler_client.get(f"/cases/{report.pk}/").content.decode()
    finally:
        connection.force_debug_cursor = False

    # They read it back …
    for text in (kept[0], note, to_reporter, from_reporter, outcome, directory_target.name,
                 named_reporter.name):
        assert text in page
    opened = selectors.open_as_reporter(typed.receipt_code)
    assert opened is not None and opened.content["what"] == edited
    assert opened.content["named"]["label"] == typed_name

    # … and nothing else holds it: not the database (the directory's own rows aside, which
    # hold the people's names), not the logs, not the e-mails, not the audit log.
    assert not canary.found_in(database_except("core_person"))
    content_only = [c for c in canary.all if "name" not in c and "target" not in c]
    assert not [c for c in canary.found_in(whole_database()) if c in content_only]
    logs = "\n".join(f"{r.getMessage()} {r.args} {r.__dict__}" for r in caplog.records)
    assert not [c for c in canary.found_in(logs) if c in content_only or "typedname" in c]
    assert mail.outbox, "case handlers were told"
    mails = "\n".join(f"{m.subject}\n{m.body}" for m in mail.outbox)
    assert not canary.found_in(mails)
    audit = "\n".join(f"{e.action} {e.actor_pseudonym} {e.object_type} {e.object_id} {e.detail}"
                      for e in AuditEvent.objects.all())
    assert not canary.found_in(audit)
    assert not AuditEvent.objects.filter(action__startswith="report_",
                                         actor=named_reporter).exists()
