"""Reporting lines, computed once per matching run from (person, manager) pairs."""

from __future__ import annotations

from collections import defaultdict

from haven.core.models import Person


class ReportingLines:
    def __init__(self) -> None:
        self._manager: dict[int, int | None] = dict(
            Person.objects.values_list("pk", "manager_id"))
        self._reports: dict[int, list[int]] = defaultdict(list)
        for person, manager in self._manager.items():
            if manager is not None:
                self._reports[manager].append(person)

    def managers(self, person_id: int) -> frozenset[int]:
        chain: set[int] = set()
        current = self._manager.get(person_id)
        while current is not None and current not in chain:  # the importer forbids cycles
            chain.add(current)
            current = self._manager.get(current)
        return frozenset(chain)

    def reports(self, person_id: int) -> frozenset[int]:
        below: set[int] = set()
        stack = list(self._reports.get(person_id, []))
        while stack:
            person = stack.pop()
            if person not in below:
                below.add(person)
                stack.extend(self._reports.get(person, []))
        return frozenset(below)
