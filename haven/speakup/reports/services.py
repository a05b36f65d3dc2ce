"""Writes for reports, escrow release, case handlers' keys and case handling
(docs/speakup-reports.md). Keyword-only functions, one transaction each, audit rows with
identifiers only; e-mails (never content, never names) after commit."""

from __future__ import annotations

import hashlib
import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from nacl.public import PrivateKey

from haven.core.audit import audit
from haven.core.errors import Refused
from haven.core.mail import notify
from haven.core.models import Person, Role
from haven.core.text import check_text
from haven.speakup.models import (
    CaseKeyCopy,
    CaseMessage,
    CaseNote,
    CaseState,
    HandlerKey,
    Report,
    ReportAudit,
    ReportState,
    ReportVersion,
    SpeakupKeys,
    SpeakupSettings,
)
from haven.speakup.models.reports import LINE_MAX, MESSAGE_MAX, NOTE_MAX, OUTCOME_MAX, WHAT_MAX
from haven.speakup.reports import escrow, keys, tags

logger = logging.getLogger(__name__)


# --- Case handlers' keys -------------------------------------------------------------------

def _require_case_handler(person: Person) -> None:
    if not person.is_active or not person.has_role(Role.CASE_HANDLER):
        raise Refused(_("Only case handlers hold case keys."))


def _check_passphrase(passphrase: str, confirm: str | None = None,
                      field: str = "passphrase") -> None:
    problem = keys.passphrase_problem(passphrase)
    if problem:
        raise ValidationError({field: problem})
    if confirm is not None and confirm != passphrase:
        raise ValidationError({"confirm": _("The two passphrases are not the same.")})


def set_up_keys(*, person: Person, passphrase: str, confirm: str) -> str:
    """Make PERSON's key pair. Returns the recovery key's text, to be shown once."""
    _require_case_handler(person)
    _check_passphrase(passphrase, confirm)
    if HandlerKey.objects.filter(person=person).exists():
        raise Refused(_("Your case keys are already set up. Change your passphrase, or use "
                        "your recovery key if you have forgotten it."))
    made = keys.new_key_pair(passphrase)
    with transaction.atomic():
        HandlerKey.objects.create(
            person=person, public_key=made.public_key, passphrase_salt=made.salt,
            kdf_ops=made.ops, kdf_mem=made.mem, wrapped_by_passphrase=made.wrapped_by_passphrase,
            wrapped_by_recovery=made.wrapped_by_recovery)
        audit(action=ReportAudit.CASE_KEYS_SET_UP, actor=person, object_type="person",
              object_id=person.pk)
    return made.recovery_text


def _key_of(person: Person) -> HandlerKey:
    _require_case_handler(person)
    key = HandlerKey.objects.filter(person=person).first()
    if key is None:
        raise Refused(_("Set up your case keys first."))
    return key


def open_private_key(*, person: Person, passphrase: str) -> PrivateKey:
    """PERSON's private key, opened with their passphrase (audited: an unlock)."""
    key = _key_of(person)
    try:
        private = keys.open_with_passphrase(
            passphrase=passphrase, salt=bytes(key.passphrase_salt), ops=key.kdf_ops,
            mem=key.kdf_mem, wrapped=bytes(key.wrapped_by_passphrase))
    except keys.WrongSecret:
        raise ValidationError({"passphrase": _("That passphrase does not open your case "
                                               "keys.")}) from None
    audit(action=ReportAudit.CASE_KEYS_UNLOCKED, actor=person, object_type="person",
          object_id=person.pk)
    return private


def _rewrap(key: HandlerKey, private: PrivateKey, passphrase: str) -> None:
    salt = keys.new_salt()
    ops, mem = keys.passphrase_limits()
    key.passphrase_salt, key.kdf_ops, key.kdf_mem = salt, ops, mem
    key.wrapped_by_passphrase = keys.wrap(keys.derive(passphrase, salt, ops=ops, mem=mem),
                                          bytes(private))
    key.changed_at = timezone.now()
    key.save(update_fields=["passphrase_salt", "kdf_ops", "kdf_mem", "wrapped_by_passphrase",
                            "changed_at"])


