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
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")


def _gevent_patched() -> bool:
    monkey = sys.modules.get("gevent.monkey")
    return monkey is not None and monkey.is_module_patched("threading")


def off_loop(function: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
    """``function(*args, **kwargs)``, in a native thread when the process runs under gevent
    (exceptions are raised in the caller as usual)."""
    if not _gevent_patched():
        return function(*args, **kwargs)
    import gevent

    return gevent.get_hub().threadpool.apply(function, args, kwargs)
