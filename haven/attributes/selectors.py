"""Reads for the attributes people may choose to share. A person's answers are read only for that
person; the inclusion insight reads them as groups, through haven.core.kanon."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import Http404

from haven.attributes.models import PersonAttribute, SharedAttribute
from haven.core.models import Person
from haven.core.selectors import MAX_ID


def offered() -> list[SharedAttribute]:
    """The questions people are asked now, by name."""
    return list(SharedAttribute.objects.filter(active=True))


def all_attributes() -> QuerySet[SharedAttribute]:
    """Every definition, for administrators. No counts of answers: a count can be a group
    smaller than k."""
    return SharedAttribute.objects.order_by("-active", "name")


def attribute_for_administrator(attribute_id: int) -> SharedAttribute:
    """One definition (the route is for administrators only); 404 when there is none."""
    found = (SharedAttribute.objects.filter(pk=attribute_id).first()
             if 0 < attribute_id <= MAX_ID else None)
    if found is None:
        raise Http404
    return found


@dataclass(frozen=True)
class MyAnswer:
    attribute: SharedAttribute
    value: str


def answers_of(person: Person) -> list[MyAnswer]:
    """PERSON's own answers, to questions on offer first. For PERSON's own page only."""
    rows = (PersonAttribute.objects.filter(person=person).select_related("attribute")
            .order_by("-attribute__active", "attribute__name"))
    return [MyAnswer(row.attribute, row.value) for row in rows]


def answers_by_attribute(attributes: list[SharedAttribute]) -> dict[int, dict[int, str]]:
    """attribute id -> person id -> answer, for the inclusion insight (which shows them only as
    k-anonymous groups). Answers no longer among the options count as not shared."""
    found: dict[int, dict[int, str]] = {attribute.pk: {} for attribute in attributes}
    options = {attribute.pk: set(attribute.options) for attribute in attributes}
    for attribute_id, person_id, value in PersonAttribute.objects.filter(
            attribute__in=attributes).values_list("attribute_id", "person_id", "value"):
        if value in options[attribute_id]:
            found[attribute_id][person_id] = value
    return found
