"""Every route answers unreadable input with 400 or 404 and a clear message, never 500.

The rules live in one place each: ``<int:...>`` is bounded by ``web.IdConverter`` (404), a
NUL character anywhere in the path, the query or the form is refused before any view runs
(400), and a number or text the database cannot hold is a 400 too. This test walks every
rule in ``app.url_map`` so that a new route is covered the day it is added.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote, urlencode

import pytest
from flask import Flask

from resolutions import create_app
from resolutions.extensions import db
from resolutions.web import MAX_ID
from tests.authz_rules import ADMIN, PUBLIC, SIGNED_IN, documents, drafting, foundation, voting
from tests.objects.app import sign_in
from tests.objects.world import make_conference, make_user
from tests.url_params import url_values

RULES = {**foundation.RULES, **drafting.RULES, **voting.RULES, **documents.RULES}
VARIABLE = re.compile(r"<(?:(?P<converter>\w+)(?:\([^)]*\))?:)?(?P<name>\w+)>")
HUGE = (2**31, 2**63, -1)
NUL_QUERY = {"q": "a\x00b", "page": "1\x00", "next": "/\x00", "poll": "\x00", "view": "ballot\x00"}
NUL_FORM = {
    "title": "Title\x00",
    "name": "Na\x00me",
    "email": "nul\x00@example.org",
    "password": "pass\x00word-123",
    "text": "te\x00xt",
    "q": "\x00",
    "choice": "yes",
}
OUT_OF_RANGE_QUERY = {
    name: str(2**63) for name in ("page", "poll", "proposer", "clause", "at", "position")
}
OUT_OF_RANGE_FORM = {
    **{
        name: str(2**63)
        for name in (
            "holder",
            "target",
            "amendment_id",
            "clause",
            "expected_version",
            "order",
            "object_id",
            "participant_id",
            "weight",
            "proxy_limit",
        )
    },
    "for": str(2**31),
    "choice": "yes",
    "kind": "password",
    "present": "1",
}


def _route_cases() -> list[tuple[str, str, str]]:
    listing = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "x"})
    cases = []
    for rule in listing.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            cases.append((rule.endpoint, rule.rule, method))
    return cases


def _path(rule: str, values: dict[str, Any]) -> str:
    return VARIABLE.sub(lambda m: quote(str(values[m["name"]]), safe=""), rule)


def _valid_values(rule: str, world: Any) -> dict[str, Any]:
    values = url_values([m["name"] for m in VARIABLE.finditer(rule)], world)
    db.session.commit()
    return values


def _member(world: Any, endpoint: str) -> Any:
    """A user the route's rule lets in, so that the answer is the input's, not a denial."""
    rule = RULES[endpoint]
    if rule == ADMIN:
        return make_user(name="Ad Min", is_admin=True)
    if rule in (PUBLIC, SIGNED_IN):
        return world.delegate
    for role in ("secretariat", "chair", "delegate", "observer"):
        if role in rule:
            return world.member(role)
    raise AssertionError(f"no role for {endpoint}")


def _send(client: Any, method: str, url: str, form: dict[str, str] | None = None) -> Any:
    if method == "GET":
        return client.get(url)
    return client.open(url, method=method, data=form or {})


def _refused(answer: Any, anonymous: bool, allowed: set[int]) -> bool:
    if answer.status_code in allowed:
        return True
    location = answer.headers.get("Location", "")
    return anonymous and answer.status_code in (302, 303) and "/sign-in" in location


@pytest.mark.parametrize(("endpoint", "rule", "method"), _route_cases())
def test_route_refuses_nul_and_out_of_range_input(
    app: Flask, endpoint: str, rule: str, method: str
) -> None:
    world = make_conference()
    values = _valid_values(rule, world)
    int_names = [m["name"] for m in VARIABLE.finditer(rule) if m["converter"] == "int"]
    anonymous = app.test_client()
    member = sign_in(app.test_client(), _member(world, endpoint))

    for who, client in (("anonymous", anonymous), ("member", member)):
        is_anonymous = who == "anonymous"
        seen = []

        def check(answer: Any, case: str, allowed: set[int], clear: bool = True) -> None:
            seen.append(case)
            assert answer.status_code != 500, (endpoint, method, who, case)
            assert _refused(answer, is_anonymous, allowed), (
                endpoint,
                method,
                who,
                case,
                answer.status,
            )
            if clear and answer.status_code == 400 and answer.mimetype == "text/html":
                assert "The request contains a NUL character" in answer.get_data(as_text=True)

        # A NUL character in each path variable.
        for name in values:
            path = _path(rule, {**values, name: f"{values[name]}\x00"})
            check(_send(client, method, path), f"NUL in <{name}>", {400, 404})
        # Ids the database cannot hold, and negative ones.
        for name in int_names:
            for number in HUGE:
                path = _path(rule, {**values, name: number})
                check(_send(client, method, path), f"<{name}>={number}", {404})
        url = _path(rule, values)
        # A NUL character in the query, and in the form (its values and a field name).
        check(_send(client, method, f"{url}?{urlencode(NUL_QUERY)}"), "NUL in query", {400})
        if method != "GET":
            check(_send(client, method, url, NUL_FORM), "NUL in form", {400})
            check(_send(client, method, url, {"na\x00me": "x"}), "NUL in field name", {400})
        # Numbers beyond what the database holds, in the query and the form: the page may
        # ignore them, refuse them next to a field, or answer 400; never 500.
        answer = _send(client, method, f"{url}?{urlencode(OUT_OF_RANGE_QUERY)}")
        assert answer.status_code < 500, (endpoint, method, who, "huge query", answer.status)
        if method != "GET":
            answer = _send(client, method, url, OUT_OF_RANGE_FORM)
            assert answer.status_code < 500, (endpoint, method, who, "huge form", answer.status)
        assert seen


def test_the_id_bound_is_the_databases(app: Flask) -> None:
    world = make_conference()
    client = sign_in(app.test_client(), world.secretariat)
    assert client.get(f"/c/{world.conference.id}/").status_code == 200
    assert client.get(f"/c/{MAX_ID}/").status_code == 404  # in range, no such conference
    assert client.get(f"/c/{MAX_ID + 1}/").status_code == 404  # out of range: no match


def test_an_access_card_with_a_nul_character_is_refused_clearly(app: Flask) -> None:
    world = make_conference()
    token = world.delegate.card_token
    for client in (app.test_client(), sign_in(app.test_client(), world.chair)):
        for url in (f"/card/{token}%00", f"/card/%00{token}", "/card/%00"):
            answer = client.get(url)
            assert answer.status_code == 400
            page = answer.get_data(as_text=True)
            assert "The request contains a NUL character, which is not allowed." in page
        posted = client.post(f"/card/{token}%00", data={"password": "x" * 12, "confirm": "x" * 12})
        assert posted.status_code == 400


def test_overlong_input_is_refused_next_to_the_field(app: Flask) -> None:
    world = make_conference()
    client = sign_in(app.test_client(), world.secretariat)
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"  # WTForms' own messages
    answer = client.post(
        f"/c/{world.conference.id}/participants/new",
        data={"name": "N" * 5000, "email": "long@example.org", "role": "delegate", "weight": "1"},
    )
    assert answer.status_code in (200, 400)
    assert "Field cannot be longer than 200 characters." in answer.get_data(as_text=True)
    admin = sign_in(app.test_client(), make_user(name="Ad Min", is_admin=True))
    admin.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    answer = admin.post(
        "/admin/conferences/new",
        data={
            "title": "T",
            "short_name": "T",
            "start_date": "2026-12-01",
            "language": "en",
            "secretariat_name": "S",
            "secretariat_email": "s" * 300 + "@example.org",
        },
    )
    assert answer.status_code in (200, 400)
    assert "Field cannot be longer than 254 characters." in answer.get_data(as_text=True)
    signed = app.test_client().post(
        "/sign-in",
        data={"email": "a@example.org", "password": "p" * 5000},
        headers={"Accept-Language": "en"},
    )
    assert signed.status_code == 200
    assert "Field cannot be longer than 200 characters." in signed.get_data(as_text=True)
