"""The audit log in Russian after a full sitting, in Chromium, at desktop and phone widths.

Its own server, on catalogues compiled from the repository's ``.po`` files (the shared live
server reads the English source text), so that the page is the one a Russian secretariat
reads.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect
from werkzeug.serving import make_server

from resolutions.demo import DEMO_PASSWORD
from resolutions.extensions import db
from tests.e2e.browser import horizontal_overflow
from tests.i18n_support import translated_app
from tests.objects.audit import full_sitting

pytestmark = pytest.mark.e2e


@pytest.fixture
def russian_server(tmp_path: Path) -> Iterator[tuple[Any, str]]:
    # A browser on 127.0.0.1 keeps the session cookie only without SERVER_NAME=localhost.
    with translated_app(tmp_path, SERVER_NAME=None) as app:
        with db.engine.begin() as conn:
            conn.exec_driver_sql("PRAGMA journal_mode=WAL")
        server = make_server("127.0.0.1", 0, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, name="audit-e2e", daemon=True)
        thread.start()
        try:
            yield app, f"http://127.0.0.1:{server.server_port}"
        finally:
            server.shutdown()
            thread.join(timeout=10)
            server.server_close()


def _signed_in_page(browser: Any, url: str, email: str, **options: Any) -> Any:
    context = browser.new_context(locale="ru-RU", timezone_id="UTC", **options)
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{url}/sign-in")
    page.locator("input[name=email]").fill(email)
    page.locator("input[name=password]").fill(DEMO_PASSWORD)
    with page.expect_navigation():
        page.locator("form:has(input[name=password]) [type=submit]").click()
    page.errors = errors  # type: ignore[attr-defined]
    return page


def test_russian_audit_log_after_a_sitting_reads_in_words(
    russian_server: tuple[Any, str], browser: Any, screenshot: Any
) -> None:
    _app, url = russian_server
    world = full_sitting()
    audit_url = f"{url}/c/{world.conference.id}/audit"
    email = world.secretariat.user.email

    desktop = _signed_in_page(browser, url, email, viewport={"width": 1366, "height": 900})
    desktop.goto(audit_url)
    expect(desktop.get_by_role("heading", level=1)).to_have_text("Журнал действий")
    expect(desktop.locator(".chain--ok")).to_contain_text("Цепочка проверена")
    entries = desktop.locator(".audit-list").inner_text()
    plain = entries.replace("csv", "").replace("Windows-1251", "")  # a file name, an encoding
    assert not re.search(r"[A-Za-z]{3,}", plain), entries[:2000]
    assert not re.search(r"[{}\[\]@]", entries)
    assert horizontal_overflow(desktop) == 0
    # Filter by kind in the browser: only the closed polls stay.
    desktop.get_by_label("Действие").select_option(label="Голосование закрыто")
    desktop.get_by_role("button", name="Фильтр").click()
    expect(desktop.locator(".audit-entry")).to_have_count(3)
    screenshot(desktop, "ru-1366-filtered")
    desktop.goto(audit_url)
    whole = screenshot(desktop, "ru-1366")
    # What the eye meets first, and entries further down (the full page is very tall).
    desktop.screenshot(path=str(whole.with_name(whole.stem + "-screen.png")))
    desktop.locator(".audit-entry").nth(40).scroll_into_view_if_needed()
    desktop.screenshot(path=str(whole.with_name(whole.stem + "-screen-40.png")))
    assert desktop.errors == []  # type: ignore[attr-defined]

    phone = _signed_in_page(
        browser,
        url,
        email,
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        device_scale_factor=2,
    )
    phone.goto(audit_url)
    expect(phone.get_by_role("heading", level=1)).to_have_text("Журнал действий")
    assert horizontal_overflow(phone) == 0
    whole = screenshot(phone, "ru-390")
    phone.screenshot(path=str(whole.with_name(whole.stem + "-screen.png")))
    phone.locator(".audit-entry").nth(10).scroll_into_view_if_needed()
    phone.screenshot(path=str(whole.with_name(whole.stem + "-screen-10.png")))
    assert phone.errors == []  # type: ignore[attr-defined]
