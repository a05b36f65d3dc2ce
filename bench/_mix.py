"""What bench/load.py's virtual people open, by role: (path, weight) — pages and API reads.
tests/core/test_page_queries.py opens each of them as its role with a query-count ceiling."""

from __future__ import annotations

MIX: dict[str, list[tuple[str, int]]] = {
    "colleague": [
        ("/", 3), ("/support/", 1), ("/coffee/", 1), ("/activities/", 1), ("/questions/", 1),
        ("/recognition/", 2), ("/journal/", 1), ("/speakup/reports/", 1),
        ("/api/v1/me", 1), ("/api/v1/recognitions", 1), ("/api/v1/connect/questions", 1),
        ("/api/v1/support/conversations", 1),
    ],
    "supporter": [
        ("/", 2), ("/supporter/", 3), ("/support/", 1), ("/recognition/", 1),
        ("/api/v1/support/conversations", 1), ("/api/v1/support/profile/availability", 1),
    ],
    "coordinator": [
        ("/", 1), ("/programme/", 2), ("/directory/", 1), ("/questions/moderation/", 1),
        ("/recognition/insight/", 1), ("/speakup/programme/", 1), ("/coffee/rounds/", 1),
        ("/api/v1/directory/people", 1),
    ],
}
# How many virtual users of each role for every 20 (the rest of the organisation's proportions
# are the demo's: most people are colleagues).
ROLE_WEIGHTS = {"colleague": 14, "supporter": 4, "coordinator": 2}
# What the reference users' requests are named (a bare view through the same nginx and servers).
REFERENCE = "reference /livez"
