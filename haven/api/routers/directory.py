"""/api/v1/directory: read-only directory for coordinators and administrators."""


from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate

from haven.api.schemas import ErrorOut, LocationOut, PersonOut, RefOut, TeamOut
from haven.core import selectors
from haven.core.models import Department, Location, Person, Role, Team

router = Router(tags=["directory"])


class PeopleFilter(Schema):
    q: str = ""
    role: Role | None = None
    team: int | None = None


@router.get("/people", response=list[PersonOut], url_name="list_people")
@paginate(LimitOffsetPagination)
def list_people(request: HttpRequest, filters: Query[PeopleFilter]) -> QuerySet[Person]:
    return selectors.people_for_directory(
        viewer=request.user, search=filters.q[:100], role=filters.role or "",
        team_id=filters.team)


@router.get("/people/{person_id}", response={200: PersonOut, 404: ErrorOut},
            url_name="get_person")
def get_person(request: HttpRequest, person_id: int) -> Person:
    return selectors.person_for_directory(viewer=request.user, person_id=person_id)


@router.get("/teams", response=list[TeamOut], url_name="list_teams")
def list_teams(request: HttpRequest) -> QuerySet[Team]:
    return Team.objects.select_related("department")


@router.get("/departments", response=list[RefOut], url_name="list_departments")
def list_departments(request: HttpRequest) -> QuerySet[Department]:
    return Department.objects.all()


@router.get("/locations", response=list[LocationOut], url_name="list_locations")
def list_locations(request: HttpRequest) -> QuerySet[Location]:
    return Location.objects.all()
