"""/api/v1/directory: read-only directory for coordinators and administrators."""

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate
from pydantic import field_validator

from haven.api.schemas import ErrorOut, Line, LocationOut, PersonOut, RefOut, TeamOut
from haven.core import selectors
from haven.core.models import Department, Location, Person, Role, Team

router = Router(tags=["directory"])


class DirectoryPagination(LimitOffsetPagination):
    """Bounded, so a request cannot ask the database for an absurd page."""

    class Input(Schema):
        limit: int = Field(100, ge=1, le=500, description="People per page, 1–500.")
        offset: int = Field(0, ge=0, le=10_000_000, description="People to skip.")


class PeopleFilter(Schema):
    q: Line = Field("", max_length=selectors.MAX_SEARCH,
                   description="Part of a name or work e-mail address.")
    role: Role | None = None
    team: int | None = Field(None, ge=1, le=selectors.MAX_ID, description="A team id.")

    @field_validator("role", "team", mode="before")
    @classmethod
    def _empty_means_any(cls, value: object) -> object:
        # A form's "any" option sends role= or team=; the web directory reads it the same way.
        return None if value == "" else value


@router.get("/people", response=list[PersonOut], url_name="list_people")
@paginate(DirectoryPagination)
def list_people(request: HttpRequest, filters: Query[PeopleFilter]) -> QuerySet[Person]:
    return selectors.people_for_directory(
        viewer=request.user, search=filters.q, role=filters.role or "", team_id=filters.team)


@router.get("/people/{person_id}", response={200: PersonOut, 404: ErrorOut},
            url_name="get_person")
def get_person(request: HttpRequest, person_id: int) -> Person:
    return selectors.person_for_directory(viewer=request.user, person_id=person_id)


@router.get("/teams", response=list[TeamOut], url_name="list_teams")
def list_teams(request: HttpRequest) -> QuerySet[Team]:
    return selectors.teams(viewer=request.user)


@router.get("/departments", response=list[RefOut], url_name="list_departments")
def list_departments(request: HttpRequest) -> QuerySet[Department]:
    return selectors.departments(viewer=request.user)


@router.get("/locations", response=list[LocationOut], url_name="list_locations")
def list_locations(request: HttpRequest) -> QuerySet[Location]:
    return selectors.locations(viewer=request.user)
