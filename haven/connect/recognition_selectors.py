"""Reads for recognition and thanks: what each person may see, reactions, the moderation
queue. The inclusion insight for coordinators is in haven.connect.insight."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from haven.connect.recognition_models import (
    Audience,
    CompanyValue,
    Reaction,
    ReactionKind,
    Recognition,
    RecognitionStatus,
)
from haven.core.models import Person
from haven.core.selectors import MAX_ID

FEED_LIMIT = 50


def visible_to(viewer: Person) -> Q:
    """Published recognition VIEWER may read, and anything VIEWER wrote whatever its state
    (held recognition shows its author why)."""
    published = Q(status=RecognitionStatus.PUBLISHED) & (
        Q(audience=Audience.ORGANISATION)
        | Q(audience=Audience.TEAM, audience_team_id=viewer.team_id, audience_team__isnull=False)
        | Q(recipient=viewer) | Q(team_id=viewer.team_id, team__isnull=False))
    return published | Q(giver=viewer)


def recognition_for(*, viewer: Person, recognition_id: int) -> Recognition:
    """A published recognition VIEWER may see; 404 for everyone else, whatever their role."""
    if not 0 < recognition_id <= MAX_ID:
        raise Http404
    found = (Recognition.objects.filter(visible_to(viewer), pk=recognition_id,
                                        status=RecognitionStatus.PUBLISHED).first())
    if found is None:
        raise Http404
    return found


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


def _with_related(queryset: QuerySet[Recognition]) -> QuerySet[Recognition]:
    return (queryset.select_related("giver", "recipient", "recipient__team", "team")
            .prefetch_related("values"))


def feed(*, viewer: Person, limit: int = FEED_LIMIT) -> list[ShownRecognition]:
    """The newest recognition VIEWER may see, with reaction counts and VIEWER's own: a fixed
    number of queries however long the feed."""
    recognitions = list(_with_related(Recognition.objects.filter(visible_to(viewer)))[:limit])
    ids = [r.pk for r in recognitions if r.status == RecognitionStatus.PUBLISHED]
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
        shown.append(item)
    return shown


def recognition_to_moderate(recognition_id: int) -> Recognition:
    """Any recognition, for coordinators (the route is theirs); 404 when there is none."""
    found = (Recognition.objects.filter(pk=recognition_id).first()
             if 0 < recognition_id <= MAX_ID else None)
    if found is None:
        raise Http404
    return found


def held_for_moderation() -> list[Recognition]:
    return list(_with_related(Recognition.objects.filter(status=RecognitionStatus.HELD))
                .order_by("created_at", "id"))


def active_values() -> QuerySet[CompanyValue]:
    return CompanyValue.objects.filter(active=True)


def all_values() -> QuerySet[CompanyValue]:
    return CompanyValue.objects.annotate(uses=Count("recognitions"))