def change_passphrase(*, person: Person, current: str, new: str, confirm: str) -> None:
    key = _key_of(person)
    _check_passphrase(new, confirm, field="new")
    try:
        private = keys.open_with_passphrase(
            passphrase=current, salt=bytes(key.passphrase_salt), ops=key.kdf_ops,
            mem=key.kdf_mem, wrapped=bytes(key.wrapped_by_passphrase))
    except keys.WrongSecret:
        raise ValidationError({"current": _("That is not your current passphrase.")}) from None
    with transaction.atomic():
        _rewrap(key, private, new)
        audit(action=ReportAudit.CASE_KEYS_PASSPHRASE_CHANGED, actor=person,
              object_type="person", object_id=person.pk)


def recover_keys(*, person: Person, recovery_key: str, new: str, confirm: str) -> None:
    """Set a new passphrase with the printed recovery key (which stays valid)."""
    key = _key_of(person)
    _check_passphrase(new, confirm, field="new")
    try:
        private = keys.open_with_recovery(recovery_text=recovery_key,
                                          wrapped=bytes(key.wrapped_by_recovery))
    except keys.WrongSecret:
        raise ValidationError({"recovery_key": _("That recovery key does not open your case "
                                                 "keys. Check each group of four.")}) from None
    with transaction.atomic():
        _rewrap(key, private, new)
        audit(action=ReportAudit.CASE_KEYS_RECOVERED, actor=person, object_type="person",
              object_id=person.pk)


def reset_keys(*, person: Person) -> int:
    """For a case handler who has lost both their passphrase and their recovery key: their key
    pair and every copy of a report sealed to it are deleted (nothing can open those copies any
    more), so they can set up new keys; colleagues who hold the same cases share them again
    when they open them. Returns how many copies were deleted."""
    key = _key_of(person)
    with transaction.atomic():
        copies, _detail = CaseKeyCopy.objects.filter(handler=person).delete()
        key.delete()
        audit(action=ReportAudit.CASE_KEYS_RESET, actor=person, object_type="person",
              object_id=person.pk, detail={"copies": copies})
    return copies


# --- Eligibility and sharing ---------------------------------------------------------------

def eligible_handlers(named_tag: str) -> list[HandlerKey]:
    """Active case handlers with keys who are not the person named."""
    found = []
    for key in (HandlerKey.objects.select_related("person")
                .filter(person__is_active=True, person__role_grants__role=Role.CASE_HANDLER)
                .order_by("person_id")):
        if named_tag not in tags.tags_naming(key.person):
            found.append(key)
    return found


def _seal_copies(report: Report, content_key: bytes, handlers: Iterable[HandlerKey]) -> int:
    have = set(CaseKeyCopy.objects.filter(report=report).values_list("handler_id", flat=True))
    new = [CaseKeyCopy(report=report, handler_id=key.person_id,
                       sealed_key=keys.seal_to(key.public_key, content_key))
           for key in handlers if key.person_id not in have]
    CaseKeyCopy.objects.bulk_create(new)
    return len(new)


def share_missing_copies(*, report: Report, content_key: bytes) -> int:
    """Seal K to eligible case handlers who set up keys after the report was filed. Called
    whenever someone who holds K opens the report (a case handler, or the reporter with the
    code); the server cannot do it alone. Released reports newly shared are told after
    commit."""
    if report.state == ReportState.WITHDRAWN or not report.named_tag:
        return 0
    with transaction.atomic():
        handlers = eligible_handlers(report.named_tag)
        have = set(CaseKeyCopy.objects.filter(report=report)
                   .values_list("handler_id", flat=True))
        fresh = [key for key in handlers if key.person_id not in have]
        added = _seal_copies(report, content_key, fresh)
        if added:
            audit(action=ReportAudit.CASE_SHARED, object_type="report", object_id=report.pk,
                  detail={"handlers": added})
            if report.state == ReportState.RELEASED:
                _tell_handlers([key.person for key in fresh], count=1)
    return added


