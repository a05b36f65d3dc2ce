"""Writes for recognition and thanks: values, giving recognition (screened by
haven.core.moderation), reactions, moderation and the author's e-mail about it,
preferences, milestones and the digest. Comments are in haven.recognition.comments.
Every function is keyword-only and runs in one transaction; e-mail goes out after commit."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from haven.core.audit import audit
from haven.core.email_kinds import opted_out
from haven.core.links import absolute_url
from haven.core.mail import email_after_commit, optional_email
from haven.core.models import Person, Team
from haven.core.moderation import screen
from haven.core.services import set_email_choices
from haven.core.text import max_length
from haven.recognition.models import (
    DIGEST_EMAIL,
    MESSAGE_MAX_LENGTH,
    Audience,
    CompanyValue,
    Reaction,
    ReactionKind,
    Recognition,
    RecognitionAudit,
    RecognitionComment,
    RecognitionDigest,
    RecognitionKind,
    RecognitionPreferences,
    RecognitionStatus,
)

VALUE_NAME_MAX = max_length(CompanyValue, "name")
VALUE_DESCRIPTION_MAX = max_length(CompanyValue, "description")


# Values (administrators) -------------------------------------------------------------------

def add_value(*, name: str, description: str = "") -> CompanyValue:
    name, description = " ".join(name.split()), " ".join(description.split())
    if not name:
        raise ValidationError({"name": _("Give the value a name.")})
    if len(name) > VALUE_NAME_MAX:
        raise ValidationError({"name": _("Keep the name to %(n)d characters.")
                               % {"n": VALUE_NAME_MAX}})
    if len(description) > VALUE_DESCRIPTION_MAX:
        raise ValidationError({"description": _("Keep the description to %(n)d characters.")
                               % {"n": VALUE_DESCRIPTION_MAX}})
    if CompanyValue.objects.filter(name__iexact=name).exists():
        raise ValidationError({"name": _("There is already a value of that name.")})
    try:
        with transaction.atomic():
            return CompanyValue.objects.create(name=name, description=description)
    except IntegrityError:  # a concurrent twin
        raise ValidationError({"name": _("There is already a value of that name.")}) from None


def set_value_active(*, value_id: int, active: bool) -> bool:
    return bool(CompanyValue.objects.filter(pk=value_id).update(active=active))


# Giving ---------------------------------------------------------------------------------------

def _clean_message(message: str) -> str:
    message = message.strip()
    if not message:
        raise ValidationError({"message": _("Write a few words about what they did.")})
    if len(message) > MESSAGE_MAX_LENGTH:
        raise ValidationError({"message": _(
            "Keep it to %(max)d characters; this is %(n)d.") % {
                "max": MESSAGE_MAX_LENGTH, "n": len(message)}})
    return message


def _clean_values(value_ids: Iterable[int]) -> list[CompanyValue]:
    wanted = set(value_ids)
    values = list(CompanyValue.objects.filter(pk__in=wanted, active=True))
    if len(values) != len(wanted):
        raise ValidationError({"values": _("Choose values from the list.")})
    if not values and CompanyValue.objects.filter(active=True).exists():
        raise ValidationError({"values": _("Choose at least one of our values.")})
    return values


def give_recognition(*, giver: Person, message: str, audience: str,
                     recipient_email: str = "", team: Team | None = None,
                     value_ids: Iterable[int] = ()) -> Recognition:
    """GIVER recognises a colleague (by work e-mail) or a team. Held for a coordinator when the
    screen finds bullying or abusive language; the reason is kept for the author."""
    email = recipient_email.strip().lower()
    if email and team is not None:
        raise ValidationError(_("Recognise a person or a team, not both at once."))
    if not email and team is None:
        raise ValidationError({"recipient_email": _(
            "Name a colleague or choose a team.")})
    recipient = None
    if email:
        recipient = Person.objects.filter(email=email, is_active=True).first()
        if recipient is None:
            raise ValidationError({"recipient_email": _(
                "Nobody in the directory has that e-mail.")})
        if recipient.pk == giver.pk:
            raise ValidationError({"recipient_email": _(
                "You cannot recognise yourself — but you can thank a colleague who helped.")})
    if audience not in Audience.values:
        raise ValidationError({"audience": _("Choose who may see it from the list.")})
    audience_team = None
    if audience == Audience.PRIVATE and recipient is None:
        raise ValidationError({"audience": _(
            "A private thank-you goes to one person: choose another audience for a team.")})
    if audience == Audience.TEAM:
        audience_team = team if recipient is None else (
            Team.objects.filter(pk=recipient.team_id).first() if recipient.team_id else None)
        if audience_team is None:
            raise ValidationError({"audience": _(
                "They are not in a team in the directory: choose another audience.")})
    message = _clean_message(message)
    values = _clean_values(value_ids)
    verdict = screen(message)
    with transaction.atomic():
        recognition = Recognition.objects.create(
            giver=giver, recipient=recipient, team=team, audience=audience,
            audience_team=audience_team, message=message,
            status=RecognitionStatus.HELD if verdict.held else RecognitionStatus.PUBLISHED,
            held_reason=verdict.reason)
        recognition.values.set(values)
    return recognition


def toggle_reaction(*, person: Person, recognition: Recognition, kind: str) -> bool:
    """Add PERSON's reaction of KIND, or take it back if there was one. True when added."""
    if kind not in ReactionKind.values:
        raise ValidationError(_("Choose a reaction from the list."))
    if recognition.status != RecognitionStatus.PUBLISHED:
        raise ValidationError(_("Only published recognition can be reacted to."))
    with transaction.atomic():
        deleted, _detail = Reaction.objects.filter(
            recognition=recognition, person=person, kind=kind).delete()
        if deleted:
            return False
        try:
            with transaction.atomic():
                Reaction.objects.create(recognition=recognition, person=person, kind=kind)
        except IntegrityError:  # a double click raced us: the reaction is there
            pass
    return True


