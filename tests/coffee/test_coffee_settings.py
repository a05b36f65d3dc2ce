"""The administrators' coffee settings: the first row's defaults from the environment, the
page (who may open it, bad input, the audit), and the schedule and no-repeat window that
follow the row."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from haven.coffee import selectors, services
from haven.coffee.models import CoffeeSettings, PairingRound
from haven.core.models import AuditEvent, Person
from tests.coffee.conftest import joined
from tests.factories import make_person

pytestmark = pytest.mark.django_db

URL = "/coffee/rounds/settings/"
GOOD = {"schedule_enabled": "yes", "weekday": "2", "hour": "15", "no_repeat_rounds": "4"}


def set_row(**fields: object) -> CoffeeSettings:
    row = selectors.coffee_settings()
    for name, value in fields.items():
        setattr(row, name, value)
    row.save()
    return row


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """A moment in March 2026 (the 2nd is a Monday), in the organisation's time."""
    return datetime(2026, 3, day, hour, minute, tzinfo=timezone.get_current_timezone())


# The loader -----------------------------------------------------------------------------------

def test_the_first_use_takes_the_environment_settings_as_defaults(settings: object) -> None:
    settings.HAVEN_COFFEE_WEEKDAY = 3  # type: ignore[attr-defined]
    settings.HAVEN_COFFEE_HOUR = 14  # type: ignore[attr-defined]
    settings.HAVEN_COFFEE_NO_REPEAT_ROUNDS = 4  # type: ignore[attr-defined]

    row = selectors.coffee_settings()

    assert (row.schedule_enabled, row.weekday, row.hour, row.no_repeat_rounds) == (
        True, 3, 14, 4)
    settings.HAVEN_COFFEE_HOUR = 7  # type: ignore[attr-defined]
    assert selectors.coffee_settings().hour == 14  # once saved, the row is what counts
    assert CoffeeSettings.objects.count() == 1


def test_environment_values_beyond_the_bounds_are_brought_within(settings: object) -> None:
    settings.HAVEN_COFFEE_WEEKDAY = 9  # type: ignore[attr-defined]
    settings.HAVEN_COFFEE_HOUR = 30  # type: ignore[attr-defined]
    settings.HAVEN_COFFEE_NO_REPEAT_ROUNDS = 100  # type: ignore[attr-defined]

    row = selectors.coffee_settings()

    assert (row.weekday, row.hour, row.no_repeat_rounds) == (6, 23, 52)


# The page -------------------------------------------------------------------------------------

def test_the_page_shows_the_current_settings(as_administrator: Client) -> None:
    set_row(weekday=4, hour=11, no_repeat_rounds=3)

    body = as_administrator.get(URL).content.decode()

    assert '<option value="4" selected>Friday</option>' in body
    assert '<option value="11" selected>11:00</option>' in body
    assert 'name="no_repeat_rounds" value="3"' in body
    assert 'value="yes" required id="id_schedule_enabled_0" checked' in body
    assert 'id="next-round"' in body


def test_saving_changes_the_row_and_audits_the_names_of_what_changed(
        administrator: Person, as_administrator: Client) -> None:
    selectors.coffee_settings()

    response = as_administrator.post(URL, GOOD, follow=True)

    assert response.redirect_chain[-1][0] == URL
    assert "Coffee settings saved." in response.content.decode()
    row = selectors.coffee_settings()
    assert (row.schedule_enabled, row.weekday, row.hour, row.no_repeat_rounds) == (
        True, 2, 15, 4)
    event = AuditEvent.objects.get(object_type="coffee_settings")
    assert event.action == "programme_settings_changed" and event.actor == administrator
    assert event.detail == {"fields": "hour,no_repeat_rounds,weekday"}


def test_saving_the_same_values_again_adds_nothing_to_the_audit_log(
        as_administrator: Client) -> None:
    as_administrator.post(URL, GOOD)
    as_administrator.post(URL, GOOD)

    assert AuditEvent.objects.filter(object_type="coffee_settings").count() == 1


@pytest.mark.parametrize(("field", "value", "message"), [
    ("weekday", "7", "Choose a day of the week from the list."),
    ("weekday", "Monday", "Choose a day of the week from the list."),
    ("hour", "24", "Choose an hour from 0 to 23."),
    ("hour", "-1", "Choose an hour from 0 to 23."),
    ("hour", "nine", "Choose an hour from 0 to 23."),
    ("no_repeat_rounds", "53", "Enter a whole number of rounds from 0 to 52."),
    ("no_repeat_rounds", "-2", "Enter a whole number of rounds from 0 to 52."),
    ("no_repeat_rounds", "six", "Enter a whole number of rounds from 0 to 52."),
    ("no_repeat_rounds", "", "Enter a whole number of rounds from 0 to 52."),
    ("schedule_enabled", "perhaps", "Choose whether rounds run on their own."),
])
def test_bad_input_is_a_clear_error_on_its_field_and_changes_nothing(
        as_administrator: Client, field: str, value: str, message: str) -> None:
    before = selectors.coffee_settings()

    response = as_administrator.post(URL, {**GOOD, field: value})

    assert response.status_code == 400
    body = response.content.decode()
    assert f'id="id_{field}_error">{message}</p>' in body
    assert 'class="error-summary"' in body
    after = CoffeeSettings.objects.get()
    assert (after.weekday, after.hour, after.no_repeat_rounds) == (
        before.weekday, before.hour, before.no_repeat_rounds)
    assert not AuditEvent.objects.filter(object_type="coffee_settings").exists()
    if field == "no_repeat_rounds" and value:
        assert f'name="no_repeat_rounds" value="{value}"' in body  # what was typed is kept


