"""A string whose repr never shows its value: decrypted content and drafts travel as this, so a
debug log of a template context, a traceback's locals or an error report cannot print them."""

from __future__ import annotations


class Withheld(str):
    __slots__ = ()

    def __repr__(self) -> str:
        return "<withheld>"
