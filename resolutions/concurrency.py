"""Long CPU work inside a gevent worker (the production server, ``gunicorn.conf.py``).

A gevent worker runs every request of its process as a greenlet on one thread: a call that
computes for a quarter of a second without yielding (an argon2 hash, a PDF layout) stalls
every other request and every live stream of that worker meanwhile. ``off_loop`` runs such a
call in the worker's native thread pool instead: argon2 releases the GIL, WeasyPrint is
preempted by the interpreter like any thread, and the event loop keeps serving. Outside gevent
(tests, ``flask run``, the CLI) it simply calls the function.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, ParamSpec, TypeVar

if TYPE_CHECKING:
    from gevent.threadpool import ThreadPool

P = ParamSpec("P")
T = TypeVar("T")


def _gevent_patched() -> bool:
    monkey = sys.modules.get("gevent.monkey")
    return monkey is not None and monkey.is_module_patched("threading")


_heavy: ThreadPool | None = None  # this worker's pool of one native thread (created after the fork)


def off_loop(function: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
    """``function(*args, **kwargs)``, in a native thread when the process runs under gevent
    (exceptions are raised in the caller as usual).

    One such thread per worker: argon2 computes on four threads of its own, and ten hashes at
    once (gevent's default pool) starved the event loop's own thread of the CPU, so that the
    console waited seconds behind a queue of sign-ins. Callers queue as greenlets instead.
    """
    global _heavy
    if not _gevent_patched():
        return function(*args, **kwargs)
    if _heavy is None:
        from gevent.threadpool import ThreadPool

        _heavy = ThreadPool(1)
    return _heavy.apply(function, args, kwargs)


def release_idle_connection() -> None:
    """Give the request's PostgreSQL connection back to the pool before a long computation,
    when its transaction has written nothing yet (PostgreSQL assigns a transaction id on the
    first write): a hall of delegates waiting for argon2 must not hold every connection of
    the pool while casting waits for one. The session's objects are expired and reload on their
    next use. A transaction that wrote keeps its connection (nothing is lost), and SQLite, whose
    pool is not shared by concurrent requests, is left alone.
    """
    import sqlalchemy as sa
    from flask import has_app_context

    from resolutions.extensions import db

    if not has_app_context():
        return
    session = db.session()
    if not session.in_transaction() or session.new or session.dirty or session.deleted:
        return
    if session.get_bind().dialect.name != "postgresql":
        return
    if session.scalar(sa.text("SELECT pg_current_xact_id_if_assigned()")) is None:
        session.rollback()
