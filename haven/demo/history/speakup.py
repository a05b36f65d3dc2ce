"""Speak-up in the demo, through speakup's own services: the case handler's keys, the demo
colleague's incident journal, three people's reports naming the same person (released to the
case handler as one case) and one report held, waiting for others."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from haven.core.models import COLLEAGUE, Person
from haven.demo.history import texts
from haven.speakup.journal import services as journal
from haven.speakup.reports import services as reports

# Demo only, published like the demo password: the case handler's passphrase opens their case
# keys (docs/demo.md). Real case handlers choose their own and nobody else knows it.
DEMO_CASE_PASSPHRASE = "brightwater case keys 2026"


def seed_speakup(rng: random.Random, now: datetime, people: list[Person],
                 demo_colleague: Person, case_handler: Person) -> None:
    reports.set_up_keys(person=case_handler, passphrase=DEMO_CASE_PASSPHRASE,
                        confirm=DEMO_CASE_PASSPHRASE)
    others = [p for p in people if p.roles == {COLLEAGUE} and p.pk != demo_colleague.pk
              and p.team_id != demo_colleague.team_id]
    named, held_named = rng.sample([p for p in others if p.team_id is not None], 2)
    _journal(now, demo_colleague, named)
    reporters = [demo_colleague, *rng.sample(
        [p for p in others if p.pk not in (named.pk, held_named.pk)],
        len(texts.REPORTS) - 1)]
    for index, (reporter, (what, when, where)) in enumerate(
            zip(reporters, texts.REPORTS, strict=True)):
        reports.file_report(reporter=reporter, named_person_id=named.pk, named_text="",
                            what=what, when=when, where=where, send_now=False,
                            anonymous=index % 2 == 1)
    what, when, where = texts.HELD_REPORT
    reporter = rng.choice([p for p in others if p.pk not in {r.pk for r in reporters}
                           | {named.pk, held_named.pk}])
    reports.file_report(reporter=reporter, named_person_id=held_named.pk, named_text="",
                        what=what, when=when, where=where, send_now=False, anonymous=True)
    reports.deliver_released()


def _journal(now: datetime, author: Person, named: Person) -> None:
    for days_ago, where, what, impact in texts.JOURNAL:
        at = now - timedelta(days=days_ago)
        journal.write_entry(author=author, now=at, entry_input=journal.EntryInput(
            occurred_on=at.date(), what=what, where=where, people=[named], impact=impact))
