"""The navigation each role sees: everyday pages first, then the Programme and Administration
menus, each shown only to people who may open at least one of its pages (docs/architecture.md,
"Navigation")."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from haven.core.access import allows, rule_for
from haven.core.models import Role


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url_name: str
    icon: str = ""
    # Narrower than the access table: show the entry only to holders of one of these roles.
    only_for: frozenset[str] | None = None


@dataclass(frozen=True)
class NavSection:
    heading: str | Promise | None
    items: tuple[NavItem, ...]


@dataclass(frozen=True)
class NavMenu:
    key: str
    label: str | Promise
    icon: str
    sections: tuple[NavSection, ...]


PRIMARY = (
    NavItem(_("Home"), "home", "home"),
    NavItem(_("Support"), "support_home", "chat"),
    NavItem(_("Supporting"), "supporter_home", "heart"),
    NavItem(_("Cases"), "case_inbox", "folder"),
    NavItem(_("Journal"), "journal", "book"),
    NavItem(_("Reports"), "speakup_reports", "flag"),
    NavItem(_("Coffee"), "coffee_home", "cup"),
    NavItem(_("Activities"), "activities", "calendar"),
    NavItem(_("Questions"), "questions", "question"),
    NavItem(_("Recognition"), "recognition_feed", "star"),
    NavItem(_("Practice"), "coach_practice", "target"),
)

MENUS = (
    NavMenu("programme", _("Programme"), "chart", (NavSection(None, (
        NavItem(_("Programme"), "programme"),
        NavItem(_("Coffee rounds"), "coffee_rounds"),
        NavItem(_("Moderation"), "recognition_moderation"),
        NavItem(_("Inclusion insight"), "recognition_insight"),
        NavItem(_("Training"), "coach_progress"),
        NavItem(_("Speak-up counts"), "speakup_programme"),
        # Administrators who are not coordinators find the directory under Administration.
        NavItem(_("Directory"), "directory", only_for=frozenset({Role.COORDINATOR})),
    )),)),
    NavMenu("administration", _("Administration"), "sliders", (
        NavSection(None, (
            NavItem(_("Import people"), "import_people"),
            NavItem(_("Audit log"), "audit_log"),
            NavItem(_("Directory"), "directory", only_for=frozenset({Role.ADMINISTRATOR})),
            NavItem(_("Our values"), "recognition_values"),
            NavItem(_("Shared attributes"), "shared_attributes"),
        )),
        NavSection(_("Settings"), (
            NavItem(_("Programme settings"), "programme_settings"),
            NavItem(_("Coffee settings"), "coffee_round_settings"),
            NavItem(_("Activity settings"), "activity_settings"),
            NavItem(_("Speak-up settings"), "speakup_settings"),
        )),
    )),
)

PERSONAL = (NavItem(_("Profile and security"), "profile", "person"),)


@dataclass
class NavLink:
    label: str | Promise
    url_name: str
    url: str
    icon: str
    current: bool


@dataclass
class ShownSection:
    heading: str | Promise | None
    links: list[NavLink]


@dataclass
class ShownMenu:
    key: str
    label: str | Promise
    icon: str
    sections: list[ShownSection]

    @property
    def current(self) -> bool:
        return any(link.current for section in self.sections for link in section.links)


@dataclass
class Navigation:
    primary: list[NavLink] = field(default_factory=list)
    menus: list[ShownMenu] = field(default_factory=list)
    personal: list[NavLink] = field(default_factory=list)

    def links(self) -> list[NavLink]:
        """Every link, in the order they are shown."""
        grouped = [link for menu in self.menus for section in menu.sections
                   for link in section.links]
        return [*self.primary, *grouped, *self.personal]


def navigation_for(roles: frozenset[str], current: str | None = None) -> Navigation:
    """What someone with ROLES sees: the entries the access table lets them open, each page
    once, and only the menus that hold at least one of them."""
    shown: set[str] = set()

    def links(items: tuple[NavItem, ...]) -> list[NavLink]:
        found = []
        for item in items:
            rule = rule_for(item.url_name)
            if (rule is None or not allows(rule, roles) or item.url_name in shown
                    or (item.only_for is not None and not item.only_for & roles)):
                continue
            shown.add(item.url_name)
            found.append(NavLink(item.label, item.url_name, reverse(item.url_name), item.icon,
                                 item.url_name == current))
        return found

    result = Navigation(primary=links(PRIMARY))
    for menu in MENUS:
        sections = [ShownSection(section.heading, found) for section in menu.sections
                    if (found := links(section.items))]
        if sections:
            result.menus.append(ShownMenu(menu.key, menu.label, menu.icon, sections))
    result.personal = links(PERSONAL)
    return result


def navigation(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": None}
    current = request.resolver_match.url_name if request.resolver_match else None
    return {"nav": navigation_for(user.roles, current)}
