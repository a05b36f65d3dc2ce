"""Reads for recognition and thanks: what each person may see, reactions, comments, the
moderation queue. The inclusion insight for coordinators is haven.insight."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.core.paginator import Page, Paginator
from django.db.models import Count, F, Q, QuerySet, Window
from django.db.models.functions import RowNumber
from django.http import Http404

from haven.core.models import Person
from haven.core.selectors import MAX_ID
from haven.recognition.models import (
    Audience,
    CompanyValue,
    Reaction,
    ReactionKind,
    Recognition,
    RecognitionComment,
    RecognitionKind,
    RecognitionStatus,
)

FEED_LIMIT = 50  # the API's list
FEED_PAGE_SIZE = 20  # a page of the feed: older recognition is on the next pages
FEED_COMMENTS = 3  # the latest comments shown under each recognition in the feed


def _published_for(viewer: Person, prefix: str = "") -> Q:
    """Published recognition VIEWER may read (their audience's, and what they gave); PREFIX
    reaches it from a related model."""
    def q(**lookups: object) -> Q:
        return Q(**{prefix + name: value for name, value in lookups.items()})

    return q(status=RecognitionStatus.PUBLISHED) & (
        q(audience=Audience.ORGANISATION)
        | q(audience=Audience.TEAM, audience_team_id=viewer.team_id, audience_team__isnull=False)
        | q(recipient=viewer) | q(team_id=viewer.team_id, team__isnull=False)
        | q(giver=viewer))


def visible_to(viewer: Person) -> Q:
    """Published recognition VIEWER may read, and anything VIEWER wrote whatever its state
    (held recognition shows its author why)."""
    return _published_for(viewer) | Q(giver=viewer)


def _recognition(recognition_id: int, condition: Q) -> Recognition:
    if not 0 < recognition_id <= MAX_ID:
        raise Http404
    found = Recognition.objects.filter(condition, pk=recognition_id).first()
    if found is None:
        raise Http404
    return found


def recognition_for(*, viewer: Person, recognition_id: int) -> Recognition:
    """A published recognition VIEWER may see; 404 for everyone else, whatever their role."""
    return _recognition(recognition_id, _published_for(viewer))


def readable_recognition(*, viewer: Person, recognition_id: int) -> Recognition:
    """A recognition VIEWER may read: published and in their audience, or their own in any
    state (its page then says why nobody else sees it). 404 for everyone else."""
    return _recognition(recognition_id, visible_to(viewer))


@dataclass(frozen=True)
class ReactionCount:
    kind: str
    label: str
    count: int
    mine: bool


@dataclass
class ShownRecognition:
    recognition: Recognition
    values: list[CompanyValue]
    reactions: list[ReactionCount] = field(default_factory=list)
    comments: list[RecognitionComment] = field(default_factory=list)  # oldest first
    comment_count: int = 0  # every comment VIEWER may read, shown or not


def _with_related(queryset: QuerySet[Recognition]) -> QuerySet[Recognition]:
    return (queryset.select_related("giver", "recipient", "recipient__team", "team")
            .prefetch_related("values"))


def comments_visible_to(viewer: Person) -> Q:
    """Comments VIEWER may read: under published recognition in VIEWER's audience, published
    or VIEWER's own in any state (a held comment shows its author why)."""
    return (_published_for(viewer, "recognition__")
            & (Q(status=RecognitionStatus.PUBLISHED) | Q(author=viewer)))


def _comments_by_recognition(
        viewer: Person, recognition_ids: list[int],
        latest: int | None) -> dict[int, tuple[list[RecognitionComment], int]]:
    """For each recognition, the comments VIEWER may read (only the LATEST few when given),
    oldest first, and how many VIEWER may read in all: one query."""
    if not recognition_ids:
        return {}
    ranked = (RecognitionComment.objects
              .filter(comments_visible_to(viewer), recognition_id__in=recognition_ids)
              .select_related("author")
              .annotate(rank=Window(RowNumber(), partition_by=F("recognition_id"),
                                    order_by=[F("created_at").desc(), F("id").desc()]),
                        total=Window(Count("pk"), partition_by=F("recognition_id"))))
    if latest is not None:
        ranked = ranked.filter(rank__lte=latest)
    found: dict[int, tuple[list[RecognitionComment], int]] = {}
    for comment in ranked:
        shown, _total = found.get(comment.recognition_id, ([], 0))
        shown.append(comment)
        found[comment.recognition_id] = (shown, comment.total)
    for shown, _total in found.values():
        shown.sort(key=lambda comment: (comment.created_at, comment.pk))
    return found


def comments_on(*, viewer: Person, recognition: Recognition) -> list[RecognitionComment]:
    """Every comment VIEWER may read under RECOGNITION, oldest first."""
    return _comments_by_recognition(viewer, [recognition.pk], None).get(
        recognition.pk, ([], 0))[0]


def _feed(viewer: Person) -> QuerySet[Recognition]:
    """What VIEWER's feed lists, newest first (the model's ordering), related rows loaded."""
    return _with_related(Recognition.objects.filter(visible_to(viewer)))


def feed(*, viewer: Person, limit: int = FEED_LIMIT) -> list[ShownRecognition]:
    """The newest recognition VIEWER may see, with reaction counts and VIEWER's own, and the
    latest comments: a fixed number of queries however long the feed."""
    return _shown(list(_feed(viewer)[:limit]), viewer, FEED_COMMENTS)


def feed_page(*, viewer: Person, number: str | int | None) -> tuple[Page[Recognition],
                                                                     list[ShownRecognition]]:
    """Page NUMBER of the feed (Paginator.get_page: the first page for anything that is not a
    page number, the last for a number past it) and its recognition, shown as in feed()."""
    page = Paginator(_feed(viewer), FEED_PAGE_SIZE).get_page(number)
    return page, _shown(list(page.object_list), viewer, FEED_COMMENTS)


def shown_recognition(*, viewer: Person, recognition_id: int) -> ShownRecognition:
    """One recognition VIEWER may read (readable_recognition's rules), as the feed shows it
    but with every comment."""
    recognition = readable_recognition(viewer=viewer, recognition_id=recognition_id)
    found = _with_related(Recognition.objects.filter(pk=recognition.pk))
    return _shown(list(found), viewer, None)[0]


def _shown(recognitions: list[Recognition], viewer: Person,
           latest_comments: int | None) -> list[ShownRecognition]:
    ids = [r.pk for r in recognitions if r.status == RecognitionStatus.PUBLISHED]
    comments = _comments_by_recognition(viewer, ids, latest_comments)
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    for recognition_id, kind, n in (Reaction.objects.filter(recognition_id__in=ids)
                                    .values_list("recognition_id", "kind")
                                    .annotate(n=Count("pk")).order_by()):
        counts[recognition_id][kind] = n
    mine = set(Reaction.objects.filter(recognition_id__in=ids, person=viewer)
               .values_list("recognition_id", "kind"))
    shown = []
    for recognition in recognitions:
        item = ShownRecognition(recognition, list(recognition.values.all()))
        if recognition.status == RecognitionStatus.PUBLISHED:
            item.reactions = [
                ReactionCount(kind, str(label), counts[recognition.pk].get(kind, 0),
                              (recognition.pk, kind) in mine)
                for kind, label in ReactionKind.choices]
            item.comments, item.comment_count = comments.get(recognition.pk, ([], 0))
        shown.append(item)
    return shown


def received(*, person: Person, since: datetime, limit: int) -> tuple[list[Recognition], int]:
    """Published recognition and thanks PERSON received since SINCE, newest first (giver and
    values loaded), and how many there are."""
    mine = Recognition.objects.filter(recipient=person, status=RecognitionStatus.PUBLISHED,
                                      created_at__gte=since)
    return list(_with_related(mine)[:limit]), mine.count()


def held_count() -> int:
    """Recognitions and comments waiting for a coordinator (the moderation pages list them)."""
    return (Recognition.objects.filter(status=RecognitionStatus.HELD).count()
            + RecognitionComment.objects.filter(status=RecognitionStatus.HELD).count())


def recognition_to_moderate(recognition_id: int) -> Recognition:
    """Any recognition, for coordinators (the route is theirs); 404 when there is none."""
    return _recognition(recognition_id, Q())


def held_for_moderation() -> list[Recognition]:
    return list(_with_related(Recognition.objects.filter(status=RecognitionStatus.HELD))
                .order_by("created_at", "id"))


def held_comments() -> list[RecognitionComment]:
    """Held comments for the coordinators' queue, with who wrote them and under whose
    recognition (not the recognition's text: a private thank-you stays private)."""
    return list(RecognitionComment.objects.filter(status=RecognitionStatus.HELD)
                .select_related("author", "recognition__giver", "recognition__recipient",
                                "recognition__team")
                .order_by("created_at", "id"))


def _comment(comment_id: int, condition: Q) -> RecognitionComment:
    found = (RecognitionComment.objects.filter(condition, pk=comment_id).first()
             if 0 < comment_id <= MAX_ID else None)
    if found is None:
        raise Http404
    return found


def comment_to_moderate(comment_id: int) -> RecognitionComment:
    """Any comment, for coordinators (the route is theirs); 404 when there is none."""
    return _comment(comment_id, Q())


def own_comment(*, viewer: Person, comment_id: int) -> RecognitionComment:
    """A comment VIEWER wrote, in any state; 404 for anyone else's."""
    return _comment(comment_id, Q(author=viewer))


def active_values() -> QuerySet[CompanyValue]:
    return CompanyValue.objects.filter(active=True)


def all_values() -> QuerySet[CompanyValue]:
    return CompanyValue.objects.annotate(uses=Count("recognitions"))


def received_since(since: datetime) -> list[tuple[int | None, int | None, datetime]]:
    """(recipient id, team id, when) for each published recognition given since SINCE, for the
    inclusion insight. Milestones are automatic, so they are not counted as reach."""
    return list(Recognition.objects.filter(
        kind=RecognitionKind.RECOGNITION, status=RecognitionStatus.PUBLISHED,
        created_at__gte=since).values_list("recipient_id", "team_id", "created_at"))
