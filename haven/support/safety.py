"""Crisis wording: when a colleague's message may signal a risk to life, Haven shows them the
organisation's crisis resources at once and shows the supporter the escalation protocol.
A cautious lexical check: it may fire on a false alarm, which costs a kind reminder; it reads
only the message being sent and keeps nothing but a yes/no."""

from __future__ import annotations

import re

_PATTERNS = [
    r"\bkill(ing)?\s+my\s*self\b",
    r"\bend(ing)?\s+(it\s+all|my\s+life|things)\b",
    r"\b(want|going|plan(ning)?)\s+to\s+end\s+it\b",
    r"\bsuicid(e|al)\b",
    r"\b(hurt(ing)?|harm(ing)?|cut(ting)?)\s+my\s*self\b",
    r"\bself[-\s]?harm",
    r"\b(don'?t|do\s+not|no\s+longer)\s+want\s+to\s+(live|be\s+alive|be\s+here|wake\s+up)\b",
    r"\bbetter\s+off\s+(dead|without\s+me)\b",
    r"\bwish\s+i\s+(was|were)\s+dead\b",
    r"\b(no|don'?t\s+see\s+(the|any))\s+(reason|point)\s+(to|in)\s+(live|living|go(ing)?\s+on)\b",
    r"\bwant(s|ing|ed)?\s+to\s+die\b",
    r"\b(take|taking)\s+my\s+(own\s+)?life\b",
    r"\bcan'?t\s+go\s+on\b",
    r"\boverdos(e|ing)\b",
]
_CRISIS = re.compile("|".join(_PATTERNS), re.IGNORECASE)
# Phones type ’ (and sometimes ‘ or ʼ) for an apostrophe: "don’t" must match "don't".
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "\uff07": "'"})


def signals_crisis(text: str) -> bool:
    return _CRISIS.search(text.translate(_APOSTROPHES)) is not None
