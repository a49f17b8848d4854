"""Browser fixtures: the real app on a live server, driven by Debian's Chromium via Playwright.

Each test process (each pytest-xdist worker) starts its own server on a free port of 127.0.0.1,
with its own SQLite file and CSRF switched on, and its own Chromium. Tables are emptied after
every test. Where ``/usr/bin/chromium`` is missing the tests are skipped, unless
``RESOLUTIONS_REQUIRE_BROWSER=1`` (``make test``, CI), where they fail.

Every page made by these fixtures fails its test on a browser console error (a CSP violation
shows there, so does an uncaught script error or a missing stylesheet) and every request that
raised on the server fails it too. A 4xx answer to a page the test navigated to on purpose is
not an error; use ``new_page(allow_console_errors=...)`` or ``@pytest.mark.allow_console_errors``
when a test expects a console error.

Fixtures (all function-scoped unless said):
    live_app           the Flask app behind the server; an app context is pushed for the test,
                       so ``db.session`` works directly. Commit before the browser acts, and call
                       ``db.session.expire_all()`` before reading what the browser changed.
    live_url           "http://127.0.0.1:<port>"; pages have it as base URL, so goto("/c/1/").
    live_url_for       live_url_for("voting.ballot", conference_id=1) -> absolute URL.
    make_live_world    make_live_world(**make_conference_kwargs) -> tests.objects.world.World whose
                       users all have the password PASSWORD; live_world is one such world.
    make_live_user     make_live_user(name=..., is_admin=False, **fields) -> User with PASSWORD.
    browser            the Chromium browser (session-scoped).
    new_page           new_page(phone=False, allow_console_errors=False, **context_options)
                       -> a Page in a fresh browser context (own cookies), English UI.
    page               new_page().
    signed_in_page     signed_in_page(participant_or_user, phone=False, path=None) -> a Page in a
                       fresh context, signed in through the real sign-in form. Call it once per
                       user: several users can be signed in at once.
    screenshot         screenshot(page, "name") -> test-artifacts/<test name>-<name>.png (full).
    channel            the live channel, parametrised: "events" (SSE through Redis) or
                       "polling" (no Redis): a test using it runs once on each.

Helpers to import: ``from tests.e2e.browser import PASSWORD, PHONE, sign_in_with_form,
horizontal_overflow``.

Example::

    import pytest
    from playwright.sync_api import expect

    pytestmark = pytest.mark.e2e

    def test_delegate_sees_only_delegate_actions(live_world, signed_in_page, screenshot):
        conference_id = live_world.conference.id
        page = signed_in_page(live_world.delegate, path=f"/c/{conference_id}/")
        expect(page.get_by_role("heading", level=1)).to_have_text("Test Conference")
        expect(page.get_by_role("link", name="Settings")).to_have_count(0)
        screenshot(page, "home")
"""

from __future__ import annotations

import os
import re
import secrets
import threading
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, got_request_exception
from werkzeug.serving import BaseWSGIServer, make_server

from resolutions import create_app
from resolutions.auth.service import hash_password
from resolutions.extensions import db, limiter
from resolutions.models import Participant, User
from tests import servers
from tests.e2e.browser import DESKTOP, PASSWORD, PHONE, sign_in_with_form
from tests.objects.app import ARTIFACTS, empty_tables
from tests.objects.world import World, make_conference, make_user

CHROMIUM = os.environ.get("RESOLUTIONS_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
# English UI by default, so that assertions on English text survive the Russian catalogue.
CONTEXT_DEFAULTS: dict[str, Any] = {"locale": "en-US", "timezone_id": "UTC"}

_console_key = pytest.StashKey[list["PageWatch"]]()
_server_key = pytest.StashKey["LiveServer"]()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "allow_console_errors(*substrings): browser console errors (all, or those containing "
        "one of the substrings) do not fail this test",
    )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.path).parents:
            item.add_marker(pytest.mark.e2e)


# --- the live server ---------------------------------------------------------------------------


@dataclass
class LiveServer:
    app: Flask
    url: str
    server: BaseWSGIServer
    errors: list[str] = field(default_factory=list)


