"""Deny by default: every route is declared in the access table, and each declaration holds."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from haven.core.access import CLOSED, PUBLIC, ROUTES, SIGNED_IN, allows
from haven.core.models import Role
from tests.conftest import signed_in
from tests.factories import make_person


def _routes() -> list[tuple[str, str]]:
    """(view name, example path) for every URL pattern Haven serves."""
    found: list[tuple[str, str]] = []

    def walk(patterns: list, prefix: str, namespace: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                ns = namespace
                if pattern.namespace:
                    ns = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
                walk(pattern.url_patterns, prefix + str(pattern.pattern), ns)
            elif isinstance(pattern, URLPattern):
                name = f"{namespace}:{pattern.name}" if namespace else str(pattern.name)
                found.append((name, _example_path(prefix + str(pattern.pattern))))

    walk(get_resolver().url_patterns, "", "")
    return found


def _example_path(route: str) -> str:
    path = route.replace("^", "").replace("$", "")
    path = re.sub(r"<int:\w+>", "999999", path)
    path = re.sub(r"<(str:)?\w+>", "x", path)
    path = re.sub(r"\(\?P<\w+>[^)]*\)", "x", path)
    return "/" + path


ROUTE_LIST = _routes()


def test_every_route_is_declared() -> None:
    undeclared = sorted({name for name, _ in ROUTE_LIST} - set(ROUTES))
    assert not undeclared, f"Declare these routes in haven/core/access.py: {undeclared}"


def test_every_declaration_names_a_route() -> None:
    stale = sorted(set(ROUTES) - {name for name, _ in ROUTE_LIST})
    assert not stale, f"These declarations name no route: {stale}"


@pytest.mark.parametrize(("name", "path"), ROUTE_LIST, ids=[n for n, _ in ROUTE_LIST])
@pytest.mark.django_db
def test_anonymous_access_matches_the_table(name: str, path: str) -> None:
    rule = ROUTES[name]
    client = Client()
    for method in ("get", "post"):
        response = getattr(client, method)(path)
        assert response.status_code < 500, f"{method.upper()} {path} failed"
        if rule == PUBLIC:
            continue
        if name.startswith("api-1:"):
            # 405: the API checks the method before the caller; either way nothing happens
            assert response.status_code in (401, 405), f"{method.upper()} {path} let a stranger in"
        elif rule == CLOSED:
            assert response.status_code == 404
        else:
            assert response.status_code == 302, f"{method.upper()} {path} let a stranger in"
            assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("role", ["colleague", *Role.values])
@pytest.mark.django_db
def test_each_role_reaches_exactly_its_routes(role: str) -> None:
    roles = [] if role == "colleague" else [role]
    person = make_person(*roles)
    client = signed_in(person)
    for name, path in ROUTE_LIST:
        rule = ROUTES[name]
        if rule in (PUBLIC, SIGNED_IN):
            continue
        response = client.get(path)
        assert response.status_code < 500, f"GET {path} failed"
        if allows(rule, person.roles):
            assert response.status_code != 403, f"{role} refused at {path}"
        elif rule == CLOSED:
            assert response.status_code == 404
        else:
            assert response.status_code == 403, f"{role} let into {path}"
