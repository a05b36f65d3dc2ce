"""One time format, in the viewer's zone: the shared helper (haven/core/times.py), its
template filters, the conversation page, and coffee invitations (page and e-mail) in each
person's own zone rather than UTC."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.template import Context, Template
from django.utils import timezone

from haven.coffee import services as coffee
from haven.coffee.models import CoffeeGroup
from haven.core import times
from haven.core.models import Person, Role
from tests.coffee.conftest import colleague_in, joined
from tests.conftest import signed_in
from tests.factories import LocationFactory, make_person
from tests.support.chat_setup import open_chat

pytestmark = pytest.mark.django_db

NOON = datetime(2026, 7, 1, 12, 0, tzinfo=UTC)  # a Wednesday, summer time in both zones
SHOWN = re.compile(r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun) \d{1,2} [A-Z][a-z]{2}( \d{4})?, \d{2}:\d{2}$")


def test_a_moment_is_shown_in_the_given_zone_without_the_year_this_year() -> None:
    toronto = ZoneInfo("America/Toronto")
    assert times.shown_time(NOON, toronto, now=NOON) == "Wed 1 Jul, 08:00"
    assert times.shown_time(NOON, toronto, now=NOON, with_zone=True) == \
        "Wed 1 Jul, 08:00 (America/Toronto)"
    assert times.shown_time(NOON, ZoneInfo("Asia/Tokyo"), now=NOON) == "Wed 1 Jul, 21:00"


def test_another_year_is_shown_with_its_year() -> None:
    assert times.shown_time(NOON - timedelta(days=365), ZoneInfo("UTC"), now=NOON) == \
        "Tue 1 Jul 2025, 12:00"
    # New Year's Eve in UTC is already next year in Tokyo: the year is the viewer's.
    eve = datetime(2026, 12, 31, 20, 0, tzinfo=UTC)
    assert times.shown_time(eve, ZoneInfo("Asia/Tokyo"), now=NOON) == "Fri 1 Jan 2027, 05:00"


def test_an_unknown_or_missing_zone_falls_back_to_the_organisations() -> None:
    assert times.zone_name(times.zone_of("Mars/Olympus_Mons")) == "UTC"  # the test settings'
    assert times.zone_name(times.zone_of(None)) == "UTC"
    assert times.zone_name(times.zone_of("Europe/Berlin")) == "Europe/Berlin"


def test_the_filters_use_the_active_zone() -> None:
    template = Template("{% load haven_times %}{{ when|shown_time }}|{{ when|shown_time_zone }}"
                        "|{{ nothing|shown_time }}")
    with timezone.override(ZoneInfo("Europe/Berlin")):
        text = template.render(Context({"when": timezone.now(), "nothing": None}))
    plain, zoned, empty = text.split("|")
    assert SHOWN.match(plain)
    assert zoned == f"{plain} (Europe/Berlin)"
    assert empty == ""


def test_the_conversation_page_shows_message_times_in_the_viewers_zone_and_passes_it_on(
        supporter: Person) -> None:
    colleague = make_person(location=LocationFactory(name="Toronto", time_zone="America/Toronto"))
    chat = open_chat(colleague, supporter, first_message="Hello")
    sent_at = chat.messages.get().sent_at

    page = signed_in(colleague).get(f"/conversations/{chat.pk}/").content.decode()

    assert 'data-time-zone="America/Toronto"' in page
    shown = re.findall(r'<time datetime="[^"]+">([^<]+)</time>', page)
    assert shown == [times.shown_time(sent_at, ZoneInfo("America/Toronto"))]
    assert SHOWN.match(shown[0])


def _remote_pair() -> tuple[Person, Person, CoffeeGroup]:
    toronto = joined(colleague_in("Payments", "Engineering", location="Toronto",
                                  zone="America/Toronto"))
    berlin = joined(colleague_in("Payroll", "Finance", location="Berlin", zone="Europe/Berlin"))
    coffee.run_round()
    return toronto, berlin, CoffeeGroup.objects.get()


def test_a_coffee_introduction_tells_each_member_the_time_in_their_own_zone(
        commit: Any) -> None:
    with commit():
        toronto, berlin, group = _remote_pair()

    by_recipient = {tuple(message.to): message.body for message in mail.outbox}
    assert set(by_recipient) == {(toronto.email,), (berlin.email,)}
    for person, zone in ((toronto, "America/Toronto"), (berlin, "Europe/Berlin")):
        expected = times.shown_time(group.meet_at, ZoneInfo(zone), with_zone=True)
        assert f"Suggested time: {expected}." in by_recipient[(person.email,)]
        assert "(UTC)" not in by_recipient[(person.email,)]


def test_the_coffee_page_shows_the_suggested_time_in_the_viewers_zone() -> None:
    toronto, _berlin, group = _remote_pair()
    assert group.time_zone == "UTC"  # what the group stores; never what a person is shown

    page = signed_in(toronto).get("/coffee/").content.decode()

    expected = times.shown_time(group.meet_at, ZoneInfo("America/Toronto"), with_zone=True)
    assert f"Suggested time: {expected};" in page
    assert "(UTC)" not in page


@pytest.fixture
def supporter() -> Person:
    return make_person(Role.SUPPORTER)
