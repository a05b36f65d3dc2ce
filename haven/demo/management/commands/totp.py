from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from haven.core.models import Person
from haven.demo.seed import current_totp_code


class Command(BaseCommand):
    help = "Print a demo person's current MFA code. Demo mode only."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email")

    def handle(self, *args: Any, email: str, **options: Any) -> None:
        if not settings.HAVEN_DEMO:
            raise CommandError("totp works only in demo mode (HAVEN_DEMO=1).")
        person = Person.objects.filter(email=email.strip().lower()).first()
        if person is None:
            raise CommandError(f"Nobody in the directory has the e-mail {email}.")
        code = current_totp_code(person)
        if code is None:
            raise CommandError(f"{person.email} has no authenticator set up.")
        self.stdout.write(code)
