"""Property tests of the escrow (Hypothesis): on the pure release rule, and on the services
with real sealing, a real database and real after-commit delivery."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from haven.core.models import Person, Role
from haven.speakup.models import CaseKeyCopy, Report, ReportState, SpeakupSettings
from haven.speakup.reports import escrow, jobs, selectors, services
from tests.factories import make_person
from tests.speakup.reports_support import PASSPHRASE, fast_kdf

__all__ = ["fast_kdf"]

# --- the pure rule --------------------------------------------------------------------------

File = tuple[str, int]  # ("file", reporter)
Withdraw = tuple[str, int]  # ("withdraw", index of an earlier report)

operations = st.lists(st.one_of(
    st.tuples(st.just("file"), st.integers(0, 5)),
    st.tuples(st.just("withdraw"), st.integers(0, 30)),
), max_size=30)


@given(ops=operations, threshold=st.integers(2, 5))
def test_release_exactly_when_the_nth_distinct_reporter_files(ops, threshold) -> None:
    entries: list[escrow.Entry] = []
    for kind, value in ops:
        before = list(entries)
        if kind == "file":
            already = {e.reporter_tag for e in entries if e.state != escrow.WITHDRAWN}
            entries.append(escrow.Entry(len(entries), f"r{value}", escrow.HELD))
            chosen = set(escrow.to_release(entries, threshold=threshold))
            entries = [escrow.Entry(e.report_id, e.reporter_tag, escrow.RELEASED)
                       if e.report_id in chosen else e for e in entries]
            now_distinct = escrow.distinct_active_reporters(entries)
            if now_distinct >= threshold:
                # Reached (now or before): nothing held remains.
                assert all(e.state != escrow.HELD for e in entries)
                if len(already) < threshold and f"r{value}" not in already:
                    assert chosen  # this filing was the N-th distinct reporter
            else:
                assert not chosen  # never before the N-th
            if f"r{value}" in already and len(already) < threshold:
                assert not chosen  # a duplicate never releases
        else:
            if value >= len(entries) or entries[value].state != escrow.HELD:
                continue
            entries[value] = escrow.Entry(value, entries[value].reporter_tag, escrow.WITHDRAWN)
            # A withdrawal changes nothing else, and releases nothing.
            assert [e for i, e in enumerate(entries) if i != value] == [
                e for i, e in enumerate(before) if i != value]


@given(threshold=st.integers(2, 6), reporters=st.lists(st.integers(0, 9), max_size=20))
def test_released_never_exceeds_distinct_reporters_rule(threshold, reporters) -> None:
    entries = [escrow.Entry(i, f"r{r}", escrow.HELD) for i, r in enumerate(reporters)]
    chosen = escrow.to_release(entries, threshold=threshold)
    assert bool(chosen) == (len(set(reporters)) >= threshold)
    assert not chosen or len(chosen) == len(entries)


def test_the_rule_refuses_a_threshold_below_two() -> None:
    with pytest.raises(ValueError):
        escrow.to_release([], threshold=1)


# --- the services ---------------------------------------------------------------------------

@dataclass
class World:
    reporters: list[Person]
    targets: list[Person]  # targets[0] is a case handler
    handlers: dict[int, object]  # person id -> unlocked private key


def _world() -> World:
    named_handler = make_person(Role.CASE_HANDLER)
    other_handler = make_person(Role.CASE_HANDLER)
    make_person(Role.CASE_HANDLER)  # without keys: never eligible
    handlers = {}
    for handler in (named_handler, other_handler):
        services.set_up_keys(person=handler, passphrase=PASSPHRASE, confirm=PASSPHRASE)
        handlers[handler.pk] = services.open_private_key(person=handler, passphrase=PASSPHRASE)
    return World(reporters=[make_person() for _ in range(4)],
                 targets=[named_handler, make_person()], handlers=handlers)


service_ops = st.lists(st.one_of(
    # (file, reporter, target, send_now, the after-commit step runs)
    st.tuples(st.just("file"), st.integers(0, 3), st.integers(0, 1), st.booleans(),
              st.booleans()),
    st.tuples(st.just("withdraw"), st.integers(0, 12), st.just(0), st.just(False),
              st.just(True)),
), min_size=1, max_size=12)


@pytest.mark.django_db
@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(ops=service_ops, threshold=st.integers(2, 3))
def test_services_release_deliver_and_seal_to_exactly_the_eligible(
        ops, threshold, django_capture_on_commit_callbacks) -> None:
    with transaction.atomic():
        world = _world()
        SpeakupSettings.objects.update_or_create(pk=1, defaults={"threshold": threshold})
        filed: list[tuple[Report, int, int]] = []  # report, reporter index, target index
        for kind, who, target, send_now, delivered in ops:
            if kind == "file":
                active = {r for report, r, t in filed if t == target and
                          Report.objects.get(pk=report.pk).state != ReportState.WITHDRAWN}
                held_before = {report.pk for report, _, t in filed if t == target and
                               Report.objects.get(pk=report.pk).state == ReportState.HELD}
                with django_capture_on_commit_callbacks(execute=delivered):
                    result = services.file_report(
                        reporter=world.reporters[who], named_person_id=world.targets[target].pk,
                        named_text="", what=f"account {len(filed)}", when="", where="",
                        send_now=send_now, anonymous=True)
                filed.append((result.report, who, target))
                reached = len(active | {who}) >= threshold
                released_now = set(Report.objects.filter(
                    pk__in=held_before | {result.report.pk}, state=ReportState.RELEASED)
                    .values_list("pk", flat=True))
                if reached:
                    assert released_now == held_before | {result.report.pk}
                else:
                    expected = {result.report.pk} if send_now else set()
                    assert released_now == expected
            else:
                if who >= len(filed):
                    continue
                report, reporter, _ = filed[who]
                before = dict(Report.objects.values_list("pk", "state"))
                if before[report.pk] != ReportState.HELD:
                    continue
                services.withdraw_report(reporter=world.reporters[reporter],
                                         report_id=report.pk)
                after = dict(Report.objects.values_list("pk", "state"))
                assert after.pop(report.pk) == ReportState.WITHDRAWN
                before.pop(report.pk)
                assert after == before  # nothing released by a withdrawal

        # A failed (dropped) delivery is retried by the periodic job and never lost.
        with django_capture_on_commit_callbacks(execute=True):
            jobs.deliver_released_reports()
        assert not Report.objects.filter(state=ReportState.RELEASED,
                                         delivered_at__isnull=True).exists()

        # Every released report is sealed to every eligible handler and no one else.
        named_handler = world.targets[0]
        for report in Report.objects.filter(state=ReportState.RELEASED):
            about_handler = any(r.pk == report.pk and t == 0 for r, _, t in filed)
            expected = set(world.handlers) - ({named_handler.pk} if about_handler else set())
            holders = set(CaseKeyCopy.objects.filter(report=report)
                          .values_list("handler_id", flat=True))
            assert holders == expected
            for handler_id in holders:
                handler = Person.objects.get(pk=handler_id)
                opened = selectors.open_case(handler, report.pk, world.handlers[handler_id])
                assert opened.content["what"].startswith("account")
            in_named_inbox = {c.pk for g in selectors.inbox(named_handler) for c in g.cases}
            assert (report.pk in in_named_inbox) == (not about_handler)
        transaction.set_rollback(True)
