"""/api/v1/me: the signed-in person."""


from ninja import Router

from haven.api.schemas import ErrorOut, MeIn, MeOut
from haven.core import services
from haven.core.http import SignedInRequest
from haven.core.models import Person

router = Router(tags=["me"])


@router.get("", response=MeOut, url_name="me")
def me(request: SignedInRequest) -> Person:
    return request.user


@router.patch("", response={200: MeOut, 422: ErrorOut}, url_name="me")
def update_me(request: SignedInRequest, payload: MeIn) -> Person:
    return services.update_profile(person=request.user, pronouns=payload.pronouns,
                                   languages=payload.languages)
