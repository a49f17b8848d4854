"""axe-core (the npm package) on the product's pages: no "serious" or "critical" violation.

SCREENS is the list of pages to check. An area adds its pages with one line each, e.g.
``Screen("voting.ballot", "delegate")``: the URL is built by ``tests/url_params.py`` from the
objects ``tests/objects/<area>.py`` creates, so routes with ``resolution_id``, ``poll_id`` and
the like need nothing more. A page reached by an action (a form with errors, a preview) gets a
``prepare(page)`` step.

The whole axe report of each page (every impact) is saved as test-artifacts/axe-<screen>.json.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from playwright.sync_api import Page

from tests.e2e.browser import AXE_JS, FAILING_IMPACTS, describe, run_axe
from tests.objects.app import ARTIFACTS
from tests.objects.world import World
from tests.url_params import url_params_for

pytestmark = pytest.mark.e2e

ROLES = ("secretariat", "chair", "delegate", "observer")


@dataclass(frozen=True)
class Screen:
    """A page to check: its endpoint, who opens it, and what brings it to the state to check."""

    endpoint: str
    who: str  # "anonymous", "outsider" (signed in, no conference), "admin" or a role
    label: str = ""
    path: str | None = None  # instead of the endpoint's URL (error pages)
    status: int = 200
    prepare: Callable[[Page], None] | None = None
    phone: bool = False

    @property
    def id(self) -> str:
        parts = [self.endpoint, self.who, self.label, "phone" if self.phone else ""]
        return "-".join(part for part in parts if part)


def submit_empty_form(page: Page) -> None:
    """Send the page's main form empty, to check the page with its field errors."""
    form = page.locator("main form").first
    for field in form.locator("input[type=email], input[type=password], input[type=text]").all():
        field.fill("")
    form.locator("[type=submit]").first.click()
    page.locator(".form-summary").wait_for()


# The pages in their ordinary state are walked by tests/e2e/test_every_page.py (every page of the
# demo sitting, as every role, in Russian, at 390 and 1920 px, with axe, tap targets and
# overflow), one sign-in per person. Here: states that walk does not reach (forms with errors,
# error pages, no conference, an idle console and projector), in English.
SCREENS = [
    # Foundation
    Screen("auth.sign_in", "anonymous", "errors", prepare=submit_empty_form),
    Screen("auth.change_password", "delegate", "errors", prepare=submit_empty_form),
    Screen("conferences.index", "outsider", "empty"),
    Screen("admin.create_conference", "admin", "errors", prepare=submit_empty_form),
    Screen("error", "delegate", "404", path="/no-such-page", status=404),
    Screen("error", "anonymous", "404", path="/no-such-page", status=404),
    Screen("admin.conferences", "delegate", "403", status=403),
    # Drafting: a conference with its resolution list for each role (the demo has one)
    *[Screen("drafting.resolutions", role) for role in ROLES],
    # Voting: nothing open
    Screen("voting.ballot", "delegate", "idle", phone=True),
    Screen("voting.console", "chair", "idle"),
    Screen("voting.projector", "chair", "idle"),
]


def test_axe_is_installed() -> None:
    assert AXE_JS.exists(), f"{AXE_JS} is missing: run `npm ci` (make test does)"


@pytest.mark.parametrize("screen", SCREENS, ids=lambda screen: screen.id)
def test_page_has_no_serious_accessibility_violation(
    screen: Screen,
    live_app,
    live_world: World,
    new_page,
    signed_in_page,
    make_live_user,
    screenshot,
) -> None:
    if not AXE_JS.exists():
        pytest.fail(f"{AXE_JS} is missing: run `npm ci` (make test does)")
    if screen.path is None:
        assert screen.endpoint in live_app.view_functions, f"no route {screen.endpoint}"

    if screen.who == "anonymous":
        page = new_page(phone=screen.phone)
    elif screen.who in ("admin", "outsider"):
        user = make_live_user(
            name="Site Admin" if screen.who == "admin" else "Out Sider",
            is_admin=screen.who == "admin",
        )
        page = signed_in_page(user, phone=screen.phone)
    else:
        page = signed_in_page(live_world.member(screen.who), phone=screen.phone)

    path = screen.path or url_params_for(live_app, screen.endpoint, live_world)
    response = page.goto(path)
    assert response is not None
    assert response.status == screen.status, f"{path} answered {response.status}"
    if screen.prepare:
        screen.prepare(page)

    violations = run_axe(page)
    report = ARTIFACTS / f"axe-{screen.id}.json"
    report.parent.mkdir(parents=True, exist_ok=True)
    report.write_text(json.dumps(violations, indent=2, ensure_ascii=False))
    screenshot(page, "page")

    failing = [v for v in violations if v["impact"] in FAILING_IMPACTS]
    assert not failing, f"axe on {path} ({screen.id}):\n{describe(failing)}"


def test_axe_finds_a_serious_violation(live_app, page: Page) -> None:
    """The check can fail: an image button without a name is a critical violation."""
    page.goto("/sign-in")
    page.evaluate(
        """() => {
            const button = document.createElement("button");
            button.type = "button";
            document.querySelector("main").appendChild(button);
        }"""
    )
    violations = run_axe(page)
    assert "button-name" in {v["id"] for v in violations if v["impact"] in FAILING_IMPACTS}
