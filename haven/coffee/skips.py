"""Why someone who was due got no coffee group: the codes stored in CoffeeSkip.reason and the
sentences each person reads about their own round. Never a name, never a hint of a block."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from haven.coffee import pairing
from haven.coffee.models import MeetingMode

ALONE_IN_PERSON = "alone_in_person"
ALONE_REMOTE = "alone_remote"
NO_NEW_PARTNER = "no_new_partner"
NO_LOCATION = "no_location"


@dataclass(frozen=True)
class Explanation:
    why: str | Promise
    what_to_do: str | Promise


EXPLANATIONS = {
    ALONE_IN_PERSON: Explanation(
        _("Nobody else who meets in person at your location was due this round."),
        _("You could switch to remote to meet colleagues anywhere, or invite colleagues at "
          "your location to join in person.")),
    ALONE_REMOTE: Explanation(
        _("Nobody else who meets remotely was due this round."),
        _("Nothing to do: as more colleagues join, you will be paired. If colleagues at your "
          "location meet in person, you could switch to in person.")),
    # The plan's "constrained": every possible partner was forbidden. Most often that is a
    # recent pair; it may be a block, which the sentence must not reveal, so it names neither.
    NO_NEW_PARTNER: Explanation(
        _("Everyone else who was due this round was already in a group, or was someone you "
          "are not paired with yet, such as a colleague you met in a recent round."),
        _("Nothing to do: new colleagues become due every round. Switching between in person "
          "and remote would also give you other colleagues to meet.")),
    NO_LOCATION: Explanation(
        _("You chose to meet in person, but no place to meet is set for you."),
        _("Choose where you would meet, or switch to remote, in how you take part.")),
}
UNKNOWN = Explanation(_("We could not find a group for you this round."),
                      _("Nothing to do: you stay due for the next round."))


def skip_reason(plan_reason: str, mode: str) -> str:
    """The stored code for a reason from haven.coffee.pairing, for someone meeting in MODE."""
    if plan_reason == pairing.ALONE:
        return ALONE_IN_PERSON if mode == MeetingMode.IN_PERSON else ALONE_REMOTE
    if plan_reason == pairing.CONSTRAINED:
        return NO_NEW_PARTNER
    if plan_reason == pairing.NO_LOCATION:
        return NO_LOCATION
    return plan_reason  # a reason added to the algorithm later reads as UNKNOWN until named


def explain(reason: str) -> Explanation:
    return EXPLANATIONS.get(reason, UNKNOWN)