# --- Filing, editing, withdrawing ---------------------------------------------------------

@dataclass(frozen=True)
class Filed:
    report: Report
    receipt_code: str  # shown once, never stored
    released: int  # how many reports this filing released (its own included)
    recipients: int  # case handlers it is sealed to now


def _receipt_lookup(normalised_code: str) -> str:
    return hashlib.sha256(f"haven:speakup-receipt:{normalised_code}".encode()).hexdigest()


def _clean(value: str, *, field: str, limit: int, multiline: bool, required: bool) -> str:
    value = value.strip()
    check_text(value, multiline=multiline, field=field)
    if required and not value:
        raise ValidationError({field: _("This cannot be empty.")})
    if len(value) > limit:
        raise ValidationError({field: _("Keep it under %(n)d characters.") % {"n": limit}})
    return value


def _content(*, what: str, when: str, where: str) -> dict[str, str]:
    return {"what": _clean(what, field="what", limit=WHAT_MAX, multiline=True, required=True),
            "when": _clean(when, field="when", limit=LINE_MAX, multiline=False, required=False),
            "where": _clean(where, field="where", limit=LINE_MAX, multiline=False,
                            required=False)}


def _named(reporter: Person, named_person_id: int | None,
           named_text: str) -> tuple[str, str, int | None]:
    """(matching tag, label, directory id) of the person named; refuses oneself."""
    named_text = _clean(named_text, field="named_text", limit=LINE_MAX, multiline=False,
                        required=False)
    if named_person_id is not None and named_text:
        raise ValidationError({"named_text": _("Choose a person from the list or type a name, "
                                               "not both.")})
    person: Person | None = None
    if named_person_id is not None:
        person = Person.objects.filter(pk=named_person_id, is_active=True).first()
        if person is None:
            raise ValidationError({"named_person": _("That person is not in the directory.")})
    elif named_text:
        wanted = tags.normalise_name(named_text)
        candidates = Person.objects.filter(is_active=True,
                                           name__icontains=named_text.split()[0])
        same = [p for p in candidates if tags.normalise_name(p.name) == wanted]
        if len(same) == 1:
            person = same[0]
    else:
        raise ValidationError({"named_person": _("Say whom the report is about: choose a "
                                                 "person from the list or type a name.")})
    if (person is not None and person.pk == reporter.pk) or (
            person is None and tags.normalise_name(named_text)
            == tags.normalise_name(reporter.name)):
        raise ValidationError({"named_person": _(
            "You cannot report yourself. If you want to keep a record of what happened to "
            "you, keep it in your private journal; to talk it through, ask a peer supporter.")})
    if person is not None:
        return tags.person_tag(person.pk), person.name, person.pk
    return tags.name_tag(named_text), " ".join(named_text.split()), None


def _release(reports: Iterable[Report], now: datetime, rules: SpeakupSettings) -> list[Report]:
    released = []
    for report in reports:
        report.state = ReportState.RELEASED
        report.released_at = now
        report.acknowledge_due = now + timedelta(days=rules.acknowledge_days)
        report.feedback_due = now + timedelta(days=rules.acknowledge_days + rules.feedback_days)
        report.save(update_fields=["state", "released_at", "acknowledge_due", "feedback_due"])
        released.append(report)
    return released


def _lock_escrow() -> None:
    """Filings take turns (one row locked on PostgreSQL; SQLite writes one at a time): the
    count that decides a release sees every earlier filing."""
    tags.tags_key()
    if connection.vendor == "postgresql":
        SpeakupKeys.objects.select_for_update().get(pk=1)


