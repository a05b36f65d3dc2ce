"""Background work for coffee pairings (django-tasks; the worker runs it)."""

from __future__ import annotations

from django_tasks import task


@task()
def introduce_groups(group_ids: list[int]) -> int:
    """E-mail each group its introduction and invitation; a round's groups in one task."""
    from haven.connect.services import introduce

    for group_id in group_ids:
        introduce(group_id=group_id)
    return len(group_ids)