@pytest.fixture(scope="session")
def _live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    # tmp_path_factory is per process, so each xdist worker gets its own database file.
    database = tmp_path_factory.mktemp("e2e") / "live.sqlite"
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "e2e-secret",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}",
            # Several browser users write at once: wait for the lock rather than fail.
            "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True, "connect_args": {"timeout": 30}},
            "WTF_CSRF_ENABLED": True,
            "RATELIMIT_STORAGE_URI": "memory://",
            # Every browser signs in from 127.0.0.1; rate limits have their own HTTP tests.
            "SIGN_IN_FAILURES_PER_ACCOUNT": "1000 per minute",
            "SIGN_IN_FAILURES_PER_ADDRESS": "1000 per minute",
            # English source text whatever the page's language (as in tests/conftest.py).
            "BABEL_TRANSLATION_DIRECTORIES": str(tmp_path_factory.mktemp("no-catalogues")),
        }
    )
    with app.app_context():
        db.create_all()
        with db.engine.begin() as conn:
            # Readers do not block the writer (the test reads while the server writes).
            conn.exec_driver_sql("PRAGMA journal_mode=WAL")
    server = make_server("127.0.0.1", 0, app, threaded=True)
    live = LiveServer(app=app, url=f"http://127.0.0.1:{server.server_port}", server=server)

    def record_error(sender: Flask, exception: BaseException, **extra: Any) -> None:
        live.errors.append("".join(traceback.format_exception(exception)))

    got_request_exception.connect(record_error, app, weak=False)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    yield live
    server.shutdown()
    thread.join(timeout=10)
    server.server_close()
    with app.app_context():
        for engine in db.engines.values():
            engine.dispose()


@pytest.fixture
def live_app(_live_server: LiveServer, request: pytest.FixtureRequest) -> Iterator[Flask]:
    """The app behind the live server, with an app context pushed for the test."""
    _live_server.errors.clear()
    request.node.stash[_server_key] = _live_server
    with _live_server.app.app_context():
        yield _live_server.app
        db.session.remove()
        empty_tables()
        limiter.reset()


@pytest.fixture
def live_url(live_app: Flask, _live_server: LiveServer) -> str:
    return _live_server.url


@pytest.fixture
def live_url_for(live_app: Flask, live_url: str) -> Callable[..., str]:
    """The absolute URL of an endpoint on the live server."""

    def build(endpoint: str, **values: Any) -> str:
        from flask import url_for

        with live_app.test_request_context(base_url=live_url):
            return url_for(endpoint, _external=True, **values)

    return build


# --- data with known passwords -----------------------------------------------------------------


@cache
def password_hash() -> str:
    """The hash of PASSWORD, computed once: argon2 is slow on purpose."""
    return hash_password(PASSWORD)


def give_password(*people: User | Participant) -> None:
    """Set PASSWORD on these users (or participants' users) and commit."""
    for person in people:
        user = person.user if isinstance(person, Participant) else person
        user.password_hash = password_hash()
    db.session.commit()


@pytest.fixture
def make_live_world(live_app: Flask) -> Callable[..., World]:
    """A committed conference (tests.objects.world.make_conference) whose users have PASSWORD."""

    def make(*args: Any, **kwargs: Any) -> World:
        world = make_conference(*args, **kwargs)
        give_password(world.secretariat, world.chair, *world.delegates, world.observer)
        return world

    return make


@pytest.fixture
def live_world(make_live_world: Callable[..., World]) -> World:
    return make_live_world()


@pytest.fixture
def make_live_user(live_app: Flask) -> Callable[..., User]:
    """A committed user with PASSWORD (pass is_admin=True for a site administrator)."""

    def make(email: str | None = None, name: str = "Test User", **fields: Any) -> User:
        return make_user(email, name, password_hash=password_hash(), **fields)

    return make


# --- the browser -------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def _playwright() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    manager = sync_playwright().start()
    yield manager
    manager.stop()


@pytest.fixture(scope="session")
def browser(_playwright: Any) -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        reason = f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("RESOLUTIONS_REQUIRE_BROWSER") == "1":
            pytest.fail(reason + " but RESOLUTIONS_REQUIRE_BROWSER=1")
        pytest.skip(reason)
    browser = _playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@dataclass
class PageWatch:
    """What one page logged: console errors, uncaught errors, 4xx pages visited on purpose."""

    page: Any
    allowed: bool | tuple[str, ...]
    errors: list[str] = field(default_factory=list)
    client_error_pages: set[str] = field(default_factory=set)

    def on_response(self, response: Any) -> None:
        # Navigating to a 403/404 page logs "Failed to load resource"; the test asked for it.
        if (
            400 <= response.status < 500
            and response.request.is_navigation_request()
            and response.frame == self.page.main_frame
        ):
            self.client_error_pages.add(response.url)

    def on_console(self, message: Any) -> None:
        if message.type != "error":
            return
        location = message.location or {}
        text = message.text
        if (
            text.startswith("Failed to load resource: the server responded with a status of 4")
            and location.get("url") in self.client_error_pages
        ):
            return
        self.errors.append(f"console error at {location.get('url') or self.page.url}: {text}")

    def on_page_error(self, error: Any) -> None:
        self.errors.append(f"uncaught error: {error}")

    def flush(self) -> None:
        """Let Playwright deliver the events the page logged after the test's last call."""
        try:
            if not self.page.is_closed():
                self.page.evaluate("() => 0")
        except Exception:  # noqa: BLE001 (a page mid-navigation or gone: nothing to flush)
            pass

    def unexpected(self, marker_allowed: bool | tuple[str, ...]) -> list[str]:
        def allowed(message: str, rule: bool | tuple[str, ...]) -> bool:
            if rule is True:
                return True
            return bool(rule) and any(part in message for part in rule)

        return [
            message
            for message in self.errors
            if not allowed(message, self.allowed) and not allowed(message, marker_allowed)
        ]