# Moderation (coordinators) ---------------------------------------------------------------

# The coordinator's reason replaces the screen's in held_reason when they reject: it is then
# what the author reads beside their text.
REASON_MAX = max_length(Recognition, "held_reason")


def clean_decision_reason(reason: str, *, publish: bool) -> str:
    """The coordinator's reason for a decision: required to reject, optional to publish."""
    reason = " ".join(reason.split())
    if not reason and not publish:
        raise ValidationError({"reason": _(
            "Say why it is not published: its author will read your reason.")})
    if len(reason) > REASON_MAX:
        raise ValidationError({"reason": _("Keep the reason to %(max)d characters; this is "
                                           "%(n)d.") % {"max": REASON_MAX, "n": len(reason)}})
    return reason


def tell_author_of_decision(*, author: Person | None, what: str, written_at: datetime,
                            published: bool, reason: str, path: str) -> None:
    """E-mail AUTHOR, after commit, that a coordinator published (or did not publish) the
    recognition or comment (WHAT) they wrote at WRITTEN_AT: the reason and a link, never
    the text. Milestones have no author, and nobody who has left is e-mailed."""
    if author is None or not author.is_active or not author.email:
        return
    subject, decided = {
        ("recognition", True): (
            _("Your recognition is published"),
            _("A coordinator has read the recognition you wrote on %(date)s and published "
              "it.")),
        ("recognition", False): (
            _("Your recognition was not published"),
            _("A coordinator has read the recognition you wrote on %(date)s and decided not "
              "to publish it. Only you can see it.")),
        ("comment", True): (
            _("Your comment is published"),
            _("A coordinator has read the comment you wrote on %(date)s and published it.")),
        ("comment", False): (
            _("Your comment was not published"),
            _("A coordinator has read the comment you wrote on %(date)s and decided not to "
              "publish it. Only you can see it.")),
    }[(what, published)]
    paragraphs = [_("Hello %(name)s,") % {"name": author.name},
                  decided % {"date": date_format(timezone.localtime(written_at), "j F Y")}]
    if reason:
        paragraphs.append(_("Their reason: %(reason)s") % {"reason": reason})
    paragraphs.append(_("See it in Haven: %(url)s") % {"url": absolute_url(path)})
    email_after_commit(recipients=[author.email], subject=subject,
                       body="\n\n".join(paragraphs))


