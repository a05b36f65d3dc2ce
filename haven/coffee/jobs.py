"""Coffee pairings' periodic jobs (run by the worker's scheduler)."""

from __future__ import annotations

from haven.coffee import services
from haven.core.scheduler import periodic


@periodic
def run_due_coffee_round() -> int:
    return services.run_due_round()