def file_report(*, reporter: Person, named_person_id: int | None, named_text: str, what: str,
                when: str, where: str, send_now: bool, anonymous: bool) -> Filed:
    """File a report: sealed under a fresh K, K sealed to each eligible case handler and
    wrapped under the receipt code; held, or released with every held report on the same
    person once enough distinct people have named them (in this transaction)."""
    content = _content(what=what, when=when, where=where)
    named_tag, label, named_id = _named(reporter, named_person_id, named_text)
    content_key = escrow.new_content_key()
    code = keys.new_receipt_code()
    normalised = keys.normalise_receipt_code(code)
    assert normalised is not None
    salt = keys.new_salt()
    ops, mem = keys.receipt_limits()
    payload: dict[str, Any] = {
        **content,
        "named": {"label": label, "person_id": named_id},
        "reporter": None if anonymous else {"id": reporter.pk, "name": reporter.name},
        "anonymous": anonymous, "send_now": send_now,
    }
    receipt_wrapped = keys.wrap(keys.derive(normalised, salt, ops=ops, mem=mem), content_key)
    with transaction.atomic():
        _lock_escrow()
        report = Report(reporter_tag=tags.reporter_tag(reporter.pk), named_tag=named_tag,
                        send_now=send_now, receipt_lookup=_receipt_lookup(normalised),
                        receipt_salt=salt, receipt_wrapped=receipt_wrapped,
                        receipt_kdf_ops=ops, receipt_kdf_mem=mem)
        report.save(force_insert=True)
        ReportVersion.objects.create(report=report, number=1, sealed=escrow.seal_json(
            content_key, bound_to=f"report:{report.pk}:1", payload=payload))
        recipients = _seal_copies(report, content_key, eligible_handlers(named_tag))
        audit(action=ReportAudit.REPORT_FILED, actor_pseudonym=tags.pseudonym(
            f"reporter:{report.pk}"), object_type="report", object_id=report.pk)
        released = release_after_filing(report)
    return Filed(report=report, receipt_code=code, released=released, recipients=recipients)


def release_after_filing(report: Report) -> int:
    """Apply the release rule to REPORT's tag after its filing (inside the filing's
    transaction). Returns how many reports were released."""
    rules = SpeakupSettings.load()
    now = timezone.now()
    on_tag = list(Report.objects.filter(named_tag=report.named_tag)
                  .exclude(state=ReportState.WITHDRAWN))
    entries = [escrow.Entry(r.pk, r.reporter_tag,
                            escrow.RELEASED if r.state == ReportState.RELEASED else escrow.HELD)
               for r in on_tag]
    chosen = set(escrow.to_release(entries, threshold=rules.threshold))
    if report.send_now:
        chosen.add(report.pk)
    released = _release([r for r in on_tag if r.pk in chosen], now, rules)
    if released:
        audit(action=ReportAudit.REPORTS_RELEASED, object_type="report", object_id=report.pk,
              detail={"released": len(released)})
        ids = [r.pk for r in released]
        transaction.on_commit(lambda: _deliver_quietly(ids))
    return len(released)


def _deliver_quietly(ids: list[Any]) -> None:
    try:
        deliver_released(ids=ids)
    except Exception as error:  # the periodic job tries again; the release itself is stored
        logger.error("Delivering released reports failed: %s", type(error).__name__)


def _tell_handlers(people: Iterable[Person], *, count: int) -> None:
    notify(people=people, subject=_("Haven: a report is waiting for you"), body=_(
        "A report has been released to you in Haven (%(count)d in this notice). Sign in and "
        "open your case inbox to read it; this e-mail holds nothing of what it says.")
        % {"count": count})


def deliver_released(*, ids: Iterable[Any] | None = None) -> int:
    """Tell the case handlers holding a copy of each released, undelivered report (one e-mail
    each, no content, no names) and mark it delivered. Idempotent; the periodic job calls it
    with no ids to retry every report still undelivered."""
    pending = Report.objects.filter(state=ReportState.RELEASED, delivered_at__isnull=True)
    if ids is not None:
        pending = pending.filter(pk__in=list(ids))
    done = 0
    with transaction.atomic():
        if connection.vendor == "postgresql":
            pending = pending.select_for_update(skip_locked=True)
        reports = list(pending)
        per_handler: dict[int, int] = defaultdict(int)
        for copy in CaseKeyCopy.objects.filter(report__in=reports):
            per_handler[copy.handler_id] += 1
        for person in Person.objects.filter(pk__in=per_handler, is_active=True):
            _tell_handlers([person], count=per_handler[person.pk])
        now = timezone.now()
        done = Report.objects.filter(pk__in=[r.pk for r in reports]).update(delivered_at=now)
    return done