def record_decision(item: Recognition | RecognitionComment, *, coordinator: Person,
                    publish: bool, reason: str) -> None:
    """Store a coordinator's decision on a held ITEM (locked by the caller) and audit it: the
    decision only, never the text or the reason."""
    item.status = RecognitionStatus.PUBLISHED if publish else RecognitionStatus.REJECTED
    item.moderated_by, item.moderated_at = coordinator, timezone.now()
    if not publish:
        item.held_reason = reason
    item.save(update_fields=["status", "held_reason", "moderated_by", "moderated_at"])
    audit(action=RecognitionAudit.RECOGNITION_MODERATED, actor=coordinator,
          object_type=("recognition_comment" if isinstance(item, RecognitionComment)
                       else "recognition"),
          object_id=item.pk,
          detail={"decision": "published" if publish else "rejected"})


def moderate(*, coordinator: Person, recognition_id: int, publish: bool,
             reason: str = "") -> Recognition:
    """Publish a held recognition or reject it with REASON (which its author then sees);
    audited without the text, and the author is e-mailed the decision."""
    reason = clean_decision_reason(reason, publish=publish)
    with transaction.atomic():
        recognition = (Recognition.objects.select_for_update()
                       .filter(pk=recognition_id, status=RecognitionStatus.HELD).first())
        if recognition is None:
            raise ValidationError(_("It has already been moderated."))
        if recognition.giver_id == coordinator.pk:
            raise ValidationError(_("Another coordinator must decide on your own recognition."))
        record_decision(recognition, coordinator=coordinator, publish=publish, reason=reason)
        tell_author_of_decision(
            author=recognition.giver, what="recognition", written_at=recognition.created_at,
            published=publish, reason=reason,
            path=reverse("recognition_detail", args=[recognition.pk]))
    return recognition


# Preferences ------------------------------------------------------------------------------

def preferences_of(person: Person) -> RecognitionPreferences:
    found = RecognitionPreferences.objects.filter(person=person).first()
    return found or RecognitionPreferences(person=person)


def save_preferences(*, person: Person, celebrate_milestones: bool,
                     weekly_digest: bool) -> RecognitionPreferences:
    """The weekly digest is one of the optional e-mails every person chooses in core's
    e-mail settings; this page offers the same choice beside the milestones."""
    with transaction.atomic():
        preferences, _created = RecognitionPreferences.objects.update_or_create(
            person=person, defaults={"celebrate_milestones": celebrate_milestones})
        set_email_choices(person=person, wanted={DIGEST_EMAIL.key: weekly_digest},
                          via="settings")
    return preferences


# Milestones (periodic job) -----------------------------------------------------------------

def _anniversary_days(today: date) -> list[tuple[int, int]]:
    days = [(today.month, today.day)]
    if (today.month, today.day) == (2, 28) and not _is_leap(today.year):
        days.append((2, 29))  # people who started on 29 February celebrate on the 28th
    return days


