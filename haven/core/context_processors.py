"""The navigation each role sees."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from haven.core.access import allows, rule_for


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url_name: str


NAVIGATION = [
    NavItem(_("Home"), "home"),
    NavItem(_("Cases"), "case_inbox"),
    NavItem(_("Support"), "support_home"),
    NavItem(_("Supporting"), "supporter_home"),
    NavItem(_("Coffee"), "coffee_home"),
    NavItem(_("Activities"), "activities"),
    NavItem(_("Questions"), "questions"),
    NavItem(_("Recognition"), "recognition_feed"),
    NavItem(_("Reports"), "speakup_reports"),
    NavItem(_("Practice"), "coach_practice"),
    NavItem(_("Journal"), "journal"),
    NavItem(_("Programme"), "programme"),
    NavItem(_("Coffee rounds"), "coffee_rounds"),
    NavItem(_("Moderation"), "recognition_moderation"),
    NavItem(_("Inclusion insight"), "recognition_insight"),
    NavItem(_("Training"), "coach_progress"),
    NavItem(_("Speak-up counts"), "speakup_programme"),
    NavItem(_("Directory"), "directory"),
    NavItem(_("Import people"), "import_people"),
    NavItem(_("Audit log"), "audit_log"),
    NavItem(_("Programme settings"), "programme_settings"),
    NavItem(_("Coffee settings"), "coffee_round_settings"),
    NavItem(_("Activity settings"), "activity_settings"),
    NavItem(_("Speak-up settings"), "speakup_settings"),
    NavItem(_("Our values"), "recognition_values"),
    NavItem(_("Shared attributes"), "shared_attributes"),
    NavItem(_("Profile and security"), "profile"),
]


def navigation(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    current = request.resolver_match.url_name if request.resolver_match else None
    items = []
    for item in NAVIGATION:
        rule = rule_for(item.url_name)
        if rule is not None and allows(rule, user.roles):
            items.append({"label": item.label, "url": reverse(item.url_name),
                          "current": item.url_name == current})
    return {"nav_items": items}
