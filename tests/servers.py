"""The PostgreSQL and Redis the tests use, in one place.

``TEST_DATABASE_URL`` / ``TEST_REDIS_URL`` name existing servers; without them each test process
starts its own throwaway servers on free ports (``resolutions.throwaway``), so the suite depends
on no service someone else started. Where a server can neither be reached nor started, the test
is skipped with the reason, or fails under ``RESOLUTIONS_REQUIRE_POSTGRES=1`` /
``RESOLUTIONS_REQUIRE_REDIS=1`` (set by ``make test`` and CI).
"""

from __future__ import annotations

import os
import socket

import pytest
import sqlalchemy as sa

from resolutions import throwaway


def _answers(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=2):
            return True
    except OSError:
        return False


def _unavailable(kind: str, required_flag: str, reason: str) -> None:
    if os.environ.get(required_flag) == "1":
        pytest.fail(f"{kind} is required but unavailable: {reason}")
    pytest.skip(f"{kind} unavailable: {reason}")


def postgres_url() -> str:
    """The PostgreSQL server for the tests (database ``test``), started if need be."""
    try:
        url = throwaway.postgres_url()
    except throwaway.ServerUnavailable as error:
        _unavailable("PostgreSQL", "RESOLUTIONS_REQUIRE_POSTGRES", str(error))
    parsed = sa.make_url(url)
    if not _answers(parsed.host or "127.0.0.1", parsed.port or 5432):
        _unavailable("PostgreSQL", "RESOLUTIONS_REQUIRE_POSTGRES", f"nothing answers at {url}")
    return url


def redis_url() -> str:
    """The Redis server for the tests, started if need be."""
    try:
        url = throwaway.redis_url()
    except throwaway.ServerUnavailable as error:
        _unavailable("Redis", "RESOLUTIONS_REQUIRE_REDIS", str(error))
    parsed = sa.make_url(url)
    if not _answers(parsed.host or "127.0.0.1", parsed.port or 6379):
        _unavailable("Redis", "RESOLUTIONS_REQUIRE_REDIS", f"nothing answers at {url}")
    return url
