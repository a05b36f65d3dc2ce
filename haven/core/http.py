"""The request type of views that only signed-in people reach: the access table
(haven/core/access.py) turns everyone else away first, so their user is a Person."""

from __future__ import annotations

from django.http import HttpRequest

from haven.core.models import Person


class SignedInRequest(HttpRequest):
    user: Person  # narrower than HttpRequest's: the point
