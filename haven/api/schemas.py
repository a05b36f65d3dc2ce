"""Shapes of the JSON the API reads and writes."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from ninja import Field, Schema
from pydantic import ConfigDict, StringConstraints


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


class PersonBase(Schema):
    id: int
    name: str
    email: str
    pronouns: str
    roles: list[str]  # always includes colleague
    languages: list[str]
    team: RefOut | None
    department: RefOut | None
    location: LocationOut | None

    @staticmethod
    def resolve_roles(obj: object) -> list[str]:
        return sorted(obj.roles)  # type: ignore[attr-defined]


class MeOut(PersonBase):
    time_zone: str | None


class MeIn(Schema):
    """What a person may change about themselves. Unknown fields are refused, not ignored:
    a client sending {"email": …} must learn that it changed nothing."""

    model_config = ConfigDict(extra="forbid")

    pronouns: str | None = Field(default=None, max_length=40)
    languages: list[Annotated[str, StringConstraints(max_length=20)]] | None = Field(
        default=None, max_length=12)


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
    changed: bool = Field(False, description="false when the person already was as asked")
    sessions_ended: int = 0
    tokens_revoked: int = 0
