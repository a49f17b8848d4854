"""The one mapper from a service's refusal to an answer (resolutions/refusals.py)."""

from __future__ import annotations

import pytest
from flask import get_flashed_messages
from flask_wtf import FlaskForm
from werkzeug.exceptions import Forbidden
from werkzeug.exceptions import NotFound as NotFoundPage
from wtforms import HiddenField, StringField

from resolutions import refusals
from resolutions.errors import (
    DomainError,
    InvalidInput,
    NotFound,
    PermissionDenied,
    StaleError,
)
from tests.objects.app import url_path


class _Form(FlaskForm):
    class Meta:
        csrf = False

    text = StringField()
    version = HiddenField()


@pytest.fixture
def page(app):
    with app.test_request_context(url_path("conferences.index"), method="POST"):
        yield app


def test_a_refusal_goes_next_to_its_field_and_answers_409(page):
    form = _Form()
    assert refusals.refuse(DomainError("Enter the text.", "text"), form) == 409
    assert form.text.errors == ["Enter the text."]
    assert get_flashed_messages() == []


def test_a_refusal_for_a_hidden_or_absent_field_is_flashed(page):
    form = _Form()
    assert refusals.refuse(StaleError("Changed since.", "version"), form) == 409
    assert refusals.refuse(InvalidInput("Not a CSV file."), None) == 400
    assert get_flashed_messages() == ["Changed since.", "Not a CSV file."]


@pytest.mark.parametrize(
    ("error", "page_error"), [(PermissionDenied("no"), Forbidden), (NotFound("gone"), NotFoundPage)]
)
def test_permission_and_absence_are_the_standard_pages(page, error, page_error):
    with pytest.raises(page_error):
        refusals.refuse(error)


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (DomainError("The poll is closed."), 409),
        (InvalidInput("Not a CSV file."), 400),
        (StaleError("Changed since."), 409),
        (PermissionDenied("Only the chair."), 403),
        (NotFound("No such draft."), 404),
    ],
)
def test_a_refusal_no_view_caught_is_answered_with_its_status(app, error, status):
    """The error handler create_app registers: the status, and the message on the page
    (never for 403/404, which say no more than the role check)."""
    with app.test_request_context(url_path("conferences.index")):
        response = app.make_response(app.handle_user_exception(error))
    assert response.status_code == status
    shown = error.message in response.get_data(as_text=True)
    assert shown is (status not in (403, 404))
    with app.test_request_context(
        url_path("conferences.index"), headers={"Accept": "application/json"}
    ):
        response = app.make_response(app.handle_user_exception(error))
    assert response.status_code == status
    assert response.get_json()["message"] == error.message