@pytest.fixture
def new_page(
    browser: Any, live_url: str, request: pytest.FixtureRequest
) -> Iterator[Callable[..., Any]]:
    """A factory of pages, each in a fresh browser context (its own cookies: its own user)."""
    contexts: list[Any] = []
    watches = request.node.stash.setdefault(_console_key, [])

    def make(
        *,
        phone: bool = False,
        allow_console_errors: bool | tuple[str, ...] = False,
        **context_options: Any,
    ) -> Any:
        options: dict[str, Any] = {
            **CONTEXT_DEFAULTS,
            "base_url": live_url,
            "viewport": PHONE if phone else DESKTOP,
        }
        if phone:
            options.update(is_mobile=True, has_touch=True, device_scale_factor=2)
        options.update(context_options)
        context = browser.new_context(**options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        watch = PageWatch(page=page, allowed=allow_console_errors)
        page.on("response", watch.on_response)
        page.on("console", watch.on_console)
        page.on("pageerror", watch.on_page_error)
        watches.append(watch)
        return page

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page: Callable[..., Any]) -> Any:
    return new_page()


@pytest.fixture
def signed_in_page(new_page: Callable[..., Any]) -> Callable[..., Any]:
    """signed_in_page(participant_or_user, phone=False, path=None) -> a signed-in Page."""

    def make(who: User | Participant, *, path: str | None = None, **page_options: Any) -> Any:
        user = who.user if isinstance(who, Participant) else who
        if not user.password_hash:
            give_password(user)
        page = new_page(**page_options)
        sign_in_with_form(page, user)
        if path:
            page.goto(path)
        return page

    return make


@pytest.fixture
def screenshot(request: pytest.FixtureRequest) -> Callable[[Any, str], Path]:
    """screenshot(page, name): the full page into test-artifacts/<test name>-<name>.png."""

    def take(page: Any, name: str) -> Path:
        test_name = re.sub(r"[^\w.-]+", "_", request.node.name).strip("_")
        path = ARTIFACTS / f"{test_name}-{name}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


# --- failing the test on browser and server errors ----------------------------------------------


def _reported_problems(item: pytest.Item) -> list[str]:
    problems: list[str] = []
    live = item.stash.get(_server_key, None)
    if live is not None and live.errors:
        problems += [f"server error:\n{error}" for error in live.errors]
    marker = item.get_closest_marker("allow_console_errors")
    marker_allowed: bool | tuple[str, ...] = False
    if marker is not None:
        marker_allowed = tuple(marker.args) or True
    for watch in item.stash.get(_console_key, []):
        watch.flush()
        problems += watch.unexpected(marker_allowed)
    return problems


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    try:
        result = yield
    except Exception as failure:
        # The test failed anyway; what the browser and server said may explain why.
        problems = _reported_problems(item)
        if problems:
            failure.add_note("\n".join(["the browser or the server reported:", *problems]))
        raise
    problems = _reported_problems(item)
    if problems:
        raise AssertionError("\n".join(["the browser or the server reported errors:", *problems]))
    return result


# --- the live channel ----------------------------------------------------------------------


@pytest.fixture(params=["events", "polling"])
def channel(
    request: pytest.FixtureRequest, live_app: Flask, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    """The live channel of the server for this test: SSE through Redis, or polling only."""
    prefix = ""
    if request.param == "events":
        prefix = f"e2e-{secrets.token_hex(4)}"
        monkeypatch.setitem(live_app.config, "REDIS_URL", servers.redis_url())
        monkeypatch.setitem(live_app.config, "LIVE_KEY_PREFIX", prefix)
        monkeypatch.setitem(live_app.config, "LIVE_STREAM_SECONDS", 20)
        monkeypatch.setitem(live_app.config, "LIVE_HEARTBEAT_SECONDS", 2)
    yield request.param
    # The pool stays open: streams still running end by themselves (LIVE_STREAM_SECONDS).
    client = live_app.extensions.pop("voting_live_redis", None)
    if client is not None:
        keys = list(client.scan_iter(f"{prefix}:*"))
        if keys:
            client.delete(*keys)
