"""Typed readers for Haven's environment variables; bad values fail loudly, in one line."""

from __future__ import annotations

import os
import re
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured


def _raw(name: str) -> str | None:
    """The value of NAME, or of the file named by NAME_FILE (for secrets)."""
    value = os.environ.get(name)
    file_name = os.environ.get(f"{name}_FILE")
    if value is not None and file_name:
        raise ImproperlyConfigured(f"Set {name} or {name}_FILE, not both.")
    if file_name:
        try:
            return Path(file_name).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ImproperlyConfigured(
                f"{name}_FILE points to {file_name!r}, which cannot be read: {exc.strerror}."
            ) from exc
    return value


def env_str(name: str, default: str = "") -> str:
    value = _raw(name)
    return default if value is None or value == "" else value


def env_bool(name: str, default: bool = False) -> bool:
    value = _raw(name)
    if value is None or value == "":
        return default
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be 1 or 0 (got {value!r}).")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    value = _raw(name)
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number (got {value!r}).") from None
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum} (got {number}).")
    return number


def env_float(
    name: str, default: float, *, minimum: float | None = None, maximum: float | None = None
) -> float:
    value = _raw(name)
    if value is None or value == "":
        return default
    try:
        number = float(value)
    except ValueError:
        raise ImproperlyConfigured(
            f"{name} must be a number such as 3.5 (got {value!r})."
        ) from None
    if number != number or number in (float("inf"), float("-inf")):  # nan, inf
        raise ImproperlyConfigured(f"{name} must be a finite number (got {value!r}).")
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum:g} (got {number:g}).")
    if maximum is not None and number > maximum:
        raise ImproperlyConfigured(f"{name} must be at most {maximum:g} (got {number:g}).")
    return number


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    value = _raw(name)
    if value is None or value.strip() == "":
        return list(default or [])
    return [item.strip() for item in value.split(",") if item.strip()]


_PERIOD_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def env_rates(name: str, default: str) -> tuple[tuple[int, int], ...]:
    """A comma-separated list of limits COUNT/PERIOD, such as "30/m,300/h" or "50/10m": each
    one (count, seconds). PERIOD is a unit (s, m, h, d), with a whole number before it if
    more than one."""
    text = env_str(name, default)
    rates: list[tuple[int, int]] = []
    for part in text.split(","):
        match = re.fullmatch(r"\s*(\d+)/(\d*)([smhd])\s*", part, flags=re.ASCII)
        count = int(match[1]) if match else 0
        seconds = int(match[2] or 1) * _PERIOD_UNITS[match[3]] if match else 0
        if not count or not seconds:
            raise ImproperlyConfigured(
                f"{name} must be limits such as 30/m,300/h: a count, a slash and a period "
                f"in s, m, h or d, such as 10m (got {text!r})."
            )
        rates.append((count, seconds))
    return tuple(rates)
