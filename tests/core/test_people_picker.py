"""The people picker's search (core.selectors.people_for_picker and the people_search route)
and the naming of people by name or e-mail that every picker field falls back to."""

from __future__ import annotations

import pytest
from django import forms
from django.core.cache import cache
from django.template import Context, Template
from django.test import Client
from django.utils.html import escape

from haven.core import selectors
from haven.core.avatars import avatar_colour
from haven.core.models import AuditEvent, Person
from haven.core.picker import SEARCH_LIMIT, find_people, find_person
from haven.core.selectors import PICKER_MAX_RESULTS
from tests.conftest import signed_in
from tests.factories import TeamFactory, make_person

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> None:
    cache.clear()


@pytest.fixture
def viewer() -> Person:
    return make_person(name="Vera Viewer")


def names(people: list[Person]) -> list[str]:
    return [person.name for person in people]


def test_it_finds_people_by_part_of_their_name(viewer: Person) -> None:
    make_person(name="Ada Lovelace")
    make_person(name="Grace Hopper")

    assert names(selectors.people_for_picker(viewer=viewer, text="love")) == ["Ada Lovelace"]


def test_it_finds_people_by_their_team(viewer: Person) -> None:
    night = TeamFactory(name="Night shift")
    make_person(name="Ada Lovelace", team=night)
    make_person(name="Grace Hopper")

    assert names(selectors.people_for_picker(viewer=viewer, text="night")) == ["Ada Lovelace"]


def test_it_finds_a_person_by_their_whole_e_mail(viewer: Person) -> None:
    ada = make_person(name="Ada Lovelace")

    assert selectors.people_for_picker(viewer=viewer, text=ada.email.upper()) == [ada]


def test_it_lists_names_that_start_with_the_text_first(viewer: Person) -> None:
    make_person(name="Abel Sanders")
    make_person(name="Sandra Okoye")

    assert names(selectors.people_for_picker(viewer=viewer, text="sand")) == [
        "Sandra Okoye",
        "Abel Sanders",
    ]


def test_it_needs_two_characters(viewer: Person) -> None:
    make_person(name="Ada Lovelace")

    assert selectors.people_for_picker(viewer=viewer, text=" a ") == []
    assert names(selectors.people_for_picker(viewer=viewer, text="ad")) == ["Ada Lovelace"]


def test_it_lists_at_most_ten_people(viewer: Person) -> None:
    for number in range(PICKER_MAX_RESULTS + 3):
        make_person(name=f"Sam Number {number:02d}")

    found = selectors.people_for_picker(viewer=viewer, text="sam")

    assert len(found) == PICKER_MAX_RESULTS == 10


def test_it_never_lists_anyone_deactivated(viewer: Person) -> None:
    make_person(name="Ada Lovelace", is_active=False)

    assert selectors.people_for_picker(viewer=viewer, text="ada") == []


def test_it_leaves_out_the_viewer_unless_asked(viewer: Person) -> None:
    assert selectors.people_for_picker(viewer=viewer, text="vera") == []
    assert selectors.people_for_picker(viewer=viewer, text="vera", include_viewer=True) == [viewer]


def test_the_route_answers_name_team_and_e_mail(viewer: Person) -> None:
    ada = make_person(name="Ada Lovelace", team=TeamFactory(name="Night shift"))

    response = signed_in(viewer).get("/people/search/", {"q": "ada"})

    assert response.status_code == 200
    assert response.json() == {
        "people": [
            {
                "name": "Ada Lovelace",
                "team": "Night shift",
                "value": ada.email,
                "avatar": {"initials": "AL", "colour": avatar_colour("Ada Lovelace")},
            }
        ]
    }
    assert response["Cache-Control"] == "no-store"


# Accents and a hyphen, one name, a name without spaces, no letter at all, a letter written
# with a combining mark (NFD), and a name that is also markup.
AVATAR_NAMES = [
    "Amara Fernández-López",
    "Madonna",
    "李小龍",
    "— —",
    "🙂",
    "N\u0303andu O\u0308zil",
    "ßara Öz",
    "<b>Eve</b> Ng",
]


