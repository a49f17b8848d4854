"""The authorization matrix as functions that take a rule table and return the differences.

``matrix_mismatches`` calls routes as every kind of visitor and lists each answer that is not
exactly what the table says; ``declared_role_differences`` compares the table with the roles
each view declares in its ``@conference_role(...)``. The matrix test calls both with the real
table (and expects nothing back) and with a deliberately wrong copy (and expects the wrong
rule back), so a leak or a lock-out cannot pass unnoticed.

What each visitor must get, exactly:
- anonymous: a public route answers; any other redirects to the sign-in page;
- a signed-in user who is no member and a member of another conference: a conference route is
  404 (the conference is not even confirmed);
- the site administrator who is no member acts as the conference's secretariat: allowed where
  the route's set holds the secretariat, 403 elsewhere;
- a member whose role is outside the route's set: 403;
- anyone but a site administrator on an ``ADMIN`` route: 403;
- an allowed visitor: no 401/403/404 and no 500, and a GET answers below 400.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from flask import Flask

from resolutions.models import Role
from resolutions.rules.roles import IMPLIED_ROLES
from tests.authz_rules import ADMIN, PUBLIC, SIGNED_IN
from tests.objects.app import sign_in
from tests.objects.world import make_conference, make_user
from tests.url_params import url_params_for

ROLES = ("secretariat", "chair", "delegate", "observer")
DENIED = {401, 403, 404}
ALLOWED = "allowed"
SIGN_IN = "redirect to sign-in"

Route = tuple[str, str, str]  # endpoint, URL rule, method


@dataclass(frozen=True)
class Mismatch:
    endpoint: str
    method: str
    visitor: str
    expected: str
    got: str


def routes(app: Flask) -> list[Route]:
    """Every (endpoint, rule, method) the app answers, static files left out."""
    found = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            found.append((rule.endpoint, rule.rule, method))
    return found


def _call(client: Any, method: str, url: str) -> Any:
    if method == "GET":
        return client.get(url)
    return client.open(url, method=method, data={})


def _is_conference_rule(rule: object) -> bool:
    return isinstance(rule, frozenset)


def expected_answer(rule: object, visitor: str) -> str:
    """What ``visitor`` must get from ``rule``: ``ALLOWED``, ``SIGN_IN`` or a status code."""
    if rule == PUBLIC:
        return ALLOWED
    if visitor == "anonymous":
        return SIGN_IN
    if rule == SIGNED_IN:
        return ALLOWED
    if rule == ADMIN:
        return ALLOWED if visitor == "admin" else "403"
    assert _is_conference_rule(rule), f"unknown rule {rule!r}"
    if visitor == "admin":
        return ALLOWED if "secretariat" in rule else "403"  # type: ignore[operator]
    if visitor in ("outsider", "other conference"):
        return "404"
    return ALLOWED if visitor in rule else "403"  # type: ignore[operator]


def _matches(expected: str, method: str, answer: Any) -> bool:
    status = answer.status_code
    if expected == ALLOWED:
        if status in DENIED | {500}:
            return False
        return not (method == "GET" and status >= 400)
    if expected == SIGN_IN:
        return status == 302 and "/sign-in" in answer.headers["Location"]
    return status == int(expected)


def _visitors(rule: object) -> list[str]:
    found = ["anonymous", "outsider", "admin"]
    if _is_conference_rule(rule):
        found.append("other conference")
    return found + list(ROLES)


def matrix_mismatches(
    app: Flask, rules: Mapping[str, object], cases: Iterable[Route]
) -> list[Mismatch]:
    """Call each route as each visitor (a fresh conference each time) and list every answer
    that differs from ``rules``. A route without a rule is one mismatch."""
    found: list[Mismatch] = []
    for endpoint, _rule, method in cases:
        rule = rules.get(endpoint)
        if rule is None:
            found.append(Mismatch(endpoint, method, "everyone", "a rule", "none"))
            continue
        for visitor in _visitors(rule):
            world = make_conference()
            url = url_params_for(app, endpoint, world)
            client = app.test_client()
            if visitor == "outsider":
                sign_in(client, make_user(name="Out Sider"))
            elif visitor == "admin":
                sign_in(client, make_user(name="Ad Min", is_admin=True))
            elif visitor == "other conference":
                sign_in(client, make_conference("Elsewhere").secretariat)
            elif visitor in ROLES:
                sign_in(client, world.member(visitor))
            answer = _call(client, method, url)
            expected = expected_answer(rule, visitor)
            if not _matches(expected, method, answer):
                found.append(Mismatch(endpoint, method, visitor, expected, answer.status))
    return found


def declared_roles(app: Flask, endpoint: str) -> frozenset[str] | None:
    """Roles that reach ``endpoint`` by its ``@conference_role`` (implied roles included), or
    None when the view has no such decorator."""
    view = app.view_functions[endpoint]
    while view is not None:
        declared = getattr(view, "allowed_roles", None)
        if declared is not None:
            return frozenset(
                role.value for role in Role if IMPLIED_ROLES[role] & frozenset(declared)
            )
        view = getattr(view, "__wrapped__", None)
    return None


def declared_role_differences(app: Flask, rules: Mapping[str, object]) -> list[str]:
    """Where the table and the views' own ``@conference_role(...)`` disagree."""
    differences = []
    for endpoint in sorted(app.view_functions):
        if endpoint == "static":
            continue
        rule = rules.get(endpoint)
        declared = declared_roles(app, endpoint)
        if _is_conference_rule(rule):
            if declared != rule:
                differences.append(
                    f"{endpoint}: table {sorted(rule)}, view declares "  # type: ignore[arg-type]
                    f"{sorted(declared) if declared is not None else 'no conference_role'}"
                )
        elif declared is not None:
            differences.append(
                f"{endpoint}: table {rule!r}, view declares conference roles {sorted(declared)}"
            )
    return differences
