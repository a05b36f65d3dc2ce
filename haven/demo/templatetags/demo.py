"""Demo-mode hints for the sign-in and MFA pages: empty outside demo mode, so a production
page never names an account or a shared password."""

from __future__ import annotations

from django import template
from django.conf import settings

from haven.demo.history.speakup import DEMO_CASE_PASSPHRASE
from haven.demo.seed import DEMO_ACCOUNTS, DEMO_PASSWORD, DemoAccount

register = template.Library()


@register.simple_tag
def demo_accounts() -> list[DemoAccount]:
    """The demo's named accounts, one per role; none outside demo mode."""
    return list(DEMO_ACCOUNTS) if settings.HAVEN_DEMO else []


@register.simple_tag
def demo_password() -> str:
    return DEMO_PASSWORD if settings.HAVEN_DEMO else ""


@register.simple_tag
def demo_case_passphrase() -> str:
    """The passphrase of the demo case handler's case keys (docs/demo.md)."""
    return DEMO_CASE_PASSPHRASE if settings.HAVEN_DEMO else ""


@register.simple_tag
def demo_mode() -> bool:
    return bool(settings.HAVEN_DEMO)