def _own_report(reporter: Person, report_id: Any) -> Report:
    report = (Report.objects.select_for_update().filter(
        pk=report_id, reporter_tag=tags.reporter_tag(reporter.pk)).first())
    if report is None:
        raise Refused(_("That is not one of your reports."))
    return report


def open_by_code(code: str) -> tuple[Report, bytes] | None:
    """The report and its K for a receipt code, or None — in about the same time either way
    (a wrong code still pays for one key derivation)."""
    normalised = keys.normalise_receipt_code(code)
    report = None
    if normalised is not None:
        report = Report.objects.filter(receipt_lookup=_receipt_lookup(normalised)).exclude(
            state=ReportState.WITHDRAWN).first()
    ops, mem = keys.receipt_limits()
    if report is None or report.receipt_salt is None or report.receipt_wrapped is None:
        keys.derive(normalised or "x" * keys.RECEIPT_LENGTH, b"\0" * 16, ops=ops, mem=mem)
        return None
    assert normalised is not None
    ops, mem = report.receipt_kdf_ops or ops, report.receipt_kdf_mem or mem
    try:
        content_key = keys.unwrap(keys.derive(normalised, bytes(report.receipt_salt), ops=ops,
                                              mem=mem), report.receipt_wrapped)
    except keys.WrongSecret:
        return None
    return report, content_key


def _opened_by_code(code: str) -> tuple[Report, bytes]:
    opened = open_by_code(code)
    if opened is None:
        raise ValidationError({"code": _("That receipt code does not open a report.")})
    return opened


def latest_version(report: Report) -> ReportVersion:
    version = report.versions.order_by("-number").first()
    assert version is not None
    return version


def edit_report(*, code: str, what: str, when: str, where: str) -> Report:
    """A new version of a held report (the code opens it). The person named stays: to name
    someone else, withdraw it and file another."""
    content = _content(what=what, when=when, where=where)
    report, content_key = _opened_by_code(code)
    with transaction.atomic():
        report = Report.objects.select_for_update().get(pk=report.pk)
        if report.state != ReportState.HELD:
            raise Refused(_("This report has been sent to the case handlers and can no longer "
                            "be changed. Write to them in the thread instead."))
        version = latest_version(report)
        payload = escrow.open_json(content_key, version.sealed,
                                   bound_to=f"report:{report.pk}:{version.number}")
        payload.update(content)
        number = version.number + 1
        ReportVersion.objects.create(report=report, number=number, sealed=escrow.seal_json(
            content_key, bound_to=f"report:{report.pk}:{number}", payload=payload))
        _seal_copies(report, content_key, eligible_handlers(report.named_tag))
        audit(action=ReportAudit.REPORT_EDITED, actor_pseudonym=tags.pseudonym(
            f"reporter:{report.pk}"), object_type="report", object_id=report.pk,
            detail={"version": number})
    return report


def withdraw_report(*, reporter: Person, report_id: Any) -> None:
    """Withdraw a held report: its content and every copy of K are deleted (nothing can open
    it again) and it no longer counts. Never releases anything."""
    with transaction.atomic():
        report = _own_report(reporter, report_id)
        if report.state != ReportState.HELD:
            raise Refused(_("This report has been sent to the case handlers and can no longer "
                            "be withdrawn."))
        report.versions.all().delete()
        report.key_copies.all().delete()
        report.state = ReportState.WITHDRAWN
        report.named_tag = ""
        report.receipt_lookup = None
        report.receipt_salt = None
        report.receipt_wrapped = None
        report.save(update_fields=["state", "named_tag", "receipt_lookup", "receipt_salt",
                                   "receipt_wrapped"])
        audit(action=ReportAudit.REPORT_WITHDRAWN, actor_pseudonym=tags.pseudonym(
            f"reporter:{report.pk}"), object_type="report", object_id=report.pk)


# --- Case handling -------------------------------------------------------------------------

