"""The JSON API at /api/v1 (OpenAPI at /api/v1/openapi.json). Errors are JSON:
{"message": "...", "errors": [{"field": "...", "message": "..."}]}."""

from __future__ import annotations

import json
import logging
from typing import Any

from django.core.exceptions import PermissionDenied, RequestDataTooBig, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.parser import Parser

from haven.api.auth import API_AUTH
from haven.api.routers import (
    activities,
    directory,
    journal,
    me,
    questions,
    recognition,
    speakup,
    support,
)
from haven.core.errors import Refused
from haven.vault.masterkeys import MasterKeyUnavailable
from haven.vault.middleware import KEY_UNAVAILABLE_STATUS, refusal_text

logger = logging.getLogger(__name__)


class NotAJsonObject(ValueError):
    pass


class JsonObjectParser(Parser):
    """Every body Haven reads is a JSON object; `[1]` or `"x"` is refused, not read as `{}`."""

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        data = json.loads(request.body)
        if not isinstance(data, dict):
            raise NotAJsonObject
        return data


api = NinjaAPI(
    parser=JsonObjectParser(),
    title="Haven API",
    version="1",
    urls_namespace="api-1",
    auth=API_AUTH,
    docs_url=None,  # Swagger UI would load scripts from a CDN; the OpenAPI JSON is enough
    description=(
        "Authenticate with the browser session or a personal access token "
        "(`Authorization: Bearer hvn_…`, made on the profile page)."
    ),
)
api.add_router("/me", me.router)
api.add_router("/directory", directory.router)
api.add_router("/support", support.router)
api.add_router("/connect", activities.router)
api.add_router("/connect", questions.router)
api.add_router("/recognitions", recognition.router)
api.add_router("/journal", journal.router)
api.add_router("/speakup", speakup.router)


def _error(request: HttpRequest, status: int, message: str,
           errors: list[dict[str, str]] | None = None) -> HttpResponse:
    return api.create_response(request, {"message": message, "errors": errors or []},
                               status=status)


def _location(loc: list[object]) -> str:
    # Ninja locates an error as ("body", "payload", "field", …); the field path is what helps.
    parts = [str(part) for part in loc if part not in ("body", "payload", "query", "path")]
    return ".".join(parts) or "body"


@api.exception_handler(NinjaValidationError)
def _invalid(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    errors = [{"field": _location(list(error.get("loc", []))),
               # Pydantic prefixes a validator's own words with "Value error, ".
               "message": str(error.get("msg")).removeprefix("Value error, ")}
              for error in exc.errors]
    return _error(request, 422, "The request is not valid.", errors)


@api.exception_handler(ValidationError)
def _service_invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    if hasattr(exc, "error_dict"):
        errors = [{"field": field, "message": message}
                  for field, messages in exc.message_dict.items() for message in messages]
    else:
        errors = [{"field": "", "message": message} for message in exc.messages]
    return _error(request, 422, "The request is not valid.", errors)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _error(request, 401, "Sign in, or send a personal access token.")


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    message = str(exc)
    if exc.status_code == 400 and message.startswith("Cannot parse request body"):
        # Ninja's wording; say what is wrong, never echoing the body.
        message = ("The request body must be a JSON object: {\"name\": value, …}."
                   if isinstance(exc.__cause__, NotAJsonObject)
                   else "The request body is not valid JSON.")
    return _error(request, exc.status_code, message)


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _error(request, 404, "Not found.")


@api.exception_handler(Refused)
def _refused(request: HttpRequest, exc: Refused) -> HttpResponse:
    return _error(request, 403, exc.message)


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return _error(request, 403, "Your role does not allow this.")


@api.exception_handler(RequestDataTooBig)
def _too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    return _error(request, 413, "The request body is too large.")


@api.exception_handler(MasterKeyUnavailable)
def _key_unavailable(request: HttpRequest, exc: MasterKeyUnavailable) -> HttpResponse:
    # The vault has logged the key id for the operator; the caller learns only that the
    # content cannot be opened here now.
    return _error(request, KEY_UNAVAILABLE_STATUS, refusal_text(exc))


@api.exception_handler(Exception)
def _unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    # Log the kind of failure and where, never the request's content.
    logger.error("API error %s at %s", type(exc).__name__, request.path)
    return _error(request, 500, "Something went wrong on our side. Nothing was changed.")
