"""A supporter's weekly availability: the structured editor (each day, up to RANGES time ranges
of two time inputs), its checks, and the readable summary. Stored as before, in the
supporter's own time zone: [{"weekday": 0-6, "start": "09:00", "end": "17:00"}]."""

from __future__ import annotations

from datetime import time
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

RANGES = 3  # time ranges a day in the form; more than enough for office hours and a break
DAYS = [gettext_lazy("Monday"), gettext_lazy("Tuesday"), gettext_lazy("Wednesday"),
        gettext_lazy("Thursday"), gettext_lazy("Friday"), gettext_lazy("Saturday"),
        gettext_lazy("Sunday")]
SHORT_DAYS = [gettext_lazy("Mon"), gettext_lazy("Tue"), gettext_lazy("Wed"),
              gettext_lazy("Thu"), gettext_lazy("Fri"), gettext_lazy("Sat"),
              gettext_lazy("Sun")]

Typed = list[list[tuple[str, str]]]  # per day, per range: (start, end) as typed


def merged(ranges: list[tuple[time, time]]) -> list[tuple[time, time]]:
    """Overlapping or touching ranges of one day as one (09:00–12:00 and 11:00–14:00 are
    09:00–14:00): the same hours, so matching and "free from" are unchanged."""
    out: list[tuple[time, time]] = []
    for start, end in sorted(ranges):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


def windows_from(typed: Typed) -> list[dict[str, Any]]:
    """The stored windows from what was typed; a ValidationError naming each day that is
    wrong, and what is wrong with it."""
    windows, problems = [], []
    for weekday, ranges in enumerate(typed):
        day, good = DAYS[weekday], []
        for start_text, end_text in ranges:
            if not start_text and not end_text:
                continue
            if not start_text or not end_text:
                problems.append(_("%(day)s: give both the start and the end of each time "
                                  "range.") % {"day": day})
                continue
            try:
                start, end = time.fromisoformat(start_text), time.fromisoformat(end_text)
            except ValueError:
                problems.append(_("%(day)s: write times such as 09:00.") % {"day": day})
                continue
            if end <= start:
                problems.append((_("%(day)s: the end %(end)s is before the start %(start)s.")
                                 if end < start else
                                 _("%(day)s: the end %(end)s is the same as the start."))
                                % {"day": day, "end": f"{end:%H:%M}",
                                   "start": f"{start:%H:%M}"})
                continue
            good.append((start.replace(second=0, microsecond=0),
                         end.replace(second=0, microsecond=0)))
        windows += [{"weekday": weekday, "start": f"{start:%H:%M}", "end": f"{end:%H:%M}"}
                    for start, end in merged(good)]
    if problems:
        raise ValidationError(problems)
    return windows


def typed_from(windows: list[dict[str, Any]]) -> Typed:
    """Stored windows as the form shows them (a day with more than RANGES keeps the first)."""
    typed: Typed = [[] for _day in DAYS]
    for window in sorted(windows, key=lambda w: (w["weekday"], w["start"])):
        typed[window["weekday"]].append((window["start"], window["end"]))
    return [(ranges + [("", "")] * RANGES)[:RANGES] for ranges in typed]


def describe(windows: list[dict[str, Any]]) -> str:
    """Readable: days with the same hours run together, e.g. "Mon–Fri 09:00–17:00; Sat
    10:00–12:00". Empty when there are none."""
    hours_by_day = ["; ".join(f"{w['start']}–{w['end']}" for w in sorted(
        (w for w in windows if w["weekday"] == weekday), key=lambda w: w["start"]))
        for weekday in range(len(DAYS))]
    parts, weekday = [], 0
    while weekday < len(DAYS):
        last = weekday
        while last + 1 < len(DAYS) and hours_by_day[last + 1] == hours_by_day[weekday]:
            last += 1
        if hours_by_day[weekday]:
            days = (str(SHORT_DAYS[weekday]) if last == weekday else
                    f"{SHORT_DAYS[weekday]}, {SHORT_DAYS[last]}" if last == weekday + 1 else
                    f"{SHORT_DAYS[weekday]}–{SHORT_DAYS[last]}")
            parts.append(f"{days} {hours_by_day[weekday]}")
        weekday = last + 1
    return "; ".join(parts)


class WeekHoursWidget(forms.Widget):
    """Each day a group of RANGES "from–to" pairs of time inputs; works without scripts."""

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Typed:
        return [[(str(data.get(f"{name}_{day}_{n}_start", "")).strip(),
                  str(data.get(f"{name}_{day}_{n}_end", "")).strip())
                 for n in range(RANGES)] for day in range(len(DAYS))]

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return False

    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None,
               renderer: Any = None) -> SafeString:
        typed = typed_from(value) if value and isinstance(value[0], dict) else (
            value or typed_from([]))
        days = []
        for day, ranges in enumerate(typed):
            pairs = format_html_join("", (
                '<span class="week-hours__range">'
                '<label class="visually-hidden" for="id_{0}_{1}_{2}_start">{3}</label>'
                '<input type="time" name="{0}_{1}_{2}_start" id="id_{0}_{1}_{2}_start" '
                'value="{4}"> – '
                '<label class="visually-hidden" for="id_{0}_{1}_{2}_end">{5}</label>'
                '<input type="time" name="{0}_{1}_{2}_end" id="id_{0}_{1}_{2}_end" '
                'value="{6}"></span>'), (
                (name, day, n, _("%(day)s, time range %(n)d, from") % {"day": DAYS[day],
                                                                      "n": n + 1},
                 start, _("%(day)s, time range %(n)d, to") % {"day": DAYS[day], "n": n + 1},
                 end) for n, (start, end) in enumerate(ranges)))
            days.append(format_html('<div class="week-hours__day" role="group" '
                                    'aria-labelledby="id_{0}_{1}_day">'
                                    '<span class="week-hours__name" id="id_{0}_{1}_day">{2}'
                                    '</span>{3}</div>', name, day, DAYS[day], pairs))
        return format_html('<div class="week-hours" id="id_{0}">{1}</div>', name,
                           SafeString("".join(days)))


class AvailabilityField(forms.Field):
    widget = WeekHoursWidget

    def clean(self, value: Any) -> list[dict[str, Any]]:
        return windows_from(value)