def _case_for(handler: Person, report_id: Any) -> Report:
    _require_case_handler(handler)
    report = (Report.objects.select_for_update()
              .filter(pk=report_id, state=ReportState.RELEASED,
                      key_copies__handler=handler).first())
    if report is None:
        raise Refused(_("That case is not in your inbox."))
    return report


def _content_key(handler: Person, report: Report, private_key: PrivateKey) -> bytes:
    copy = CaseKeyCopy.objects.get(report=report, handler=handler)
    try:
        return keys.open_sealed_to_me(private_key, copy.sealed_key)
    except keys.WrongSecret:
        raise Refused(_("Your unlocked key does not open this case.")) from None


NEXT_STATES = {
    CaseState.RECEIVED: {CaseState.ACKNOWLEDGED},
    CaseState.ACKNOWLEDGED: {CaseState.IN_REVIEW, CaseState.CLOSED},
    CaseState.IN_REVIEW: {CaseState.CLOSED},
    CaseState.CLOSED: set(),
}


def set_case_state(*, handler: Person, report_id: Any, state: str,
                   private_key: PrivateKey | None = None, outcome: str = "") -> Report:
    """Move a case on: received → acknowledged → in review → closed (with an outcome, sealed
    under K, which needs the unlocked key)."""
    with transaction.atomic():
        report = _case_for(handler, report_id)
        current = CaseState(report.case_state)
        if state not in {s.value for s in CaseState} or state not in NEXT_STATES[current]:
            raise ValidationError({"state": _("A case that is %(now)s cannot move to that "
                                              "state.") % {"now": current.label.lower()}})
        now = timezone.now()
        rules = SpeakupSettings.load()
        fields = ["case_state"]
        if state == CaseState.ACKNOWLEDGED:
            report.acknowledged_at = now
            report.feedback_due = now + timedelta(days=rules.feedback_days)
            fields += ["acknowledged_at", "feedback_due"]
        if state == CaseState.CLOSED:
            outcome = _clean(outcome, field="outcome", limit=OUTCOME_MAX, multiline=True,
                             required=True)
            if private_key is None:
                raise Refused(_("Unlock your case keys to close a case."))
            content_key = _content_key(handler, report, private_key)
            report.outcome_sealed = escrow.seal_text(content_key,
                                                     bound_to=f"outcome:{report.pk}",
                                                     text=outcome)
            report.closed_at = now
            fields += ["outcome_sealed", "closed_at"]
        report.case_state = state
        report.save(update_fields=fields)
        audit(action=ReportAudit.CASE_STATE_CHANGED, actor=handler, object_type="report",
              object_id=report.pk, detail={"state": state})
    return report


def add_note(*, handler: Person, report_id: Any, private_key: PrivateKey, text: str) -> CaseNote:
    text = _clean(text, field="text", limit=NOTE_MAX, multiline=True, required=True)
    with transaction.atomic():
        report = _case_for(handler, report_id)
        content_key = _content_key(handler, report, private_key)
        note = CaseNote(report=report, author=handler, sealed=b"")
        note.save()
        note.sealed = escrow.seal_text(content_key, bound_to=f"note:{note.pk}", text=text)
        note.save(update_fields=["sealed"])
        audit(action=ReportAudit.CASE_NOTE_ADDED, actor=handler, object_type="report",
              object_id=report.pk, detail={"note": note.pk})
    return note


def _store_message(report: Report, content_key: bytes, text: str,
                   author: Person | None) -> CaseMessage:
    message = CaseMessage(report=report, from_reporter=author is None, author=author,
                          sealed=b"")
    message.save()
    message.sealed = escrow.seal_text(content_key, bound_to=f"message:{message.pk}", text=text)
    message.save(update_fields=["sealed"])
    return message


