"""`haven journal verify FILE [--public-key HEX]`: check a journal's JSON export anywhere —
no settings, database or network, like `haven coach score` — so that whoever received an
export (HR's IT, a union, a lawyer) can run it with Haven installed and nothing else.

Exit status: 0 intact, 1 altered (each problem printed, naming the entry and version), 2 not a
readable export or a usage error. The signature is checked against --public-key (the key
printed in the PDF and on the server's verify page) or, without it, against the key inside
the export, which the output then asks the reader to compare."""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from haven.speakup.journal import verify

INTACT, ALTERED, UNREADABLE = 0, 1, 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="haven journal", description="The private incident journal's exports.")
    sub = parser.add_subparsers(dest="action", required=True)
    check = sub.add_parser("verify", help="check a journal's JSON export (exit 0 intact, "
                                          "1 altered, 2 unreadable)")
    check.add_argument("file", help="the .json export")
    check.add_argument("--public-key", default=None, metavar="HEX",
                       help="the server's signing key (64 hexadecimal digits, printed in the "
                            "PDF and on the verify page) the checkpoint must be signed with")
    return parser


def main(argv: list[str]) -> int:
    try:
        options = _parser().parse_args(argv)
    except SystemExit as stopped:  # argparse printed the usage and why
        return INTACT if stopped.code == 0 else UNREADABLE
    trusted = options.public_key.lower() if options.public_key else None
    if trusted is not None and not re.fullmatch(r"[0-9a-f]{64}", trusted):
        print("haven journal: --public-key takes the 64 hexadecimal digits printed in the PDF "
              "and on the verify page.", file=sys.stderr)
        return UNREADABLE
    path = Path(options.file)
    try:
        raw = path.read_bytes()
    except OSError as error:
        print(f"haven journal: cannot read {path}: {error.strerror}.", file=sys.stderr)
        return UNREADABLE
    try:
        result = verify.verify_bytes(raw, trusted_key=trusted)
    except verify.NotAnExport as error:
        print(f"haven journal: {error}", file=sys.stderr)
        return UNREADABLE
    for problem in result.problems:
        print(problem.describe())
    print(result.summary())
    if trusted is None and result.public_key:
        print(f"Checked against the key inside the export, {result.public_key}. Compare it "
              "with the key printed in the PDF and on the verify page of the Haven server "
              "that made it, or pass --public-key.")
    return INTACT if result.intact else ALTERED
