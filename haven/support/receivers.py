"""Live chats hear at once when their person signs out or changes their password; peer support
lets go of a person who is deactivated."""

from __future__ import annotations

from typing import Any

from allauth.account.signals import password_changed, password_reset
from django.contrib.auth.signals import user_logged_out
from django.dispatch import receiver
from django.http import HttpRequest

from haven.core.models import Person
from haven.core.signals import person_deactivated
from haven.support.live.events import sessions_changed
from haven.support.offboarding import release_person


@receiver(user_logged_out)
def _end_live_chats_of_the_session(sender: Any, request: HttpRequest, user: Person | None,
                                   **kwargs: Any) -> None:
    session = getattr(request, "session", None)
    if user is not None and session is not None and session.session_key:
        sessions_changed(user.pk, ended_session=session.session_key)


@receiver(password_changed)
@receiver(password_reset)
def _recheck_live_chats(sender: Any, request: HttpRequest, user: Person, **kwargs: Any) -> None:
    sessions_changed(user.pk)


@receiver(person_deactivated)
def _release_deactivated_person(sender: Any, person: Person, **kwargs: Any) -> None:
    release_person(person=person)
