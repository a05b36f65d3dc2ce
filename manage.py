#!/usr/bin/env python
"""Django's command-line utility for Haven; `haven` (haven/cli.py) wraps the common commands."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "haven.settings")
    from haven.cli import run_django

    run_django(sys.argv)


if __name__ == "__main__":
    main()
