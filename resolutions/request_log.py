"""One log line per request: request id, method, path, status, duration.

The request id comes from the ``X-Request-ID`` header when it looks like one (a proxy set it),
else it is generated; the response echoes it. The path is the route with its secret parts
elided: tokens in the URL (invitations, access cards) and every query string value are never
written, nor is any form field, so neither a password nor a ballot's choice reaches the log.

``LOG_LEVEL`` (default INFO) sets the level of the application's loggers, ``LOG_FORMAT=json``
writes one JSON object per line instead of ``key=value`` text.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
from typing import Any, TextIO

from flask import Flask, Response, g, request

log = logging.getLogger("resolutions.requests")

REQUEST_ID_HEADER = "X-Request-ID"
_GOOD_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,100}")
_RULE_PART = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")


class LineFormatter(logging.Formatter):
    """``key=value`` text, or one JSON object per line."""

    def __init__(self, json_lines: bool) -> None:
        super().__init__()
        self.json_lines = json_lines

    def format(self, record: logging.LogRecord) -> str:
        fields: dict[str, Any] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            **getattr(record, "fields", {}),
        }
        if record.exc_info:
            fields["exception"] = self.formatException(record.exc_info)
        if self.json_lines:
            return json.dumps(fields, ensure_ascii=False, default=str)
        text = " ".join(
            f"{key}={value}" for key, value in fields.items() if key not in {"time", "message"}
        )
        return f"{fields['time']} {fields['message']} {text}"


class StderrHandler(logging.StreamHandler[TextIO]):
    """Writes to whatever ``sys.stderr`` is at the time (servers and tests replace it)."""

    resolutions_handler = True

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, value: TextIO) -> None:
        pass


def configure_logging(app: Flask) -> None:
    """Send the application's loggers to stderr at ``LOG_LEVEL`` in ``LOG_FORMAT`` (once)."""
    level = str(app.config.get("LOG_LEVEL") or "INFO").upper()
    package = logging.getLogger("resolutions")
    package.setLevel(level if level in logging.getLevelNamesMapping() else "INFO")
    json_lines = str(app.config.get("LOG_FORMAT", "")).lower() == "json"
    for handler in package.handlers:
        if getattr(handler, "resolutions_handler", False):
            handler.setFormatter(LineFormatter(json_lines))
            return
    handler = StderrHandler()
    handler.setFormatter(LineFormatter(json_lines))
    package.addHandler(handler)


def loggable_path() -> str:
    """The request's path with every non-numeric URL part replaced by its name."""
    rule = request.url_rule
    if rule is None:
        return request.path
    values = request.view_args or {}

    def part(match: re.Match[str]) -> str:
        name = match.group(1)
        value = values.get(name)
        return str(value) if isinstance(value, int) else f"<{name}>"

    return _RULE_PART.sub(part, rule.rule)


def init_app(app: Flask) -> None:
    configure_logging(app)

    @app.before_request
    def start_clock() -> None:
        given = request.headers.get(REQUEST_ID_HEADER, "")
        g.request_id = given if _GOOD_REQUEST_ID.fullmatch(given) else uuid.uuid4().hex
        g.request_started = time.perf_counter()

    @app.after_request
    def log_request(response: Response) -> Response:
        request_id = g.get("request_id") or uuid.uuid4().hex
        response.headers[REQUEST_ID_HEADER] = request_id
        started = g.get("request_started")
        duration = (time.perf_counter() - started) * 1000 if started else 0.0
        log.info(
            "request",
            extra={
                "fields": {
                    "request_id": request_id,
                    "method": request.method,
                    "path": loggable_path(),
                    "query": ",".join(sorted(request.args.keys())) or "-",
                    "status": response.status_code,
                    "duration_ms": round(duration, 1),
                    "remote": request.remote_addr or "-",
                }
            },
        )
        return response
