"""Languages by name (haven/core/languages.py): names in the viewer's language and their own,
codes stored as before, codes Django does not know shown as they are."""

from __future__ import annotations

from django.template import Context, Template
from django.utils import translation

from haven.core.languages import in_stored_order, language_choices, language_name


def test_a_language_is_named_in_the_viewers_language_and_its_own() -> None:
    assert language_name("fr") == "French (français)"
    assert language_name("en") == "English"  # its own name is the same: said once
    with translation.override("fr"):
        assert language_name("de") == "Allemand (Deutsch)"


def test_stored_codes_of_any_case_are_named_and_unknown_ones_shown_as_they_are() -> None:
    assert language_name("pt-BR") == "Brazilian Portuguese (Português Brasileiro)"
    assert language_name("es-419") == "es-419"


def test_the_choices_are_every_named_language_sorted_by_the_name_shown() -> None:
    choices = language_choices()

    assert len(choices) == 100  # Django's LANG_INFO, without its fallback-only entries
    assert ("pt-BR", "Brazilian Portuguese (Português Brasileiro)") in choices
    shown = [name.casefold() for _code, name in choices]
    assert shown == sorted(shown)
    with translation.override("fr"):
        assert language_choices()[:3] == [("af", "Afrikaans"), ("sq", "Albanais (shqip)"),
                                          ("de", "Allemand (Deutsch)")]


def test_a_stored_code_outside_the_list_stays_a_choice() -> None:
    assert ("es-419", "es-419") in language_choices(keep=["es-419", "en"])


def test_codes_already_stored_keep_their_order() -> None:
    assert in_stored_order(["de", "en", "fr"], ["fr", "pl", "en"]) == ["fr", "en", "de"]


def test_the_template_filter_names_a_list_of_codes() -> None:
    shown = Template("{% load haven_languages %}{{ codes|language_names }}").render(
        Context({"codes": ["fr", "xx"]}))

    assert shown == "French (français), xx"
