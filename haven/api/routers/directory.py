"""/api/v1/directory: the directory for coordinators and administrators to read; administrators
also deactivate and reactivate people here."""

from django.db.models import QuerySet
from ninja import Field, Query, Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate
from pydantic import field_validator

from haven.api.schemas import (
    ErrorOut,
    Line,
    LocationOut,
    PersonActiveIn,
    PersonActiveOut,
    PersonOut,
    RefOut,
    TeamOut,
)
from haven.core import selectors, services
from haven.core.http import SignedInRequest
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
def list_people(request: SignedInRequest, filters: Query[PeopleFilter]) -> QuerySet[Person]:
    return selectors.people_for_directory(
        viewer=request.user, search=filters.q, role=filters.role or "", team_id=filters.team)


@router.get("/people/{person_id}", response={200: PersonOut, 404: ErrorOut},
            url_name="get_person")
def get_person(request: SignedInRequest, person_id: int) -> Person:
    return selectors.person_for_directory(viewer=request.user, person_id=person_id)


@router.get("/people/{person_id}/active", response={200: PersonActiveOut, 404: ErrorOut},
            url_name="person_active")
def get_person_active(request: SignedInRequest, person_id: int) -> PersonActiveOut:
    """Administrators: whether the person is active (may sign in)."""
    person = selectors.person_for_directory(viewer=request.user, person_id=person_id)
    return PersonActiveOut(person_id=person.pk, active=person.is_active)


@router.put("/people/{person_id}/active", response={200: PersonActiveOut, 404: ErrorOut,
                                                    422: ErrorOut},
            url_name="person_active")
def set_person_active(request: SignedInRequest, person_id: int,
                      payload: PersonActiveIn) -> PersonActiveOut:
    """Administrators: `{"active": false}` deactivates (offboards) the person at once — their
    sessions, live chats and API tokens end, their support conversations are handed over, and
    sign-in is refused; `{"active": true}` lets them sign in again. The last active
    administrator cannot be deactivated (422)."""
    person = selectors.person_for_directory(viewer=request.user, person_id=person_id)
    change = services.set_person_active(person=person, active=payload.active,
                                        actor=request.user, via="api")
    if person.pk == request.user.pk and not payload.active and hasattr(request, "session"):
        # Deactivated themselves over their browser session: its row is gone; saving it at
        # the end of this request would fail.
        request.session.flush()
    return PersonActiveOut(person_id=person.pk, active=person.is_active,
                           changed=change.changed, sessions_ended=change.sessions_ended,
                           tokens_revoked=change.tokens_revoked)


@router.get("/teams", response=list[TeamOut], url_name="list_teams")
def list_teams(request: SignedInRequest) -> QuerySet[Team]:
    return selectors.teams(viewer=request.user)


@router.get("/departments", response=list[RefOut], url_name="list_departments")
def list_departments(request: SignedInRequest) -> QuerySet[Department]:
    return selectors.departments(viewer=request.user)


@router.get("/locations", response=list[LocationOut], url_name="list_locations")
def list_locations(request: SignedInRequest) -> QuerySet[Location]:
    return selectors.locations(viewer=request.user)
