"""For every route in the app, every role gets exactly the answer its rule says.

A route missing from ``tests/authz_rules`` fails the test: nobody can add a page without
deciding who may open it. Each (route, visitor) pair runs against a fresh conference, with CSRF
off so that the answer is the permission check's, not the token's. The checks themselves live
in ``tests/authz_matrix.py``; the last tests here feed them a wrong copy of the table to show
that they fail when a rule and a route disagree.
"""

from __future__ import annotations

import pytest
from flask import Flask

from tests.authz_matrix import (
    declared_role_differences,
    matrix_mismatches,
    routes,
)
from tests.authz_rules import ALL, SECRETARIAT, documents, drafting, foundation, voting

RULES = {**foundation.RULES, **drafting.RULES, **voting.RULES, **documents.RULES}


def _route_cases() -> list[tuple[str, str, str]]:
    from resolutions import create_app

    listing = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "x"})
    return routes(listing)


def _cases_of(app: Flask, endpoint: str) -> list[tuple[str, str, str]]:
    return [case for case in routes(app) if case[0] == endpoint]


def test_every_route_has_a_rule(app: Flask) -> None:
    endpoints = {endpoint for endpoint, _, _ in routes(app)} | {"static"}
    missing = sorted(endpoints - set(RULES))
    assert not missing, f"routes without an authorization rule: {missing}"
    stale = sorted(set(RULES) - endpoints)
    assert not stale, f"rules for routes that do not exist: {stale}"


def test_table_matches_the_roles_each_view_declares(app: Flask) -> None:
    assert declared_role_differences(app, RULES) == []


@pytest.mark.parametrize(("endpoint", "rule", "method"), _route_cases())
def test_route_answers_each_visitor_as_its_rule_says(
    app: Flask, endpoint: str, rule: str, method: str
) -> None:
    assert matrix_mismatches(app, RULES, [(endpoint, rule, method)]) == []


# --- the checks bite: a wrong copy of the table must fail them --------------------------------


def test_a_narrowed_rule_fails_the_matrix(app: Flask) -> None:
    narrowed = dict(RULES)
    narrowed["drafting.resolutions"] = SECRETARIAT  # the live route lets every member read
    found = matrix_mismatches(app, narrowed, _cases_of(app, "drafting.resolutions"))
    assert {(m.endpoint, m.visitor, m.expected, m.got[:3]) for m in found} == {
        ("drafting.resolutions", role, "403", "200") for role in ("chair", "delegate", "observer")
    }
    assert declared_role_differences(app, narrowed) == [
        "drafting.resolutions: table ['secretariat'], view declares "
        "['chair', 'delegate', 'observer', 'secretariat']"
    ]


def test_a_widened_rule_fails_the_matrix(app: Flask) -> None:
    widened = dict(RULES)
    widened["conferences.audit_log"] = ALL  # the live route is the secretariat's only
    found = matrix_mismatches(app, widened, _cases_of(app, "conferences.audit_log"))
    assert {(m.visitor, m.expected, m.got[:3]) for m in found} == {
        (role, "allowed", "403") for role in ("chair", "delegate", "observer")
    }
    assert len(declared_role_differences(app, widened)) == 1


def test_a_conference_route_opened_to_every_signed_in_user_fails_the_matrix(app: Flask) -> None:
    from tests.authz_rules import SIGNED_IN

    leaked = dict(RULES)
    leaked["voting.console"] = SIGNED_IN
    found = matrix_mismatches(app, leaked, _cases_of(app, "voting.console"))
    visitors = {m.visitor for m in found}
    # Outsiders and the administrator get 404 where the table now promises them the console,
    # and members other than the chair get 403.
    assert visitors == {"outsider", "admin", "secretariat", "delegate", "observer"}
