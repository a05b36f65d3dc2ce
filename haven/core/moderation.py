"""A lexical screen for recognitions: insults, slurs and mocking or sarcastic "thanks" are held
for a coordinator instead of published. Deliberately plain word lists and patterns: it is
predictable, explainable to the author, and a coordinator reads everything it holds."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

# Phrases that contain a listed word but are kind; removed before matching.
_EXEMPT = [
    r"\bno (?:such thing as an? )?(?:stupid|dumb) questions?\b",
    r"\bbreaking (?:down|new ground|records?|the ice)\b",
    r"\bthanks? for nothing short of\b",
]

# Insults aimed at a person. Stems, so "idiots" and "idiotic" match too.
_INSULTS = [
    r"\bidiot\w*", r"\bmoron\w*", r"\bimbecile\w*", r"\bstupid\w*", r"\bdumb(?:est|er)?\b",
    r"\bincompetent\b", r"\buseless\b", r"\bpathetic\b", r"\bloser\w*", r"\bclown\w*",
    r"\bworthless\b", r"\bwaste of (?:space|oxygen|time)\b", r"\bshut up\b",
    r"\bnobody (?:likes|wants) you\b", r"\bget lost\b", r"\bdisgrace\b",
]

# Slurs: kept minimal on purpose and written as partial patterns; a coordinator reviews
# anything held, so recall matters more than a full lexicon here.
_SLURS = [
    r"\bretard\w*", r"\bspaz\w*", r"\bf[a@]gg?(?:[o0]ts?)?\b", r"\btrann\w*",
    r"\bcripple\w*", r"\bn[i1]gg\w*",
]

# Mocking or sarcastic thanks.
_SARCASM = [
    r"\bthanks? (?:you )?for nothing\b",
    r"\b(?:thanks?|thank you|cheers|well done|nice (?:one|going|work)|great job|good job)"
    r"\W+(?:genius|einstein|sherlock|captain obvious)\b",
    r"\b(?:great|good|nice|fantastic|brilliant|amazing|wonderful|stellar) "
    r"(?:job|work|going|effort) (?:on )?(?:breaking|ruining|wrecking|messing up|losing|"
    r"forgetting|crashing|deleting)\b",
    r"\bthanks? (?:a lot|so much|a million|again) for (?:breaking|ruining|wasting|wrecking|"
    r"nothing|making (?:it|this|things) worse)\b",
    r"(?:^|\s)/s\b",  # the sarcasm tag
    r"\bslow clap\b",
    r"\bsaid no ?one(?: ever)?\b",
    r"\byeah,? right\b",
    r"\bnot!",
]

_CATEGORIES = [
    ("slur", _SLURS, _("it contains a slur")),
    ("insult", _INSULTS, _("it reads as an insult")),
    ("sarcasm", _SARCASM, _("it reads as mocking or sarcastic thanks")),
]
_COMPILED = [(name, re.compile("|".join(patterns), re.IGNORECASE), reason)
             for name, patterns, reason in _CATEGORIES]
_EXEMPT_RE = re.compile("|".join(_EXEMPT), re.IGNORECASE)


@dataclass(frozen=True)
class Verdict:
    held: bool
    category: str = ""  # slur, insult or sarcasm
    reason: str = ""  # for the author: why it waits for a coordinator


PUBLISH = Verdict(held=False)


def screen(text: str) -> Verdict:
    """Whether TEXT should wait for a coordinator, and why. The first category that matches
    wins, the most serious first."""
    cleaned = _EXEMPT_RE.sub(" ", " ".join(text.replace("’", "'").split()))
    for name, pattern, reason in _COMPILED:
        if pattern.search(cleaned):
            return Verdict(held=True, category=name, reason=str(reason))
    return PUBLISH