def send_handler_message(*, handler: Person, report_id: Any, private_key: PrivateKey,
                         text: str) -> CaseMessage:
    text = _clean(text, field="text", limit=MESSAGE_MAX, multiline=True, required=True)
    with transaction.atomic():
        report = _case_for(handler, report_id)
        if report.case_state == CaseState.CLOSED:
            raise Refused(_("This case is closed."))
        content_key = _content_key(handler, report, private_key)
        message = _store_message(report, content_key, text, handler)
        if report.feedback_at is None and report.acknowledged_at is not None:
            report.feedback_at = timezone.now()
            report.save(update_fields=["feedback_at"])
        audit(action=ReportAudit.CASE_MESSAGE_SENT, actor=handler, object_type="report",
              object_id=report.pk, detail={"message": message.pk})
    return message


def send_reporter_message(*, code: str, text: str) -> CaseMessage:
    """The reporter writes in the thread, with the receipt code (no sign-in needed)."""
    text = _clean(text, field="text", limit=MESSAGE_MAX, multiline=True, required=True)
    report, content_key = _opened_by_code(code)
    with transaction.atomic():
        report = Report.objects.select_for_update().get(pk=report.pk)
        if report.state != ReportState.RELEASED:
            raise Refused(_("The thread opens once the report has been sent to the case "
                            "handlers."))
        if report.case_state == CaseState.CLOSED:
            raise Refused(_("This case is closed."))
        message = _store_message(report, content_key, text, None)
        audit(action=ReportAudit.CASE_MESSAGE_SENT, actor_pseudonym=tags.pseudonym(
            f"reporter:{report.pk}"), object_type="report", object_id=report.pk,
            detail={"message": message.pk})
        holders = Person.objects.filter(pk__in=report.key_copies.values("handler_id"),
                                        is_active=True)
        notify(people=holders, subject=_("Haven: a reporter has written"), body=_(
            "A reporter has written in one of your cases. Sign in and open your case inbox "
            "to read it; this e-mail holds nothing of what it says."))
    return message


# --- Deadlines ------------------------------------------------------------------------------

ACKNOWLEDGE_WARNING = timedelta(days=1)
FEEDBACK_WARNING = timedelta(days=7)


def send_deadline_reminders(*, now: datetime | None = None) -> int:
    """Remind the case handlers of a case whose acknowledgement is due within a day, or whose
    feedback is due within a week, once each (no content). Idempotent."""
    now = now or timezone.now()
    sent = 0
    with transaction.atomic():
        ack = Report.objects.filter(state=ReportState.RELEASED, case_state=CaseState.RECEIVED,
                                    acknowledge_reminded_at__isnull=True,
                                    acknowledge_due__lte=now + ACKNOWLEDGE_WARNING)
        feedback = Report.objects.filter(state=ReportState.RELEASED, feedback_at__isnull=True,
                                         feedback_reminded_at__isnull=True,
                                         feedback_due__lte=now + FEEDBACK_WARNING).exclude(
            case_state=CaseState.CLOSED)
        for queryset, field, subject in (
                (ack, "acknowledge_reminded_at", _("Haven: a case is waiting to be "
                                                   "acknowledged")),
                (feedback, "feedback_reminded_at", _("Haven: a reporter is due feedback"))):
            if connection.vendor == "postgresql":
                queryset = queryset.select_for_update(skip_locked=True)
            for report in list(queryset):
                holders = Person.objects.filter(pk__in=report.key_copies.values("handler_id"),
                                                is_active=True)
                due = (report.acknowledge_due if field == "acknowledge_reminded_at"
                       else report.feedback_due) or now
                notify(people=holders, subject=subject, body=_(
                    "One of your cases in Haven has a deadline coming (due %(due)s). Sign in "
                    "and open your case inbox; this e-mail holds nothing of the case.")
                    % {"due": due.date().isoformat()})
                Report.objects.filter(pk=report.pk).update(**{field: now})
                sent += 1
    return sent


def save_speakup_settings(*, actor: Person, values: dict[str, Any]) -> SpeakupSettings:
    from haven.core.one_row import save_settings

    if not actor.has_role(Role.ADMINISTRATOR):
        raise Refused(_("Only administrators change the speak-up settings."))
    return save_settings(SpeakupSettings, actor=actor, values=values,
                         object_type="speakup_settings")
