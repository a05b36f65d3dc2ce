"""Background work for coffee pairings (django-tasks; the worker runs it)."""

from __future__ import annotations

from django_tasks import task

from haven.coffee.notices import introduce, tell_skipped


@task()
def introduce_groups(group_ids: list[int]) -> int:
    """E-mail each group its introduction and invitation; a round's groups in one task."""
    for group_id in group_ids:
        introduce(group_id=group_id)
    return len(group_ids)


@task()
def tell_unpaired(skip_ids: list[int]) -> int:
    """E-mail each person a round left out why, and what they can do; a round's in one task."""
    for skip_id in skip_ids:
        tell_skipped(skip_id=skip_id)
    return len(skip_ids)
