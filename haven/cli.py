"""The `haven` command: `haven demo`, `haven serve`, `haven worker`, `haven seed-demo`,
`haven import-people FILE.csv`, `haven invite EMAIL`, … — any Django management command works,
with hyphens or underscores."""

from __future__ import annotations

import argparse
import os
import sys

SUBCOMMANDS_HELP = """Usage: haven COMMAND [options]

Common commands:
  demo                 set up and run the demo organisation at http://127.0.0.1:8000
  serve                run the web server (ASGI, uvicorn)
  worker               run the background worker (reminders, re-offers, e-mail)
  seed-demo            create the demo organisation (demo mode only; idempotent)
  import-people FILE   import or update the directory from a CSV file
  invite EMAIL         send (or print) a person's invitation link
  deactivate EMAIL     offboard a person at once (sessions, live chats, tokens end)
  reactivate EMAIL     let a deactivated person sign in again
  mail-queue           e-mail waiting for a retry or failed (--resend, --drop)
  totp EMAIL           print a demo person's current MFA code (demo mode only)
  migrate              apply database migrations
  backup DIR           back up the database into DIR (never the master keys: keep them apart)
  restore DIR          restore a backup into an empty database (--replace: drop what is there)
  coach score          empathy coach: JSON Lines on stdin to results on stdout (no database)
  journal verify FILE  check an incident journal's JSON export (exit 0 intact, 1 altered;
                       no database needed; --public-key HEX pins the server's key)

Every Django management command also works: `haven help` lists them.
"""


def run_django(argv: list[str]) -> None:
    """Run a management command; a configuration error is one clear line, not a traceback."""
    from django.core.exceptions import ImproperlyConfigured

    try:
        from django.conf import settings
        from django.core.management import execute_from_command_line

        # Load settings first: Django's own runner swallows a settings error and, for its
        # built-in commands (makemigrations, migrate, …), fails later with a confusing
        # "Models aren't loaded yet" instead of the real reason.
        settings.INSTALLED_APPS  # noqa: B018
        execute_from_command_line(argv)
    except ImproperlyConfigured as error:
        print(f"haven: {error}", file=sys.stderr)
        sys.exit(2)


def _demo_port(args: list[str]) -> int:
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--port", default="8000")
    try:
        return int(parser.parse_known_args(args)[0].port)
    except ValueError:  # not a number: the demo command itself will say so
        return 8000


def main() -> None:
    args = sys.argv[1:]
    if not args or args[0] in {"-h", "--help"}:
        print(SUBCOMMANDS_HELP)
        return
    if args[0] == "coach":
        # The coach needs no settings, database or network: skip Django's start-up entirely.
        from haven.coach.cli import main as coach_main

        sys.exit(coach_main(args[1:]))
    if args[0] == "journal":
        # Checking an export needs no settings or database either: it runs anywhere.
        from haven.speakup.journal.cli import main as journal_main

        sys.exit(journal_main(args[1:]))
    if args[0] == "demo":
        os.environ["HAVEN_DEMO"] = "1"
        # The demo's e-mailed links and its websocket origin check follow the port it serves on.
        os.environ.setdefault("HAVEN_BASE_URL", f"http://127.0.0.1:{_demo_port(args[1:])}")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "haven.settings")
    command = args[0].replace("-", "_") if not args[0].startswith("-") else args[0]
    run_django(["haven", command, *args[1:]])


if __name__ == "__main__":
    main()
