"""Keyed tags for reports: the reporter's and the person named's, under the one speak-up tags
key (a vault data key). Without the master keys nobody can test a guess against a tag; with
them — the operator of this install — one can test every directory person (docs/threat-model.md).
"""

from __future__ import annotations

from django.db import transaction

from haven.core.models import Person
from haven.speakup.models import SpeakupKeys
from haven.vault import crypto
from haven.vault.models import DataKey


def tags_key() -> DataKey:
    row = SpeakupKeys.objects.select_related("tags").filter(pk=1).first()
    if row is not None:
        return row.tags
    with transaction.atomic():
        key = crypto.create_data_key(purpose="speakup-tags")
        row, created = SpeakupKeys.objects.get_or_create(pk=1, defaults={"tags": key})
    if not created:  # another process made it first: the one in the row counts
        crypto.shred(key)
    return row.tags


def normalise_name(text: str) -> str:
    """A free-text name as it is matched: case-folded, spaces collapsed."""
    return " ".join(text.casefold().split())


def reporter_tag(person_id: int) -> str:
    return crypto.keyed_tag(tags_key(), f"reporter:{person_id}")


def person_tag(person_id: int) -> str:
    return crypto.keyed_tag(tags_key(), f"person:{person_id}")


def name_tag(name: str) -> str:
    return crypto.keyed_tag(tags_key(), f"name:{normalise_name(name)}")


def tags_naming(person: Person) -> set[str]:
    """Every matching tag that names PERSON: by directory entry and by their name typed."""
    return {person_tag(person.pk), name_tag(person.name)}


def pseudonym(value: str) -> str:
    """An audit pseudonym (a reporter's, for one report): nobody without the tags key can tell
    whose it is."""
    return crypto.keyed_pseudonym(tags_key(), value)
