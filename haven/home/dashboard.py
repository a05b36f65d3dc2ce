"""What Home shows each role: composed from the owning apps' selectors only (never their
models), each of which limits what it reads to what this person may see."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from haven.activities import selectors as activities
from haven.coach import selectors as coach
from haven.coffee import selectors as coffee
from haven.core import kanon, mail
from haven.core import selectors as directory
from haven.core.models import Person, Role
from haven.questions import selectors as questions
from haven.recognition import selectors as recognition
from haven.support import selectors as support
from haven.vault import selectors as vault

if TYPE_CHECKING:  # annotations only: the reads all go through the selectors above
    from haven.activities.selectors import CountedActivity
    from haven.coach.selectors import Progress
    from haven.coffee.selectors import ShownGroup
    from haven.questions.models import Question
    from haven.recognition.models import Recognition
    from haven.support.models import Offer, SupporterProfile

SHOWN = 5  # rows per list; each list links to its full page
TO_JOIN = 2  # activities suggested beside the ones the person signed up for
THANKS_SINCE = timedelta(days=30)
DUE_SOON = timedelta(days=2)
# Backends that deliver nothing: Home says e-mail is still to set up while one is configured.
UNDELIVERED = {"console", "locmem", "dummy", "filebased"}


@dataclass(frozen=True)
class ColleagueHome:
    conversations: support.ConversationsAtAGlance
    next_coffee: ShownGroup | None
    signed_up: list[CountedActivity]
    to_join: list[CountedActivity]
    thanks: list[Recognition]
    thanks_count: int
    questions: list[Question]


@dataclass(frozen=True)
class SupporterHome:
    offers: list[Offer]
    conversations: support.ConversationsAtAGlance
    commitments: list[support.DueCommitment]
    commitments_count: int
    profile: SupporterProfile | None
    progress: Progress


@dataclass(frozen=True)
class CoordinatorHome:
    response: support.ShownChart
    by_state: support.ShownChart
    past_target: kanon.Cell
    at_capacity: list[tuple[Person, int, int]]
    held_recognition: int
    pending_questions: int
    footnote: str

    @property
    def quiet(self) -> bool:
        """No supporter is full and nothing waits in moderation. Requests past target are
        left out: "hidden" may stand for none or for a few, and must not be told apart."""
        return not (self.at_capacity or self.held_recognition or self.pending_questions)


@dataclass(frozen=True)
class Step:
    """One line of the administrators' set-up checklist."""

    title: str
    done: bool
    detail: str
    url_name: str  # where to do it ("" for a command-line step)
    link: str


@dataclass(frozen=True)
class AdministratorHome:
    steps: list[Step]
    backend: str


@dataclass(frozen=True)
class Dashboard:
    colleague: ColleagueHome
    supporter: SupporterHome | None
    coordinator: CoordinatorHome | None
    administrator: AdministratorHome | None
    case_handler: bool


def dashboard_for(person: Person, *, now: datetime) -> Dashboard:
    roles = person.roles
    return Dashboard(
        colleague=_colleague(person, now),
        supporter=_supporter(person, now) if Role.SUPPORTER in roles else None,
        coordinator=_coordinator() if Role.COORDINATOR in roles else None,
        administrator=_administrator(person) if Role.ADMINISTRATOR in roles else None,
        case_handler=Role.CASE_HANDLER in roles)


def _colleague(person: Person, now: datetime) -> ColleagueHome:
    thanks, thanks_count = recognition.received(person=person, since=now - THANKS_SINCE,
                                                limit=SHOWN)
    return ColleagueHome(
        conversations=support.conversations_at_a_glance(person=person, side="colleague",
                                                        limit=SHOWN),
        next_coffee=coffee.next_coffee(person=person, now=now),
        signed_up=activities.signed_up(viewer=person, now=now, limit=SHOWN),
        to_join=activities.to_join(viewer=person, now=now, limit=TO_JOIN),
        thanks=thanks, thanks_count=thanks_count,
        questions=questions.open_to_vote(viewer=person, limit=SHOWN))


