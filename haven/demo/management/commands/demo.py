from __future__ import annotations

import os
import signal
import subprocess
import sys
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from haven.demo.ports import busy_port_hint, port_in_use
from haven.demo.seed import DEMO_ACCOUNTS, DEMO_PASSWORD, DEMO_TOTP_SECRET


class Command(BaseCommand):
    help = "Set up and run the demo organisation: migrate, seed, web server and worker."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--no-serve", action="store_true",
                            help="Only migrate and seed; do not start the server.")

    def handle(self, *args: Any, port: int, no_serve: bool, **options: Any) -> None:
        if not settings.HAVEN_DEMO:
            raise CommandError("Run the demo with `haven demo`, which sets HAVEN_DEMO=1.")
        if not no_serve and port_in_use("127.0.0.1", port):
            raise CommandError(busy_port_hint(port))
        self.stdout.write("Preparing the demo database under var/ …")
        call_command("migrate", interactive=False, verbosity=0)
        call_command("seed_demo")
        self._print_accounts(port)
        if no_serve:
            return
        env = {**os.environ, "HAVEN_DEMO": "1"}
        worker = subprocess.Popen([sys.executable, "-m", "haven.cli", "worker"], env=env)  # noqa: S603
        try:
            call_command("serve", host="127.0.0.1", port=port)
        finally:
            worker.send_signal(signal.SIGTERM)
            try:
                worker.wait(timeout=10)
            except subprocess.TimeoutExpired:
                worker.kill()

    def _print_accounts(self, port: int) -> None:
        out = self.stdout
        out.write("")
        out.write(self.style.SUCCESS(f"Haven demo: http://127.0.0.1:{port}"))
        out.write(f"Links in e-mails (printed here) use {settings.HAVEN_BASE_URL}")
        out.write(f"Every demo person's password is: {DEMO_PASSWORD}")
        for account in DEMO_ACCOUNTS:
            mfa = "  (MFA)" if account.needs_mfa else ""
            out.write(f"  {account.role:<14} {account.email}{mfa}")
        out.write("MFA: coordinators, case handlers and administrators enter a 6-digit code.")
        out.write("  Print the current code in another terminal: "
                  ".venv/bin/haven totp EMAIL   (with HAVEN_DEMO=1 set)")
        out.write(f"  or add this demo secret to an authenticator app: {DEMO_TOTP_SECRET}")
        out.write("Stop with Ctrl+C.")
        out.write("")
