"""System checks for misconfiguration that would otherwise surface as a confusing failure."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.security, deploy=True)
def check_base_url(app_configs: Any, **kwargs: Any) -> list[Error]:
    base_url = settings.HAVEN_BASE_URL
    if not base_url.startswith("https://") and not settings.LOCAL:
        return [Error(
            "HAVEN_BASE_URL must be the https:// address people use to reach Haven; "
            "it goes into invitation and password e-mails.",
            id="haven.E001",
        )]
    return []
