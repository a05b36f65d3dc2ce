"""Shapes of the JSON the API reads and writes."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from ninja import Field, Schema
from pydantic import (
    ConfigDict,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    StrictStr,
    StringConstraints,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, core_schema

from haven.core.text import refusal


class _CheckedText:
    """Annotated metadata for a request's string: refuses what haven.core.text refuses (a 422
    saying which character and where), before the type and length checks, which keep their
    own messages; anything not a string is left to them. The OpenAPI schema says which rule
    applies: "x-haven-text": "multi-line" or "single-line"."""

    def __init__(self, *, multiline: bool) -> None:
        self.multiline = multiline

    def _check(self, value: Any) -> Any:
        message = refusal(value, multiline=self.multiline) if isinstance(value, str) else None
        if message is not None:
            raise ValueError(message)
        return value

    def __get_pydantic_core_schema__(self, source: Any,
                                     handler: GetCoreSchemaHandler) -> CoreSchema:
        return core_schema.no_info_before_validator_function(self._check, handler(source))

    def __get_pydantic_json_schema__(self, schema: CoreSchema,
                                     handler: GetJsonSchemaHandler) -> JsonSchemaValue:
        json_schema = handler(schema)
        json_schema["x-haven-text"] = "multi-line" if self.multiline else "single-line"
        return json_schema


# Every string a request carries is one of these (tests/api/test_text_input.py fails on a
# request schema with a string that is not, and posts bad characters into each): text that
# may have lines, and a single line (a title, a name, an e-mail, a search), which also refuses
# tab, CR and LF. A length limit on an optional field goes before the check, inside the type:
# Annotated[StrictStr, StringConstraints(max_length=40), ONE_LINE] | None.
STORABLE = _CheckedText(multiline=True)
ONE_LINE = _CheckedText(multiline=False)
Text = Annotated[StrictStr, STORABLE]
Line = Annotated[StrictStr, ONE_LINE]
Email = Annotated[StrictStr, StringConstraints(max_length=254), ONE_LINE]


class StrictIn(Schema):
    """A request body: unknown fields are refused, so a client learns they changed nothing."""

    model_config = ConfigDict(extra="forbid")


class ErrorOut(Schema):
    message: str
    errors: list[dict[str, str]] = []


class RefOut(Schema):
    id: int
    name: str


class LocationOut(Schema):
    id: int
    name: str
    time_zone: str


class TeamOut(Schema):
    id: int
    name: str
    department: RefOut | None


# Pages show languages by name (haven/core/languages.py); the API keeps the stored codes.
LANGUAGES_ARE_CODES = ("Language codes as stored, e.g. en, fr, pt-BR (the pages show them by "
                       "name).")


class PersonBase(Schema):
    id: int
    name: str
    email: str
    pronouns: str
    roles: list[str]  # always includes colleague
    languages: list[str] = Field(description=LANGUAGES_ARE_CODES)
    team: RefOut | None
    department: RefOut | None
    location: LocationOut | None

    @staticmethod
    def resolve_roles(obj: object) -> list[str]:
        return sorted(obj.roles)  # type: ignore[attr-defined]


class MeOut(PersonBase):
    time_zone: str | None


_LanguageTag = Annotated[StrictStr, StringConstraints(max_length=20), ONE_LINE]


class MeIn(Schema):
    """What a person may change about themselves. Unknown fields are refused, not ignored:
    a client sending {"email": …} must learn that it changed nothing."""

    model_config = ConfigDict(extra="forbid")

    pronouns: Annotated[StrictStr, StringConstraints(max_length=40), ONE_LINE] | None = None
    languages: list[_LanguageTag] | None = Field(default=None, max_length=12,
                                                 description=LANGUAGES_ARE_CODES)


class PersonOut(PersonBase):
    job_level: int | None
    start_date: date | None
    manager_id: int | None
    active: bool  # false: deactivated, cannot sign in

    @staticmethod
    def resolve_active(obj: object) -> bool:
        return bool(obj.is_active)  # type: ignore[attr-defined]


class PersonActiveIn(Schema):
    model_config = ConfigDict(extra="forbid")

    active: bool = Field(description="false deactivates the person at once; true reactivates")


class PersonActiveOut(Schema):
    person_id: int
    active: bool
    changed: bool = Field(default=False, description="false when the person already was as asked")
    sessions_ended: int = 0
    tokens_revoked: int = 0
