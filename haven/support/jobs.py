"""The support app's periodic jobs (run by the worker's scheduler). Each returns how many
records it changed."""

from __future__ import annotations

from haven.core.scheduler import periodic
from haven.support import conversations, services


@periodic
def expire_offers() -> int:
    return services.expire_offers()


@periodic
def retry_waiting_requests() -> int:
    return services.retry_waiting_requests()


@periodic
def alert_missed_first_responses() -> int:
    return services.alert_missed_first_responses()


@periodic
def remind_commitments() -> int:
    return conversations.remind_commitments()


@periodic
def mark_missed_commitments() -> int:
    return conversations.mark_missed_commitments()


@periodic
def shred_expired_conversations() -> int:
    return conversations.shred_expired_conversations()
