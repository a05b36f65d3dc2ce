"""What coffee pairings tell people by e-mail once a round has run: each group its
introduction (with a calendar invitation), and each person left out why. Run by the worker's
tasks (haven/coffee/tasks.py); names, times and starters only — nothing anyone wrote."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from haven.coffee import skips
from haven.coffee.invitations import invitation_ics
from haven.coffee.models import COFFEE_EMAIL, CoffeeGroup, CoffeeSkip, MeetingMode
from haven.coffee.starters import starter_texts
from haven.core import times
from haven.core.links import absolute_url
from haven.core.mail import optional_email


def introduce(*, group_id: int) -> None:
    """E-mail a group's introduction, with the calendar invitation attached, to each member
    (an optional e-mail: each carries its own unsubscribe link). Names, the suggested time
    and the starters only: nothing anyone wrote. The time is written in each member's own
    zone, never in UTC or in someone else's zone."""
    group = CoffeeGroup.objects.select_related("location").get(pk=group_id)
    members = [membership.person for membership in
               group.memberships.select_related("person", "person__team", "person__location")]
    names = [member.name for member in members]
    subject = _("Coffee: meet %(names)s") % {"names": _join_names(names)}
    where = (_("in person at %(place)s") % {"place": group.location.name}
             if group.mode == MeetingMode.IN_PERSON and group.location else _("on a video call"))

    def body(when: str) -> str:
        return "\n".join(str(line) for line in [
            _("Hello %(names)s,") % {"names": _join_names(names)},
            "",
            _("You are this round's coffee group. Find half an hour to meet %(where)s; the "
              "attached invitation suggests a time, but pick any that suits you all.") % {
                "where": where},
            _("Suggested time: %(when)s.") % {"when": when},
            "",
            *[f"- {member.name}" + (f" ({member.team.name})" if member.team else "")
              for member in members],
            "",
            _("Something to talk about, if you need it:"),
            *[f"- {text}" for text in starter_texts(group.starters)],
            "",
            _("Afterwards, let us know whether you met: %(link)s") % {
                "link": absolute_url(reverse("coffee_home"))},
            _("To change how often you take part, or to stop: %(link)s") % {
                "link": absolute_url(reverse("coffee_settings"))},
        ])

    calendar = [["coffee.ics", invitation_ics(group, members).decode(), "text/calendar"]]
    for member in members:
        when = times.shown_time(group.meet_at, times.zone_of(member.time_zone), with_zone=True)
        optional_email(person=member, kind=COFFEE_EMAIL.key, subject=str(subject),
                       body=body(when), attachments=calendar)


def tell_skipped(*, skip_id: int) -> None:
    """E-mail someone left out of a round why, and what they can do: the same sentences as
    their coffee page, and links. Nobody else is named."""
    skip = CoffeeSkip.objects.select_related("person").filter(pk=skip_id).first()
    if skip is None:
        return
    explanation = skips.explain(skip.reason)
    lines = [
        _("Hello %(name)s,") % {"name": skip.person.name},
        "",
        _("This round of coffee pairings could not find you a group."),
        str(explanation.why),
        str(explanation.what_to_do),
        _("You are still due, so the next round includes you."),
        "",
        _("Your coffee page: %(link)s") % {"link": absolute_url(reverse("coffee_home"))},
        _("To change how you take part, or to stop: %(link)s") % {
            "link": absolute_url(reverse("coffee_settings"))},
    ]
    optional_email(person=skip.person, kind=COFFEE_EMAIL.key,
                   subject=str(_("Coffee: no group for you this round")),
                   body="\n".join(str(line) for line in lines))


def _join_names(names: list[str]) -> str:
    if len(names) <= 1:
        return "".join(names)
    return _("%(first)s and %(last)s") % {"first": ", ".join(names[:-1]), "last": names[-1]}
