"""For every route in the app, every role gets the answer its rule says.

A route missing from ``tests/authz_rules`` fails the test: nobody can add a page without
deciding who may open it. Each (route, role) pair runs against a fresh conference, with CSRF
off so that the answer is the permission check's, not the token's.
"""

from __future__ import annotations

import pytest
from flask import Flask

from tests.authz_rules import ADMIN, PUBLIC, SIGNED_IN, documents, drafting, foundation, voting
from tests.conftest import make_conference, make_user, sign_in
from tests.url_params import url_params_for

RULES = {**foundation.RULES, **drafting.RULES, **voting.RULES, **documents.RULES}
ROLES = ("secretariat", "chair", "delegate", "observer")
DENIED = {401, 403, 404}


def _routes(app: Flask) -> list[tuple[str, str, str]]:
    found = []
    for rule in app.url_map.iter_rules():
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            found.append((rule.endpoint, rule.rule, method))
    return found


def test_every_route_has_a_rule(app: Flask) -> None:
    missing = sorted({endpoint for endpoint, _, _ in _routes(app)} - set(RULES))
    assert not missing, f"routes without an authorization rule: {missing}"
    stale = sorted(set(RULES) - {endpoint for endpoint, _, _ in _routes(app)})
    assert not stale, f"rules for routes that do not exist: {stale}"


def _call(client, method: str, url: str):
    if method == "GET":
        return client.get(url)
    return client.open(url, method=method, data={})


def _route_cases() -> list[tuple[str, str, str]]:
    app = Flask(__name__)  # only to list routes at collection time
    del app
    from resolutions import create_app

    listing = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "x"})
    return [c for c in _routes(listing) if c[0] != "static"]


@pytest.mark.parametrize(("endpoint", "rule", "method"), _route_cases())
def test_route_answers_each_role_as_its_rule_says(
    app: Flask, endpoint: str, rule: str, method: str
) -> None:
    expected = RULES.get(endpoint)
    assert expected is not None, f"{endpoint} has no authorization rule"

    def fresh():
        world = make_conference()
        return world, url_params_for(app, endpoint, world)

    # Anonymous.
    world, url = fresh()
    answer = _call(app.test_client(), method, url)
    if expected == PUBLIC:
        assert answer.status_code not in DENIED | {500}, (endpoint, "anonymous", answer.status)
    else:
        assert answer.status_code in {302, 401}, (endpoint, "anonymous", answer.status)
        if answer.status_code == 302:
            assert "/sign-in" in answer.headers["Location"]

    # A signed-in user who is no member (and no admin).
    world, url = fresh()
    outsider = make_user(name="Out Sider")
    answer = _call(sign_in(app.test_client(), outsider), method, url)
    if expected in (PUBLIC, SIGNED_IN):
        assert answer.status_code not in {401, 403, 500}, (endpoint, "outsider", answer.status)
    else:
        assert answer.status_code in {403, 404}, (endpoint, "outsider", answer.status)

    # A member of another conference, whatever their role there.
    if expected not in (PUBLIC, SIGNED_IN, ADMIN):
        world, url = fresh()
        stranger = make_conference("Elsewhere").secretariat
        answer = _call(sign_in(app.test_client(), stranger), method, url)
        assert answer.status_code in {403, 404}, (endpoint, "other conference", answer.status)

    # The site administrator (not a member).
    world, url = fresh()
    admin = make_user(name="Ad Min", is_admin=True)
    answer = _call(sign_in(app.test_client(), admin), method, url)
    if expected in (PUBLIC, SIGNED_IN, ADMIN):
        assert answer.status_code not in DENIED | {500}, (endpoint, "admin", answer.status)
    else:
        assert answer.status_code in {403, 404}, (endpoint, "admin", answer.status)

    # Each role of the conference itself.
    for role in ROLES:
        world, url = fresh()
        answer = _call(sign_in(app.test_client(), world.member(role)), method, url)
        if expected in (PUBLIC, SIGNED_IN) or (
            isinstance(expected, frozenset) and role in expected
        ):
            assert answer.status_code not in DENIED | {500}, (endpoint, role, answer.status)
            if method == "GET":
                assert answer.status_code < 400, (endpoint, role, answer.status)
        else:
            assert answer.status_code in {403, 404} if expected == ADMIN else {403}, (
                endpoint,
                role,
                answer.status,
            )
