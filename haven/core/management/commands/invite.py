from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from haven.core import services
from haven.core.models import Person


class Command(BaseCommand):
    help = "E-mail a person their invitation link (or only print it with --print)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email")
        parser.add_argument("--print", action="store_true", dest="print_only",
                            help="Print the link instead of e-mailing it.")

    def handle(self, *args: Any, email: str, print_only: bool, **options: Any) -> None:
        person = Person.objects.filter(email=email.strip().lower()).first()
        if person is None:
            raise CommandError(f"Nobody in the directory has the e-mail {email}.")
        if print_only:
            if person.has_usable_password():
                raise CommandError(f"{person.email} has already accepted an invitation.")
            self.stdout.write(services.invitation_url(person))
            return
        try:
            url = services.send_invitation(person=person, actor=None)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        self.stdout.write(f"Invitation sent to {person.email}: {url}")
