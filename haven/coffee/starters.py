"""Conversation starters for coffee groups: light, open, and about nobody's private life unless
they choose. Each group gets a few, chosen from its id, so everyone in it sees the same."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

STARTERS = [
    _("What did you work on this week that you would like more people to know about?"),
    _("What is something you learned recently, at work or outside it?"),
    _("How did you end up in the job you do now?"),
    _("What does a good day at work look like for you?"),
    _("Which tool, shortcut or habit saves you the most time?"),
    _("Who helped you when you were new here, and how?"),
    _("What is a small thing that would make your team's week easier?"),
    _("What are you looking forward to this month?"),
    _("If you could swap jobs with someone here for a day, whose would you pick?"),
    _("What is the best piece of advice you have been given about work?"),
    _("What is a project you are proud of, from any time in your life?"),
    _("What do people often misunderstand about what your team does?"),
    _("Where would you go if you had a free afternoon tomorrow?"),
    _("What is something you are trying to get better at?"),
    _("What book, podcast or video made you think recently?"),
    _("What was your first job, and what did it teach you?"),
    _("Which part of the organisation would you like to know more about?"),
    _("What has surprised you most about working here?"),
    _("How do you like to be thanked for good work?"),
    _("What is a tradition, at home or at work, that you enjoy?"),
    _("What would you tell someone starting in your role next week?"),
    _("What helps you switch off at the end of a working day?"),
]

PER_GROUP = 3


def starters_for(group_id: int, count: int = PER_GROUP) -> list[int]:
    """COUNT different starters for a group, spread over the list as group ids grow."""
    size = len(STARTERS)
    step = 7  # coprime with the list's length, so consecutive groups get different starters
    first = (group_id * 5) % size
    return [(first + k * step) % size for k in range(min(count, size))]


def starter_texts(indexes: list[int]) -> list[str]:
    return [str(STARTERS[index]) for index in indexes if 0 <= index < len(STARTERS)]
