"""`haven deactivate EMAIL`: offboard a person at once (the person page's Deactivate, from a
shell). `haven reactivate EMAIL` undoes it."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from haven.core import services
from haven.core.models import Person


def change_active(command: BaseCommand, email: str, *, active: bool) -> None:
    person = Person.objects.filter(email=email.strip().lower()).first()
    if person is None:
        raise CommandError(f"Nobody in the directory has the e-mail {email}.")
    try:
        change = services.set_person_active(person=person, active=active, actor=None,
                                            via="command")
    except ValidationError as error:
        raise CommandError(" ".join(error.messages)) from None
    if not change.changed:
        state = "active" if active else "deactivated"
        command.stdout.write(f"{person.email} is already {state}; nothing changed.")
    elif active:
        command.stdout.write(f"Reactivated {person.email}: they can sign in again.")
    else:
        command.stdout.write(
            f"Deactivated {person.email}: {change.sessions_ended} session(s) ended, "
            f"{change.tokens_revoked} API token(s) revoked; they cannot sign in.")


class Command(BaseCommand):
    help = ("Deactivate a person at once: end their sessions, live chats and API tokens, hand "
            "their support conversations over, and refuse their sign-in until reactivated "
            "(`haven reactivate EMAIL`). Nothing else is deleted.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email", help="the person's work e-mail")

    def handle(self, *args: Any, email: str, **options: Any) -> None:
        change_active(self, email, active=False)
