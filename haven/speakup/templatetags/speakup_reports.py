"""{% case_inbox %}: a case handler's inbox on their home page (no content: the grouping and
deadlines only, as on the inbox page)."""

from __future__ import annotations

from typing import Any

from django import template

from haven.core.models import Person, Role
from haven.speakup.reports import selectors

register = template.Library()


@register.inclusion_tag("speakup/reports/home_inbox.html")
def case_inbox(person: Person) -> dict[str, Any]:
    if not person.has_role(Role.CASE_HANDLER):
        return {"shown": False}
    return {"shown": True, "groups": selectors.inbox(person),
            "has_keys": selectors.has_keys(person)}
