"""Initials avatars: the letters, a colour that follows the name shown and reads against
white, and pseudonyms never replaced by the name behind them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.template import Context, Template

from haven.core.avatars import AVATAR_COLOURS, avatar_colour, initials
from haven.support import offers
from tests.conftest import signed_in
from tests.factories import make_person
from tests.support.conftest import make_supporter, open_request

CSS = Path(__file__).resolve().parents[2] / "haven" / "static" / "haven" / "haven.css"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Noor Haddad", "NH"),
        ("ana maria lima", "AL"),  # first and last word, upper-cased
        ("Madonna", "M"),  # a single name: one letter
        ("Ελένη Παπαδοπούλου", "ΕΠ"),
        ("Иван Петров", "ИП"),
        ("李小龍", "李"),  # no spaces: one name
        ("山田 太郎", "山太"),
        ("ñandú Ñu", "ÑÑ"),
        ("N\u0303ew Moon", "ÑM"),  # a decomposed letter keeps its mark
        ("ßara Öz", "ßÖ"),  # ß would upper-case to two letters
        ("(Sam) O'Neil", "SO"),
        ("🙂 Kim", "K"),
        ("   ", "?"),
        ("", "?"),
    ],
)
def test_initials_are_the_first_letters_of_the_first_and_last_words(
    name: str, expected: str
) -> None:
    assert initials(name) == expected


def test_the_colour_follows_the_name_and_differs_between_names() -> None:
    names = [f"Person {n}" for n in range(40)]
    colours = [avatar_colour(name) for name in names]
    assert colours == [avatar_colour(name) for name in names]
    assert all(0 <= colour < AVATAR_COLOURS for colour in colours)
    assert len(set(colours)) == AVATAR_COLOURS


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def test_every_avatar_colour_has_a_css_class_with_white_text_at_4_5_to_1() -> None:
    found = dict(re.findall(r"\.avatar--(\d+) \{ background: #([0-9a-f]{6}); \}", CSS.read_text()))
    assert sorted(map(int, found)) == list(range(AVATAR_COLOURS))
    for number, colour in found.items():
        contrast = 1.05 / (_luminance(colour) + 0.05)
        assert contrast >= 4.5, f".avatar--{number} #{colour}: {contrast:.2f}:1"


def test_the_tag_hides_the_circle_from_screen_readers_and_keeps_markup_out() -> None:
    template = Template("{% load haven_ui %}{% avatar who %}")
    html = template.render(Context({"who": "<b>Eve"}))
    assert html == (
        f'<span class="avatar avatar--{avatar_colour("<b>Eve")}" aria-hidden="true">B</span>'
    )


@pytest.mark.django_db
def test_a_person_and_their_name_give_the_same_avatar() -> None:
    person = make_person(name="Noor Haddad")
    template = Template("{% load haven_ui %}{% avatar who %}")
    assert template.render(Context({"who": person})) == template.render(
        Context({"who": "Noor Haddad"})
    )
    assert ">NH</span>" in template.render(Context({"who": person}))


@pytest.mark.django_db
def test_a_supporters_conversation_list_draws_the_pseudonym_never_the_name() -> None:
    colleague = make_person(name="Zofia Kowalczyk")
    supporter = make_supporter(name="Tomas Berg")
    support_request = open_request(colleague, use_pseudonym=True)
    pseudonym = support_request.details.pseudonym
    offers.accept_offer(offer=support_request.offers.get(), supporter=supporter)

    body = signed_in(supporter).get("/supporter/").content.decode()

    avatar = Template("{% load haven_ui %}{% avatar name %}").render(Context({"name": pseudonym}))
    assert avatar in body and pseudonym in body
    assert "Zofia" not in body and ">ZK<" not in body
