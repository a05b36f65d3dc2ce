"""The Idempotency-Key header of the API's create routes: one record per key, however often a
client retries (haven.core.idempotency.once_per_key keeps the record)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from django.http import JsonResponse
from ninja import Header, Schema, Status
from pydantic import StrictStr, StringConstraints

from haven.api.schemas import ONE_LINE
from haven.core.http import SignedInRequest
from haven.core.idempotency import Answered, once_per_key

Made = TypeVar("Made")

KEY_DESCRIPTION = (
    "Optional. A new random value (e.g. a UUID) for each record you mean to create. Sent again "
    "with the same body within a day, the call creates nothing and answers the first call's "
    "status with {\"id\": …, \"repeated\": true} and the header Idempotent-Replayed: true "
    "(id is null where the record is anonymous). The same key with a different body is a 422.")

IdempotencyKey = Annotated[
    Annotated[StrictStr, StringConstraints(min_length=1, max_length=255), ONE_LINE] | None,
    Header(alias="Idempotency-Key", description=KEY_DESCRIPTION)]


def create_once(request: SignedInRequest, *, key: str | None, payload: Schema,
                make: Callable[[], Made], made_id: Callable[[Made], object],
                status: int = 201, anonymous: bool = False) -> Status[Made] | JsonResponse:
    """MAKE's result as STATUS, or, for a key already used, the first answer's status and id."""
    result = once_per_key(person=request.user, key=key, scope=request.path,
                          body=payload.model_dump(mode="json"), make=make, made_id=made_id,
                          status=status, anonymous=anonymous)
    if isinstance(result, Answered):
        made: Any = int(result.made_id) if result.made_id.isdigit() else result.made_id or None
        return JsonResponse({"id": made, "repeated": True}, status=result.status,
                            headers={"Idempotent-Replayed": "true"})
    return Status(status, result)