def _is_leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def post_work_anniversaries(*, today: date | None = None) -> int:
    """Post today's work anniversaries (from the directory's start dates) for everyone who has
    not opted out. Once per person and year, however often it runs."""
    today = today or timezone.localdate()
    on_day = Q()
    for month, day in _anniversary_days(today):
        on_day |= Q(start_date__month=month, start_date__day=day)
    people = (Person.objects.filter(on_day, is_active=True, start_date__lt=today)
              .exclude(recognition_preferences__celebrate_milestones=False)
              .exclude(pk__in=Recognition.objects.filter(  # the job runs every minute
                  kind=RecognitionKind.MILESTONE, milestone_key__startswith="anniversary:",
                  milestone_key__endswith=f":{today.year}").values("recipient"))
              .only("pk", "name", "start_date"))
    posted = 0
    for person in people:
        assert person.start_date is not None
        years = today.year - person.start_date.year
        if years < 1:
            continue
        message = ngettext("%(name)s celebrates %(n)d year with us today.",
                           "%(name)s celebrates %(n)d years with us today.", years) % {
            "name": person.name, "n": years}
        try:
            with transaction.atomic():
                Recognition.objects.create(
                    kind=RecognitionKind.MILESTONE, recipient=person, message=message,
                    audience=Audience.ORGANISATION,
                    milestone_key=f"anniversary:{person.pk}:{today.year}")
        except IntegrityError:  # posted already this year
            continue
        posted += 1
    return posted


# Weekly digest (periodic job) --------------------------------------------------------------

def digest_date(now: datetime) -> date | None:
    """This week's digest date, once its hour has come (local time); else None."""
    local = timezone.localtime(now)
    day = local.date() - timedelta(
        days=(local.weekday() - settings.HAVEN_RECOGNITION_DIGEST_WEEKDAY) % 7)
    starts = datetime.combine(day, time(min(settings.HAVEN_RECOGNITION_DIGEST_HOUR, 23)),
                              tzinfo=local.tzinfo)
    return day if local >= starts else None


def send_weekly_digests(*, now: datetime | None = None) -> int:
    """Once a week, e-mail each colleague who has not opted out how much recognition reached
    them (or their team) in the last seven days, and how much the whole organisation saw.
    Counts only, and a link. Nobody gets a digest with nothing in it for them: a week in which
    no recognition reached a person or their team sends them nothing, whatever the rest of the
    organisation saw (that is on the feed). Returns the number of e-mails queued."""
    now = now or timezone.now()
    day = digest_date(now)
    if day is None or RecognitionDigest.objects.filter(week=day).exists():
        return 0
    since = now - timedelta(days=7)
    published = Recognition.objects.filter(status=RecognitionStatus.PUBLISHED,
                                           created_at__gte=since)
    for_person = Counter(dict(published.filter(recipient__isnull=False)
                              .values_list("recipient").annotate(n=Count("pk"))))
    for_team = Counter(dict(published.filter(team__isnull=False)
                            .values_list("team").annotate(n=Count("pk"))))
    across = published.filter(audience=Audience.ORGANISATION).count()
    people = (Person.objects.filter(is_active=True).exclude(pk__in=opted_out(DIGEST_EMAIL.key))
              .only("pk", "name", "email", "is_active", "team_id"))
    mails: list[tuple[Person, str]] = []
    feed = absolute_url(reverse("recognition_feed"))
    for person in people:
        mine = for_person[person.pk] + (for_team[person.team_id] if person.team_id else 0)
        if not mine:
            continue
        body = "\n\n".join([
            _("Hello %(name)s,") % {"name": person.name},
            ngettext("This week %(n)d recognition reached you or your team.",
                     "This week %(n)d recognitions reached you or your team.", mine)
            % {"n": mine} + ("" if not across else " " + ngettext(
                "%(n)d was shared with the whole organisation.",
                "%(n)d were shared with the whole organisation.", across) % {"n": across}),
            _("Read them and say thank you: %(url)s") % {"url": feed},
        ])
        mails.append((person, body))
    try:
        with transaction.atomic():
            RecognitionDigest.objects.create(week=day, recipients=len(mails))
            for person, body in mails:
                optional_email(person=person, kind=DIGEST_EMAIL.key,
                               subject=_("Your week in recognition"), body=body)
    except IntegrityError:  # another worker sent this week's digest
        return 0
    return len(mails)