def test_the_route_answers_the_avatar_the_tag_draws(viewer: Person) -> None:
    team = TeamFactory(name="Avatar check")
    for name in AVATAR_NAMES:
        make_person(name=name, team=team)
    tag = Template("{% load haven_ui %}{% avatar name %}")

    found = signed_in(viewer).get("/people/search/", {"q": "avatar check"}).json()["people"]

    assert sorted(person["name"] for person in found) == sorted(AVATAR_NAMES)
    for person in found:
        drawn = person["avatar"]
        assert isinstance(drawn["colour"], int)
        # The markup picker.js builds from the answer (its text set as text, never as HTML).
        built = '<span class="avatar avatar--{}" aria-hidden="true">{}</span>'.format(
            drawn["colour"], escape(drawn["initials"])
        )
        assert built == tag.render(Context({"name": person["name"]})), person["name"]


def test_the_route_includes_the_viewer_only_when_asked(viewer: Person) -> None:
    client = signed_in(viewer)

    assert client.get("/people/search/", {"q": "vera"}).json() == {"people": []}
    assert [
        person["name"]
        for person in client.get("/people/search/", {"q": "vera", "me": "1"}).json()["people"]
    ] == ["Vera Viewer"]


def test_the_route_refuses_people_who_are_signed_out() -> None:
    make_person(name="Ada Lovelace")

    response = Client().get("/people/search/", {"q": "ada"})

    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_route_refuses_other_methods(viewer: Person) -> None:
    assert signed_in(viewer).post("/people/search/", {"q": "ada"}).status_code == 405


def test_the_route_is_rate_limited_per_person(viewer: Person) -> None:
    make_person(name="Ada Lovelace")
    client = signed_in(viewer)
    for _ in range(SEARCH_LIMIT):
        assert client.get("/people/search/", {"q": "ada"}).status_code == 200

    refused = client.get("/people/search/", {"q": "ada"})

    assert refused.status_code == 429
    assert refused.json()["people"] == [] and "Too many searches" in refused.json()["message"]
    # Someone else's searches are their own.
    assert signed_in(make_person()).get("/people/search/", {"q": "ada"}).status_code == 200


def test_a_search_leaves_no_trace_in_the_audit_log(viewer: Person) -> None:
    make_person(name="Ada Lovelace")
    client = signed_in(viewer)  # signing in is audited; searching is not
    before = AuditEvent.objects.count()

    client.get("/people/search/", {"q": "Lovelace"})

    assert AuditEvent.objects.count() == before


@pytest.mark.parametrize("typed", ["", "\x00a", "a" * 500, "%%", "__"])
def test_odd_searches_answer_calmly(viewer: Person, typed: str) -> None:
    make_person(name="Ada Lovelace")

    response = signed_in(viewer).get("/people/search/", {"q": typed})

    assert response.status_code == 200 and response.json() == {"people": []}


# Naming people without the picker --------------------------------------------------------------


def test_a_person_is_found_by_full_name_or_e_mail_in_any_case() -> None:
    ada = make_person(name="Ada Lovelace")

    assert find_person("  ada lovelace ") == ada
    assert find_person(ada.email.upper()) == ada


def test_an_unknown_or_shared_name_says_what_to_do() -> None:
    make_person(name="Sam Lee")
    make_person(name="Sam Lee")
    make_person(name="Ada Lovelace", is_active=False)

    with pytest.raises(forms.ValidationError, match="Nobody in the directory is called “Ada"):
        find_person("Ada Lovelace")
    with pytest.raises(forms.ValidationError, match="Nobody in the directory has that e-mail"):
        find_person("ghost@example.org")
    with pytest.raises(forms.ValidationError, match="More than one person is called “Sam Lee”"):
        find_person("Sam Lee")


def test_several_people_one_a_line_each_once() -> None:
    ada, grace = make_person(name="Ada Lovelace"), make_person(name="Grace Hopper")

    assert find_people(f"Ada Lovelace\n{grace.email}\n\n{ada.email}") == [ada, grace]
