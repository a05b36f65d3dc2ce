"""Signals the directory sends, so that feature apps act on a change without core importing
them (core sits at the bottom of the layers)."""

from __future__ import annotations

from django.dispatch import Signal

# Sent with `person=` inside the transaction that deactivates them (services.set_person_active),
# after their sessions and tokens have ended: a receiver's writes commit or roll back with it,
# and whatever it sends live must wait for transaction.on_commit.
person_deactivated = Signal()
