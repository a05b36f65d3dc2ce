"""The support app's periodic jobs (run by the worker's scheduler). Each returns how many
records it changed."""

from __future__ import annotations

from haven.core.scheduler import periodic
from haven.support import commitments, conversations, offers


@periodic
def expire_offers() -> int:
    return offers.expire_offers()


@periodic
def retry_waiting_requests() -> int:
    return offers.retry_waiting_requests()


@periodic
def alert_missed_first_responses() -> int:
    return offers.alert_missed_first_responses()


@periodic
def remind_commitments() -> int:
    return commitments.remind_commitments()


@periodic
def mark_missed_commitments() -> int:
    return commitments.mark_missed_commitments()


@periodic
def shred_expired_conversations() -> int:
    return conversations.shred_expired_conversations()
