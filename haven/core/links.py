"""Absolute links to Haven's pages, for e-mails and anything read outside a browser tab."""

from __future__ import annotations

from django.conf import settings


def absolute_url(path: str) -> str:
    """PATH (from reverse()) under HAVEN_BASE_URL, the address people use to reach Haven."""
    return f"{settings.HAVEN_BASE_URL.rstrip('/')}{path}"