def test_the_service_refuses_out_of_range_values_too(administrator: Person) -> None:
    from django.core.exceptions import ValidationError

    selectors.coffee_settings()
    with pytest.raises(ValidationError) as error:
        services.update_coffee_settings(actor=administrator, schedule_enabled=True,
                                        weekday=7, hour=True, no_repeat_rounds=60)

    assert set(error.value.message_dict) == {"weekday", "hour", "no_repeat_rounds"}
    assert CoffeeSettings.objects.get().weekday == 0


def test_only_administrators_open_the_page(as_colleague: Client,
                                           as_coordinator: Client) -> None:
    for client in (as_colleague, as_coordinator):
        assert client.get(URL).status_code == 403
        assert client.post(URL, GOOD).status_code == 403
    assert not AuditEvent.objects.filter(object_type="coffee_settings").exists()
    assert CoffeeSettings.objects.filter(weekday=2).count() == 0
    assert Client().get(URL).status_code == 302  # signed out: to sign in


def test_the_rounds_page_links_administrators_to_the_settings(as_administrator: Client,
                                                              as_coordinator: Client) -> None:
    assert f'href="{URL}"' in as_administrator.get("/coffee/rounds/").content.decode()
    body = as_coordinator.get("/coffee/rounds/").content.decode()
    assert f'href="{URL}"' not in body
    assert "Administrators set the schedule in coffee settings." in body


def test_administrators_find_the_settings_in_the_navigation_and_on_home(
        as_administrator: Client) -> None:
    body = as_administrator.get("/").content.decode()

    assert body.count(f'href="{URL}"') == 2


def test_the_rounds_page_says_when_the_next_round_runs_or_that_the_schedule_is_off(
        as_coordinator: Client) -> None:
    set_row(weekday=timezone.localdate().weekday(), hour=23)
    now = timezone.localtime()
    if now.hour == 23:  # the slot has begun: it is due rather than ahead
        expected = "is due: the worker runs it within a minute"
    else:
        expected = f"The next scheduled round runs on {now:%A} {now.day} {now:%B} {now.year}, 23:00"

    assert expected in as_coordinator.get("/coffee/rounds/").content.decode()

    set_row(schedule_enabled=False)
    body = as_coordinator.get("/coffee/rounds/").content.decode()
    assert "The schedule is off: rounds run only when a coordinator runs one." in body


# The schedule follows the row -----------------------------------------------------------------

def test_the_next_round_is_next_week_once_this_weeks_has_run() -> None:
    set_row(weekday=0, hour=9)
    joined(), joined()

    assert selectors.next_scheduled_round(at(2, 8)).at == at(2, 9)
    assert selectors.next_scheduled_round(at(2, 10)).due_now
    services.run_due_round(now=at(2, 10))
    after = selectors.next_scheduled_round(at(2, 10))
    assert (after.at, after.due_now) == (at(9, 9), False)


def test_the_schedule_runs_on_the_rows_day_and_hour() -> None:
    set_row(weekday=2, hour=15)  # Wednesday, 15:00
    joined(), joined()

    assert services.run_due_round(now=at(4, 14, 59)) == 0
    assert not PairingRound.objects.exists()
    assert services.run_due_round(now=at(4, 15, 1)) == 1
    assert services.run_due_round(now=at(5, 9)) == 0
    assert PairingRound.objects.get().scheduled_for == at(4, 15).date()


def test_the_schedule_does_nothing_while_it_is_off() -> None:
    set_row(schedule_enabled=False, weekday=0, hour=9)
    joined(), joined()

    assert services.run_due_round(now=at(2, 10)) == 0
    assert selectors.next_scheduled_round(at(2, 10)) is None
    assert not PairingRound.objects.exists()


def test_moving_the_day_later_does_not_run_a_second_round_that_week() -> None:
    set_row(weekday=0, hour=9)
    joined(), joined()
    services.run_due_round(now=at(2, 10))  # Monday's round

    set_row(weekday=3)  # Thursday, decided on Tuesday: last Thursday's week had its round
    assert services.run_due_round(now=at(3, 10)) == 0
    assert PairingRound.objects.count() == 1
    assert selectors.next_scheduled_round(at(3, 10)).at == at(5, 9)


def test_no_repeat_follows_the_row() -> None:
    set_row(no_repeat_rounds=1)
    joined(), joined()
    now = timezone.now()

    results = [services.run_round(now=now + timedelta(weeks=week)).groups_made
               for week in range(3)]
    set_row(no_repeat_rounds=0)
    results.append(services.run_round(now=now + timedelta(weeks=3)).groups_made)

    # Met in week 0; week 1 still sees it in the last round; week 2 pairs them again, week 3
    # too, since nothing is kept apart any more.
    assert results == [1, 0, 1, 1]


def test_a_round_run_by_hand_ignores_the_schedule_switch() -> None:
    set_row(schedule_enabled=False)
    joined(), joined()

    services.run_round(run_by=make_person())

    assert PairingRound.objects.get().groups_made == 1
