"""The demo's seed (`haven seed-demo`): six months of history through the apps' services into
a fresh database, beside seeding the people alone in the same run for reference.
Target (issue 14): the whole history in under a minute."""

from __future__ import annotations

from bench import fresh_database, machine_description, timed

TARGET_SECONDS = 60.0


def main() -> int:
    with fresh_database("demo_people") as database:
        from haven.demo.seed import seed_demo

        reference, people = timed(lambda: seed_demo(history=False))
    with fresh_database("demo_history"):
        from haven.demo.seed import seed_demo

        whole, _count = timed(seed_demo)
    print(f"Demo seed of {people} people, {database}")
    print(f"  machine: {machine_description()}")
    print(f"  people only (reference)                       {reference}")
    print(f"  people and six months of history              {whole}")
    met = whole.wall < TARGET_SECONDS
    print(f"  target: under {TARGET_SECONDS:.0f} s wall: {'met' if met else 'NOT met'}")
    return 0 if met else 1
