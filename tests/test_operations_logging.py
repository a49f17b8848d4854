"""One log line per request: a request id (the proxy's, else a new one, echoed in the answer),
method, path without secrets, status and duration; JSON on request; never a password or the
choice of a secret ballot."""

from __future__ import annotations

import json
import logging

import pytest

from resolutions.auth.service import hash_password
from resolutions.extensions import db
from resolutions.models import BallotKind
from resolutions.request_log import LineFormatter, configure_logging
from tests.objects.app import sign_in, url_path
from tests.objects.voting import check_in, procedural_poll

PASSWORD = "Tulip-Harbour-Quartz-77"  # noqa: S105 (the test's own)


def _request_lines(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "resolutions.requests"]


def test_each_request_is_one_line_with_an_echoed_request_id(client, caplog) -> None:
    caplog.set_level(logging.INFO, logger="resolutions.requests")
    answer = client.get(
        url_path("auth.sign_in", next="/secret-place"), headers={"X-Request-ID": "proxy-42.a"}
    )
    assert answer.headers["X-Request-ID"] == "proxy-42.a"
    (line,) = _request_lines(caplog)
    fields = line.fields  # type: ignore[attr-defined]
    assert fields["request_id"] == "proxy-42.a"
    assert (fields["method"], fields["path"], fields["status"]) == (
        "GET",
        url_path("auth.sign_in"),
        200,
    )
    assert fields["query"] == "next" and isinstance(fields["duration_ms"], float)
    assert "secret-place" not in LineFormatter(json_lines=False).format(line)

    # No header, or one that could forge log lines: a fresh id.
    caplog.clear()
    forged = client.get(url_path("auth.sign_in"), headers={"X-Request-ID": "x status=200 fake"})
    fresh = forged.headers["X-Request-ID"]
    assert len(fresh) == 32 and " " not in fresh
    assert _request_lines(caplog)[0].fields["request_id"] == fresh  # type: ignore[attr-defined]


def test_tokens_in_the_path_are_not_logged(client, caplog) -> None:
    caplog.set_level(logging.INFO, logger="resolutions.requests")
    client.get(url_path("auth.invitation", token="very-secret-invitation-token"))
    (line,) = _request_lines(caplog)
    assert line.fields["path"] == "/invitation/<token>"  # type: ignore[attr-defined]


def test_json_lines_and_the_level_come_from_the_configuration(app, capsys) -> None:
    before = {key: app.config[key] for key in ("LOG_FORMAT", "LOG_LEVEL")}
    app.config.update(LOG_FORMAT="json", LOG_LEVEL="WARNING")
    configure_logging(app)
    try:
        app.test_client().get(url_path("health.healthz"))
        assert capsys.readouterr().err == ""  # INFO is below WARNING
        app.config["LOG_LEVEL"] = "INFO"
        configure_logging(app)
        app.test_client().get(url_path("health.healthz"))
        (line,) = [json.loads(x) for x in capsys.readouterr().err.splitlines()]
        assert line["message"] == "request" and line["path"] == url_path("health.healthz")
        assert line["status"] == 200 and line["level"] == "INFO"
    finally:
        app.config.update(before)
        configure_logging(app)


def test_no_password_and_no_secret_choice_reach_the_logs(app, world, caplog, capsys) -> None:
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="resolutions")
    voter = world.delegate
    voter.user.password_hash = hash_password(PASSWORD)
    check_in(world.chair, *world.delegates)
    poll = procedural_poll(world, ballot_kind=BallotKind.SECRET)
    db.session.commit()

    signed_in = app.test_client().post(
        url_path("auth.sign_in"), data={"email": voter.user.email, "password": PASSWORD}
    )
    assert signed_in.status_code == 302
    wrong = app.test_client().post(
        url_path("auth.sign_in"), data={"email": voter.user.email, "password": PASSWORD + "-wrong"}
    )
    assert wrong.status_code == 200
    cast = sign_in(app.test_client(), voter).post(
        url_path("voting.cast", conference_id=world.conference.id, poll_id=poll.id),
        data={"choice": "abstain", "idempotency_key": "log-test"},
        headers={"Accept": "application/json"},
    )
    assert cast.status_code == 200 and cast.get_json()["ok"] is True

    logged = "\n".join(r.getMessage() + " " + str(vars(r)) for r in caplog.records)
    logged += capsys.readouterr().err
    assert "/ballot" in logged and url_path("auth.sign_in") in logged  # the requests were logged
    assert PASSWORD not in logged
    assert "abstain" not in logged.lower()
