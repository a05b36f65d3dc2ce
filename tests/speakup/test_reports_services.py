"""Reports in escrow, case handlers' keys and case handling: the services and selectors."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from haven.core.errors import Refused
from haven.core.models import AuditEvent, Role
from haven.speakup.models import (
    CaseKeyCopy,
    CaseState,
    HandlerKey,
    Report,
    ReportState,
    SpeakupSettings,
)
from haven.speakup.reports import keys, selectors, services
from tests.factories import make_person
from tests.speakup.reports_support import PASSPHRASE, fast_kdf, file, handler_with_keys

__all__ = ["fast_kdf"]
pytestmark = pytest.mark.django_db


# --- keys ---------------------------------------------------------------------------------

def test_set_up_keys_stores_no_private_key_and_opens_with_the_passphrase_only() -> None:
    handler, private, recovery = handler_with_keys()
    row = HandlerKey.objects.get(person=handler)
    assert bytes(private) not in bytes(row.wrapped_by_passphrase)
    assert bytes(private.public_key) == bytes(row.public_key)
    with pytest.raises(ValidationError) as caught:
        services.open_private_key(person=handler, passphrase="wrong but long enough")
    assert "does not open" in str(caught.value)
    assert len(recovery.replace("-", "")) == 52


def test_weak_passphrase_is_refused_with_a_reason_and_nothing_stored() -> None:
    handler = make_person(Role.CASE_HANDLER)
    with pytest.raises(ValidationError) as caught:
        services.set_up_keys(person=handler, passphrase="short", confirm="short")
    assert "at least 12 characters" in str(caught.value)
    with pytest.raises(ValidationError) as caught:
        services.set_up_keys(person=handler, passphrase="aaaaaaaaaaaaaaaa",
                             confirm="aaaaaaaaaaaaaaaa")
    assert "different characters" in str(caught.value)
    with pytest.raises(ValidationError):
        services.set_up_keys(person=handler, passphrase=PASSPHRASE, confirm=PASSPHRASE + "x")
    assert not HandlerKey.objects.exists()


def test_only_case_handlers_set_up_keys_and_only_once() -> None:
    with pytest.raises(Refused):
        services.set_up_keys(person=make_person(), passphrase=PASSPHRASE, confirm=PASSPHRASE)
    handler, _, _ = handler_with_keys()
    with pytest.raises(Refused):
        services.set_up_keys(person=handler, passphrase=PASSPHRASE, confirm=PASSPHRASE)


def test_passphrase_change_and_recovery_keep_the_same_key_pair() -> None:
    handler, private, recovery = handler_with_keys()
    services.change_passphrase(person=handler, current=PASSPHRASE, new="another long phrase 7",
                               confirm="another long phrase 7")
    with pytest.raises(ValidationError):
        services.open_private_key(person=handler, passphrase=PASSPHRASE)
    again = services.open_private_key(person=handler, passphrase="another long phrase 7")
    assert bytes(again) == bytes(private)
    with pytest.raises(ValidationError) as caught:
        services.recover_keys(person=handler, recovery_key="AAAA-" * 13, new=PASSPHRASE,
                              confirm=PASSPHRASE)
    assert "recovery key does not open" in str(caught.value)
    services.recover_keys(person=handler, recovery_key=recovery.lower().replace("-", " "),
                          new="third phrase for the keys", confirm="third phrase for the keys")
    assert bytes(services.open_private_key(person=handler,
                                           passphrase="third phrase for the keys")) == bytes(
        private)


# --- filing and release -------------------------------------------------------------------

def test_three_distinct_reporters_release_all_three_at_the_third_filing(
        django_capture_on_commit_callbacks) -> None:
    handler, private, _ = handler_with_keys()
    bully = make_person()
    first, second, third = make_person(), make_person(), make_person()
    with django_capture_on_commit_callbacks(execute=True):
        one = file(first, bully)
        two = file(second, bully)
    assert one.released == two.released == 0
    assert Report.objects.filter(state=ReportState.HELD).count() == 2
    assert selectors.inbox(handler) == []
    assert mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        three = file(third, bully)
    assert three.released == 3
    assert set(Report.objects.values_list("state", flat=True)) == {ReportState.RELEASED}
    groups = selectors.inbox(handler)
    assert len(groups) == 1 and len(groups[0].cases) == 3
    assert [m.to for m in mail.outbox] == [[handler.email]]
    assert "3" in mail.outbox[0].body and bully.name not in mail.outbox[0].body
    opened = selectors.open_case(handler, one.report.pk, private)
    assert opened.content["what"] == "They shouted at me in the stand-up."
    assert opened.content["named"]["label"] == bully.name
    assert opened.group_size == 3


def test_the_same_reporter_twice_counts_once() -> None:
    handler_with_keys()
    bully, reporter, other = make_person(), make_person(), make_person()
    file(reporter, bully)
    file(reporter, bully)
    assert file(other, bully).released == 0
    assert file(make_person(), bully).released == 4


def test_free_text_name_matches_the_directory_person_and_other_free_text() -> None:
    handler_with_keys()
    bully = make_person(name="Dana  Smith")
    file(make_person(), bully)
    file(make_person(), text="dana smith")
    assert file(make_person(), text="  DANA   SMITH ").released == 3


def test_an_unknown_free_text_name_matches_by_its_normal_form() -> None:
    handler_with_keys()
    file(make_person(), text="Someone From Outside")
    file(make_person(), text="someone from outside")
    assert file(make_person(), text="SOMEONE  from OUTSIDE").released == 3


def test_send_now_releases_at_once_and_counts_as_one_reporter() -> None:
    handler, private, _ = handler_with_keys()
    bully = make_person()
    direct = file(make_person(), bully, send_now=True)
    assert direct.released == 1
    assert Report.objects.get(pk=direct.report.pk).state == ReportState.RELEASED
    file(make_person(), bully)
    assert file(make_person(), bully).released == 2  # the two held ones; the third counted


def test_withdrawal_never_releases_and_no_longer_counts() -> None:
    handler_with_keys()
    bully = make_person()
    first, second = make_person(), make_person()
    held = file(first, bully)
    file(second, bully)
    services.withdraw_report(reporter=first, report_id=held.report.pk)
    assert Report.objects.filter(state=ReportState.RELEASED).count() == 0
    withdrawn = Report.objects.get(pk=held.report.pk)
    assert withdrawn.state == ReportState.WITHDRAWN and not withdrawn.versions.exists()
    assert not withdrawn.key_copies.exists() and withdrawn.receipt_wrapped is None
    assert selectors.open_as_reporter(held.receipt_code) is None
    assert file(make_person(), bully).released == 0  # two distinct active reporters
    with pytest.raises(Refused):
        services.withdraw_report(reporter=second, report_id=held.report.pk)


def test_threshold_comes_from_the_settings_row() -> None:
    handler_with_keys()
    administrator = make_person(Role.ADMINISTRATOR)
    services.save_speakup_settings(actor=administrator, values={"threshold": 2})
    bully = make_person()
    file(make_person(), bully)
    assert file(make_person(), bully).released == 2
    with pytest.raises(ValidationError):
        services.save_speakup_settings(actor=administrator, values={"threshold": 1})
    assert SpeakupSettings.load().threshold == 2
    with pytest.raises(Refused):
        services.save_speakup_settings(actor=make_person(Role.COORDINATOR),
                                       values={"threshold": 5})


def test_reporting_oneself_is_refused_clearly() -> None:
    reporter = make_person(name="Robin Lee")
    for about, text in ((reporter, ""), (None, " robin  LEE ")):
        with pytest.raises(ValidationError) as caught:
            file(reporter, about, text=text)
        assert "cannot report yourself" in str(caught.value)
    assert not Report.objects.exists()


def test_bad_input_is_refused_and_stores_nothing() -> None:
    reporter, bully = make_person(), make_person()
    with pytest.raises(ValidationError):
        file(reporter, None)  # nobody named
    with pytest.raises(ValidationError):
        file(reporter, bully, text="both")
    with pytest.raises(ValidationError):
        file(reporter, bully, what="   ")
    with pytest.raises(ValidationError) as caught:
        file(reporter, bully, what="bad \x00 byte")
    assert "NUL" in str(caught.value)
    assert not Report.objects.exists()


def test_a_named_case_handler_never_receives_the_report() -> None:
    named_handler, named_private, _ = handler_with_keys(name="Casey Handler")
    other, other_private, _ = handler_with_keys()
    filed = file(make_person(), named_handler, send_now=True)
    by_text = file(make_person(), text="casey handler", send_now=True)
    assert set(CaseKeyCopy.objects.values_list("handler_id", flat=True)) == {other.pk}
    assert selectors.inbox(named_handler) == []
    from django.http import Http404
    with pytest.raises(Http404):
        selectors.open_case(named_handler, filed.report.pk, named_private)
    assert len(selectors.inbox(other)[0].cases) == 2
    assert selectors.open_case(other, by_text.report.pk, other_private).content["what"]


def test_no_eligible_handler_means_the_report_waits_and_is_shared_later() -> None:
    reporter = make_person()
    filed = file(reporter, make_person(), send_now=True)
    assert filed.recipients == 0
    handler, private, _ = handler_with_keys()
    assert selectors.inbox(handler) == []
    opened = selectors.open_as_reporter(filed.receipt_code)
    assert opened is not None
    assert services.share_missing_copies(report=opened.report,
                                         content_key=opened.content_key) == 1
    assert selectors.open_case(handler, filed.report.pk, private).content["what"]


def test_reporter_reads_and_edits_with_the_code_until_release() -> None:
    handler, private, _ = handler_with_keys()
    reporter, bully = make_person(), make_person()
    filed = file(reporter, bully, anonymous=False)
    assert selectors.my_reports(reporter) == [filed.report]
    assert selectors.my_reports(make_person()) == []
    services.edit_report(code=filed.receipt_code.lower(), what="Edited account", when="",
                         where="")
    opened = selectors.open_as_reporter(filed.receipt_code)
    assert opened is not None and opened.version == 2
    assert opened.content["what"] == "Edited account"
    assert opened.content["reporter"] == {"id": reporter.pk, "name": reporter.name}
    with pytest.raises(ValidationError):
        services.edit_report(code="AAAAA-AAAAA-AAAAA-AAAAA-AAAAA", what="x", when="",
                             where="")
    services.save_speakup_settings(actor=make_person(Role.ADMINISTRATOR),
                                   values={"threshold": 2})
    file(make_person(), bully)
    with pytest.raises(Refused):
        services.edit_report(code=filed.receipt_code, what="Too late", when="", where="")
    with pytest.raises(Refused):
        services.withdraw_report(reporter=reporter, report_id=filed.report.pk)
    assert selectors.open_case(handler, filed.report.pk, private).content["what"] == (
        "Edited account")


def test_a_wrong_or_malformed_code_opens_nothing() -> None:
    file(make_person(), make_person())
    for code in ("", "nonsense", "AAAAA-AAAAA-AAAAA-AAAAA-AAAAA", "\x00" * 25):
        assert selectors.open_as_reporter(code) is None


# --- case handling ------------------------------------------------------------------------

def test_case_states_notes_and_the_thread_with_an_anonymous_reporter() -> None:
    handler, private, _ = handler_with_keys()
    filed = file(make_person(), make_person(), send_now=True)
    pk = filed.report.pk
    with pytest.raises(ValidationError):
        services.set_case_state(handler=handler, report_id=pk, state=CaseState.CLOSED,
                                private_key=private, outcome="x")
    services.set_case_state(handler=handler, report_id=pk, state=CaseState.ACKNOWLEDGED)
    report = Report.objects.get(pk=pk)
    assert report.acknowledged_at is not None and report.feedback_due > report.acknowledged_at
    services.add_note(handler=handler, report_id=pk, private_key=private, text="Check rota")
    services.send_handler_message(handler=handler, report_id=pk, private_key=private,
                                  text="Thank you for telling us. Could you say who saw it?")
    services.send_reporter_message(code=filed.receipt_code, text="My colleague Ana saw it.")
    opened = selectors.open_case(handler, pk, private)
    assert [n[2] for n in opened.notes] == ["Check rota"]
    assert [(m.from_reporter, m.text) for m in opened.messages] == [
        (False, "Thank you for telling us. Could you say who saw it?"),
        (True, "My colleague Ana saw it.")]
    assert opened.content["reporter"] is None and opened.content["anonymous"] is True
    reporter_view = selectors.open_as_reporter(filed.receipt_code)
    assert reporter_view is not None and reporter_view.notes == []
    assert len(reporter_view.messages) == 2
    services.set_case_state(handler=handler, report_id=pk, state=CaseState.IN_REVIEW)
    services.set_case_state(handler=handler, report_id=pk, state=CaseState.CLOSED,
                            private_key=private, outcome="Addressed with the team lead.")
    assert selectors.open_as_reporter(filed.receipt_code).outcome == (
        "Addressed with the team lead.")
    with pytest.raises(Refused):
        services.send_reporter_message(code=filed.receipt_code, text="more")


def test_the_thread_waits_for_release() -> None:
    filed = file(make_person(), make_person())
    with pytest.raises(Refused):
        services.send_reporter_message(code=filed.receipt_code, text="hello?")


def test_outsiders_cannot_act_on_a_case() -> None:
    handler, private, _ = handler_with_keys()
    filed = file(make_person(), make_person(), send_now=True)
    late, late_private, _ = handler_with_keys()  # keys made after the filing: no copy yet
    for person in (make_person(), make_person(Role.COORDINATOR), late):
        with pytest.raises(Refused):
            services.set_case_state(handler=person, report_id=filed.report.pk,
                                    state=CaseState.ACKNOWLEDGED)
    # Once a handler holding K opens the case, the late colleague receives a copy.
    opened = selectors.open_case(handler, filed.report.pk, private)
    services.share_missing_copies(report=opened.report, content_key=opened.content_key)
    assert selectors.open_case(late, filed.report.pk, late_private).content["what"]


def test_every_case_read_is_audited_with_identifiers_only() -> None:
    handler, private, _ = handler_with_keys()
    reporter = make_person(name="Unique Reportername")
    filed = file(reporter, make_person(name="Unique Bullyname"), send_now=True,
                 anonymous=False)
    selectors.open_case(handler, filed.report.pk, private)
    read = AuditEvent.objects.get(action="case_read")
    assert read.actor_id == handler.pk and read.object_id == str(filed.report.pk)
    filed_row = AuditEvent.objects.get(action="report_filed")
    assert filed_row.actor_id is None and filed_row.actor_pseudonym
    everything = " ".join(f"{e.actor_id} {e.actor_pseudonym} {e.object_id} {e.detail}"
                          for e in AuditEvent.objects.all())
    assert str(reporter.pk) not in {e.actor_id for e in AuditEvent.objects.all()
                                    if e.action.startswith("report_")}
    assert "Reportername" not in everything and "Bullyname" not in everything


def test_deadline_reminders_go_once_and_hold_no_content(django_capture_on_commit_callbacks
                                                        ) -> None:
    from datetime import timedelta

    from django.utils import timezone
    handler, _, _ = handler_with_keys()
    filed = file(make_person(), make_person(name="Secret Name"), send_now=True,
                 what="secret story")
    mail.outbox.clear()
    later = timezone.now() + timedelta(days=6, hours=1)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_deadline_reminders(now=later) == 1
        assert services.send_deadline_reminders(now=later) == 0
    assert [m.to for m in mail.outbox] == [[handler.email]]
    assert "secret" not in mail.outbox[0].body.lower()
    services.set_case_state(handler=handler, report_id=filed.report.pk,
                            state=CaseState.ACKNOWLEDGED)
    much_later = timezone.now() + timedelta(days=86)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_deadline_reminders(now=much_later) == 1


def test_programme_counts_are_k_anonymous() -> None:
    handler_with_keys()
    bully = make_person()
    for _ in range(3):
        file(make_person(), bully)
    file(make_person(), make_person())
    counts = selectors.programme_counts(make_person(Role.COORDINATOR))
    assert all(cell.people is None for cell in counts.by_state.cells.values())
    for _ in range(5):
        file(make_person(), make_person(), send_now=True)
    counts = selectors.programme_counts(make_person(Role.COORDINATOR))
    assert counts.by_state.cells["Received"].people is None  # 1 held would show by subtraction
    for _ in range(4):
        file(make_person(), make_person())
    counts = selectors.programme_counts(make_person(Role.COORDINATOR))
    assert counts.by_state.cells["Received"].people == 8
    assert counts.by_state.cells[str(ReportState.HELD.label)].people == 5
    assert counts.acknowledgement.cells["waiting"].people == 8
    with pytest.raises(Refused):
        selectors.programme_counts(make_person())


def test_receipt_code_format() -> None:
    code = keys.new_receipt_code()
    assert len(code) == 29 and keys.normalise_receipt_code(code.lower()) == code.replace("-", "")
    assert keys.normalise_receipt_code("too short") is None
