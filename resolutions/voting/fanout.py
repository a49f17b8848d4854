"""One Redis subscription per server process, shared by every event stream it serves.

A gevent worker holds a thousand ballot pages' event streams at once. Were each to subscribe
to Redis itself, a change would wake a thousand Redis connections and a thousand streams would
each fetch the same snapshot; at the first connection of a hall they all built it at once and
starved the database pool. Here one ``Hub`` per process and key prefix subscribes to the whole
prefix (``PSUBSCRIBE prefix:live:*``) in a background thread (a greenlet under gevent) and hands
each change to the streams that listen to its channel; ``Hub.shared`` lets the first stream that
needs a value (the ballot snapshot of a version) fetch it while the others of the process wait
for that one fetch.

Plain ``threading`` primitives: gevent's monkey-patching makes them cooperative in the
production server; in tests and under ``flask run`` they are ordinary threads.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import TypeVar

import redis

log = logging.getLogger(__name__)

T = TypeVar("T")
POLL_SECONDS = 1.0  # how often the subscriber looks whether anybody still listens
READY_SECONDS = 5.0  # how long a new stream waits for the subscription before going on


class Listener:
    """One event stream: the newest counter per channel since it last looked."""

    def __init__(self, channels: frozenset[str]) -> None:
        self.channels = channels
        self._condition = threading.Condition()
        self._pending: dict[str, int] = {}
        self._lost = False

    def deliver(self, channel: str, counter: int) -> None:
        with self._condition:
            self._pending[channel] = max(counter, self._pending.get(channel, 0))
            self._condition.notify()

    def lose(self) -> None:
        """The subscription was interrupted: changes may have been missed."""
        with self._condition:
            self._lost = True
            self._condition.notify()

    def wait(self, timeout: float) -> tuple[dict[str, int], bool]:
        """Wait up to ``timeout`` s for changes; returns ({channel: newest counter}, lost) and
        forgets them."""
        with self._condition:
            if not self._pending and not self._lost:
                self._condition.wait(max(timeout, 0.0))
            pending, self._pending = self._pending, {}
            lost, self._lost = self._lost, False
        return pending, lost


class Hub:
    """The subscriber of one process for channels matching ``pattern``."""

    def __init__(self, client: redis.Redis, pattern: str) -> None:
        self._client = client
        self._pattern = pattern
        self._lock = threading.Lock()
        self._by_channel: dict[str, set[Listener]] = {}
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._values: dict[str, tuple[int, object]] = {}
        self._value_locks: dict[str, threading.Lock] = {}

    def listen(self, channels: frozenset[str]) -> Listener:
        """A listener for ``channels``; once this returns, the hub is subscribed (or Redis is
        unreachable, and the listener will be told it lost changes when it comes back)."""
        listener = Listener(channels)
        with self._lock:
            for channel in channels:
                self._by_channel.setdefault(channel, set()).add(listener)
            if self._thread is None:
                self._ready.clear()
                self._thread = threading.Thread(target=self._run, name="live-fanout", daemon=True)
                self._thread.start()
        self._ready.wait(READY_SECONDS)
        return listener

    def forget(self, listener: Listener) -> None:
        with self._lock:
            for channel in listener.channels:
                listeners = self._by_channel.get(channel)
                if listeners is not None:
                    listeners.discard(listener)
                    if not listeners:
                        del self._by_channel[channel]

    def listening(self) -> int:
        with self._lock:
            return len({listener for group in self._by_channel.values() for listener in group})

    def shared(self, name: str, version: int, produce: Callable[[], T | None]) -> T | None:
        """The value ``name`` at ``version`` or newer, produced once per process: the first
        caller runs ``produce`` (which returns the newest value, or None), the others wait for
        it and reuse it."""
        found = self._values.get(name)
        if found is not None and found[0] >= version:
            # What ``produce`` returned for this name: one cache holds values of every kind.
            return found[1]  # type: ignore[return-value]
        with self._lock:
            lock = self._value_locks.setdefault(name, threading.Lock())
        with lock:
            found = self._values.get(name)
            if found is not None and found[0] >= version:
                return found[1]  # type: ignore[return-value]  # (as above)
            value = produce()
            if value is not None:
                self._values[name] = (version, value)
            return value

    # --- the subscriber ---------------------------------------------------------------------

    def _run(self) -> None:
        pause = 0.5
        while True:
            pubsub = None
            try:
                # redis-py leaves Redis.pubsub unannotated (it returns a PubSub).
                pubsub = self._client.pubsub(ignore_subscribe_messages=True)  # type: ignore[no-untyped-call]
                pubsub.psubscribe(self._pattern)
                pubsub.get_message(timeout=POLL_SECONDS)  # the confirmation
                if self._ready.is_set():  # a reconnection: anything may have been missed
                    self._lose_all()
                self._ready.set()
                pause = 0.5
                while True:
                    message = pubsub.get_message(timeout=POLL_SECONDS)
                    if message is None:
                        if self._stop_if_idle():
                            return
                        continue
                    if message["type"] in ("pmessage", "message"):
                        self._dispatch(message["channel"].decode(), message["data"])
            except (redis.RedisError, OSError, ValueError) as error:
                log.warning("live channel: subscription interrupted: %s", error)
                self._ready.set()  # do not hold new streams back; they will be told
                self._lose_all()
                if self._stop_if_idle():
                    return
                threading.Event().wait(pause)
                pause = min(pause * 2, 5.0)
            finally:
                if pubsub is not None:
                    pubsub.close()

    def _dispatch(self, channel: str, data: bytes) -> None:
        try:
            counter = int(data)
        except ValueError:
            return
        with self._lock:
            listeners = list(self._by_channel.get(channel, ()))
        for listener in listeners:
            listener.deliver(channel, counter)

    def _lose_all(self) -> None:
        with self._lock:
            listeners = {listener for group in self._by_channel.values() for listener in group}
        for listener in listeners:
            listener.lose()

    def _stop_if_idle(self) -> bool:
        with self._lock:
            if self._by_channel:
                return False
            self._thread = None
            return True
