"""What the browser tests share: sizes, the e2e password, signing in through the form, the
page's sideways overflow, and axe-core (fixtures stay in conftest.py)."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from resolutions.models import Participant, User

PASSWORD = "e2e-correct-horse-42"  # noqa: S105 (every e2e user's password)
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
AXE_JS = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
FAILING_IMPACTS = ("serious", "critical")


def sign_in_with_form(page: Any, who: User | Participant, password: str = PASSWORD) -> None:
    """Sign in through the real form and wait for the page it leads to."""
    user = who.user if isinstance(who, Participant) else who
    page.goto("/sign-in")
    page.get_by_label("E-mail").fill(user.email)
    page.get_by_label("Password").fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()
    if "/sign-in" in page.url:
        errors = page.locator(".field__error").all_inner_texts()
        raise AssertionError(f"sign-in as {user.email} failed: {errors}")


def horizontal_overflow(page: Any) -> int:
    """How many CSS pixels the page scrolls sideways (0 when it fits the viewport)."""
    return page.evaluate(
        "() => Math.max(0, document.scrollingElement.scrollWidth - window.innerWidth)"
    )


@cache
def axe_source() -> str:
    return AXE_JS.read_text(encoding="utf-8")


def run_axe(page: Any) -> list[dict[str, Any]]:
    """axe's violations on the page as it is now.

    The app's CSP forbids inline scripts, so axe is evaluated through the DevTools protocol
    (``page.evaluate``), which the CSP does not apply to; the page's own policy stays on.
    """
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(axe_source())
    return page.evaluate(
        """async () => {
            const result = await axe.run(document, {resultTypes: ["violations"]});
            return result.violations.map(v => ({
                id: v.id,
                impact: v.impact,
                help: v.help,
                helpUrl: v.helpUrl,
                nodes: v.nodes.map(n => ({
                    target: n.target.join(" "),
                    summary: n.failureSummary,
                    html: n.html,
                })),
            }));
        }"""
    )


def describe(violations: list[dict[str, Any]]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"[{violation['impact']}] {violation['id']}: {violation['help']}")
        for node in violation["nodes"]:
            lines.append(f"    {node['target']}    {node['html'][:120]}")
            lines.append("      " + (node["summary"] or "").replace("\n", "\n      "))
    return "\n".join(lines)