def _supporter(person: Person, now: datetime) -> SupporterHome:
    commitments, commitments_count = support.commitments_due(supporter=person, now=now,
                                                             within=DUE_SOON, limit=SHOWN)
    return SupporterHome(
        offers=list(support.pending_offers_for(supporter=person).order_by("expires_at")),
        conversations=support.conversations_at_a_glance(person=person, side="supporter",
                                                        limit=SHOWN),
        commitments=commitments, commitments_count=commitments_count,
        profile=support.profile_of(person=person),
        progress=coach.progress_of(supporter=person))


def _coordinator() -> CoordinatorHome:
    return CoordinatorHome(
        response=support.response_time_chart(support.response_times()),
        by_state=support.requests_by_state_chart(support.requests_by_state()),
        past_target=support.past_target(),
        at_capacity=support.supporters_at_capacity(),
        held_recognition=recognition.held_count(),
        pending_questions=questions.pending_count(),
        footnote=kanon.footnote())


def _administrator(person: Person) -> AdministratorHome:
    people = directory.sign_up_counts(viewer=person)
    keys = vault.master_key_summary()
    saved_at = support.programme_settings_saved_at()
    backend = mail.backend_name()
    mail_trouble = directory.mail_failures()
    if not keys.configured:
        key_detail = _("No master key is configured (HAVEN_MASTER_KEYS).")
    elif keys.under_older_keys:
        key_detail = _("%(held)s held; current key “%(current)s”. %(older)s data keys are "
                       "still under an older key: run “haven keys rotate”.") % {
            "held": keys.held, "current": keys.current_id, "older": keys.under_older_keys}
    else:
        key_detail = _("%(held)s held; current key “%(current)s”. Every data key is under "
                       "the current key.") % {"held": keys.held, "current": keys.current_id}
    return AdministratorHome(backend=backend, steps=[
        Step(_("People imported"), people.people > 1,
             _("%(people)s active people in the directory.") % {"people": people.people},
             "import_people", _("Import people")),
        Step(_("Invitations sent"), people.people > 1 and people.not_invited == 0,
             _("%(not_invited)s not invited yet; %(invited)s invited and not signed up yet "
               "(pending); %(signed_up)s signed up.") % {
                 "not_invited": people.not_invited, "invited": people.invited,
                 "signed_up": people.signed_up},
             "directory", _("Open the directory")),
        Step(_("Master keys"), keys.configured and not keys.under_older_keys, key_detail,
             "", ""),
        Step(_("Programme settings reviewed"), saved_at is not None,
             _("Saved by an administrator.") if saved_at else
             _("Still the installation's first values: topics, response target, crisis "
               "resources and retention."),
             "programme_settings", _("Programme settings")),
        Step(_("E-mail delivery"), backend not in UNDELIVERED and not mail_trouble.failed,
             _email_detail(backend, mail_trouble), "", ""),
    ])


def _email_detail(backend: str, trouble: directory.MailFailures) -> str:
    parts = [_("Backend: %(backend)s.") % {"backend": backend}]
    if backend in UNDELIVERED:
        parts.append(_("E-mails are not delivered to anyone; set EMAIL_URL to your mail "
                       "server."))
    if trouble.failed:
        parts.append(_("%(failed)s e-mails could not be sent after every retry in the past "
                       "week (%(reasons)s): see “When the mail server is down” in "
                       "docs/operations.md.") % {
            "failed": trouble.failed,
            "reasons": ", ".join(f"{reason} × {count}"
                                 for reason, count in trouble.reasons.items())})
    if trouble.retrying:
        parts.append(_("%(retrying)s e-mails are waiting to be tried again.")
                     % {"retrying": trouble.retrying})
    return " ".join(parts)
