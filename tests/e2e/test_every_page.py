"""Every page of the demo sitting, as each role, in Russian, on a phone and on a wall (issue 11).

One browser, one sign-in per person (the phone context reuses the desktop one's cookies). On
each page, at 390×844 (a phone) and 1920×1080 (a projector or a large screen):

- axe-core finds no serious or critical violation;
- the page does not scroll sideways (``scrollWidth`` within the viewport);
- on the phone every link, button and field is a tap target of at least 44×44 CSS pixels
  (a checkbox or radio counts together with its label, which takes the tap too), and the
  header is at most 120 px tall;
- a screenshot of the whole page lands in ``test-artifacts/pages/<who>-<page>-<size>.png``.

The state walked: the demo conference with everyone with a vote present, the first amendment
voted by name and published, a secret poll on the second open (so the vote banner, the live
console and projector show), and the first delegate's draft amendment with an invitation to
co-sponsor it waiting for the second. What each page showed is written to
``test-artifacts/pages/report.json``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from resolutions.auth.service import create_invitation
from resolutions.conferences.service import settings_of, update_settings
from resolutions.demo import ADMIN_EMAIL, DEMO_PASSWORD
from resolutions.drafting import service as drafting
from resolutions.extensions import babel, db
from resolutions.models import (
    Amendment,
    AmendmentState,
    Clause,
    Conference,
    Participant,
    Poll,
    PollState,
    Role,
)
from tests.e2e.browser import FAILING_IMPACTS, PHONE, describe, run_axe
from tests.objects.app import ARTIFACTS
from tests.objects.sitting import open_secret_poll, start_demo_sitting

pytestmark = pytest.mark.e2e

PAGES_DIR = ARTIFACTS / "pages"
WALL = {"width": 1920, "height": 1080}
LAPTOP = {"width": 1366, "height": 768}
SIZES = {"390": PHONE, "1920": WALL}
TAP = 44
PHONE_HEADER = 120
TRANSLATIONS = Path(__file__).resolve().parents[2] / "translations"

# What a finger can press. Hidden inputs, closed <details> content and display:none have no box.
TAP_TARGETS_JS = r"""(minimum) => {
    const small = [];
    // A link inside a sentence takes the sentence's line (WCAG 2.5.5 exempts it).
    const inSentence = (el) => {
        if (el.tagName !== 'A' || getComputedStyle(el).display !== 'inline') return false;
        let parent = el.parentElement;
        while (parent && getComputedStyle(parent).display === 'inline') {
            el = parent; parent = parent.parentElement;
        }
        return [...parent.childNodes].some(node => node !== el && (
            node.nodeType === Node.TEXT_NODE ? /[\p{L}\p{N}]/u.test(node.textContent)
            : node.nodeType === Node.ELEMENT_NODE && node.tagName !== 'A'
              && getComputedStyle(node).display === 'inline'
              && /[\p{L}\p{N}]/u.test(node.textContent)));
    };
    const selector = 'a[href], button, input:not([type=hidden]), select, textarea, summary';
    for (const el of document.querySelectorAll(selector)) {
        if (el.closest('[hidden], [aria-hidden=true]')) continue;
        const closed = el.closest('details:not([open])');
        if (closed && el.parentElement !== closed) continue;  // folded away, not shown
        const style = getComputedStyle(el);
        if (style.visibility === 'hidden' || style.display === 'none') continue;
        if (inSentence(el)) continue;
        let box = el.getBoundingClientRect();
        if (box.width === 0 && box.height === 0) continue;
        // A skip link waits off-screen until it is focused.
        if (box.bottom <= 0 || box.right <= 0) continue;
        let left = box.left, top = box.top, right = box.right, bottom = box.bottom;
        if (el.type === 'checkbox' || el.type === 'radio') {
            const label = el.closest('label') || (el.id && document.querySelector(
                `label[for="${CSS.escape(el.id)}"]`));
            if (label) {
                const l = label.getBoundingClientRect();
                left = Math.min(left, l.left); top = Math.min(top, l.top);
                right = Math.max(right, l.right); bottom = Math.max(bottom, l.bottom);
            }
        }
        const width = right - left, height = bottom - top;
        if (width + 0.5 < minimum || height + 0.5 < minimum) {
            const text = (el.innerText || el.value || el.getAttribute('aria-label')
                || el.name || '').trim().replace(/\s+/g, ' ').slice(0, 40);
            small.push(`${el.tagName.toLowerCase()}${el.className ? '.' +
                String(el.className).trim().split(/\s+/).join('.') : ''} «${text}» ` +
                `${Math.round(width)}×${Math.round(height)}`);
        }
    }
    return small;
}"""


# The tab of the page being shown, scrolled out of the tab bar (nav.js brings it into view).
CURRENT_TAB_HIDDEN_JS = """() => {
    const nav = document.querySelector('.conference-nav');
    const tab = nav && nav.querySelector('[aria-current=page]');
    if (!tab) return false;
    const bar = nav.getBoundingClientRect(), box = tab.getBoundingClientRect();
    return box.left < bar.left - 1 || box.right > bar.right + 1;
}"""

# Each poll's outcome on the record: inside the screen, and the table does not scroll sideways
# to reach it (issue 11: at 1366 px the outcome columns were cut off).
OUTCOMES_CUT_JS = r"""() => {
    const cut = [];
    const wrap = document.querySelector('.record-table')?.closest('.table-wrap');
    if (wrap && wrap.scrollWidth > wrap.clientWidth + 1) {
        cut.push(`the record table scrolls: ${wrap.scrollWidth} in ${wrap.clientWidth} px`);
    }
    for (const row of document.querySelectorAll('.record-table tbody tr')) {
        for (const cell of row.querySelectorAll('.record-table__outcome, td.num[data-label]')) {
            const box = cell.getBoundingClientRect();
            if (box.width === 0 || box.right > window.innerWidth || box.left < 0) {
                cut.push(`«${cell.innerText.trim()}» of «${row.innerText.split('\n')[0]}»`);
            }
        }
    }
    return cut;
}"""


def every_outcome_shows(page: Any, size: str) -> list[str]:
    """The record at this size and, on the wall's page, at 1366 px too."""
    problems = [f"at {size}: {cut}" for cut in page.evaluate(OUTCOMES_CUT_JS)]
    rows = page.locator(".record-table tbody tr").count()
    if rows < 2:
        problems.append(f"the record shows {rows} polls, not 2")
    if size == "1920":
        page.set_viewport_size(LAPTOP)
        problems += [f"at 1366: {cut}" for cut in page.evaluate(OUTCOMES_CUT_JS)]
        page.screenshot(path=str(PAGES_DIR / "record-1366.png"), full_page=True)
        page.set_viewport_size(WALL)
    return problems


def focus_ring_shows(page: Any, size: str) -> list[str]:
    """A focused field has a solid, opaque outline at least 2 px wide (issue 11: it was faint)."""
    field = page.locator("input[name=email]")
    field.focus()
    ring = field.evaluate(
        "el => { const s = getComputedStyle(el);"
        " return [s.outlineStyle, parseFloat(s.outlineWidth), s.outlineColor]; }"
    )
    style, width, color = ring
    opaque = not color.startswith("rgba") or color.rstrip(")").endswith(", 1")
    if style != "solid" or width < 2 or not opaque:
        return [f"the focus ring of a field is {style} {width}px {color}"]
    return []


@dataclass(frozen=True)
class Visit:
    """A page to open: who opens it, a short name for the files, and its path."""

    who: str
    name: str
    path: str
    status: int = 200
    prepare: Callable[[Any], None] | None = None
    check: Callable[[Any, str], list[str]] | None = None  # (page, size) -> what is wrong


@dataclass
class Seen:
    """What one visit measured."""

    visit: Visit
    size: str
    status: int
    serious: list[dict[str, Any]] = field(default_factory=list)
    other: list[str] = field(default_factory=list)
    overflow: int = 0
    small_targets: list[str] = field(default_factory=list)
    header: float = 0
    current_tab_hidden: bool = False
    found: list[str] = field(default_factory=list)  # by the visit's own check
    screenshot: str = ""

    def problems(self) -> list[str]:
        where = f"{self.visit.who} {self.visit.path} at {self.size}"
        found = []
        if self.status != self.visit.status:
            found.append(f"{where}: answered {self.status}, not {self.visit.status}")
        if self.serious:
            found.append(f"{where}: axe\n{describe(self.serious)}")
        if self.overflow > 0:
            found.append(f"{where}: scrolls {self.overflow} px sideways")
        if self.small_targets:
            small = "; ".join(self.small_targets)
            found.append(f"{where}: tap targets under {TAP}×{TAP}: {small}")
        if self.size == "390" and self.header > PHONE_HEADER:
            found.append(f"{where}: the header is {self.header:.0f} px tall")
        if self.current_tab_hidden:
            found.append(f"{where}: the current tab is off the screen")
        found += [f"{where}: {problem}" for problem in self.found]
        return found


# --- the sitting -----------------------------------------------------------------------------


@dataclass
class DemoSitting:
    conference: Conference
    people: dict[str, str]  # who -> e-mail
    visits: list[Visit]


def _member(conference: Conference, email_start: str) -> Participant:
    return next(p for p in conference.participants if p.user.email.startswith(email_start))


def prepare_demo_sitting() -> DemoSitting:
    """The demo conference mid-sitting (see the module's docstring) and the pages to visit."""
    sitting = start_demo_sitting()
    conference = sitting.conference
    open_secret_poll(sitting)
    resolution = conference.resolutions[0]
    draft = db.session.scalars(
        sa.select(Amendment).where(
            Amendment.resolution_id == resolution.id, Amendment.state == AmendmentState.DRAFT
        )
    ).one()
    author = draft.proposer
    cosponsor = _member(conference, "delegate07.")
    drafting.invite_sponsor(draft, author, cosponsor)
    # A change of settings, so that the audit log shows its times and words.
    members = {p.role: p for p in conference.participants}
    settings = settings_of(conference)
    assert settings.amendment_deadline is not None
    update_settings(
        conference,
        replace(settings, amendment_deadline=settings.amendment_deadline + timedelta(hours=2)),
        members[Role.SECRETARIAT],
    )
    db.session.commit()

    amendments = {
        a.number: a
        for a in db.session.scalars(
            sa.select(Amendment).where(Amendment.resolution_id == resolution.id)
        )
        if a.number
    }
    submitted = next(a for a in amendments.values() if a.state == AmendmentState.SUBMITTED)
    admitted = next(a for a in amendments.values() if a.state == AmendmentState.ADMITTED)
    adopted_or_rejected = next(
        a
        for a in amendments.values()
        if a.state in (AmendmentState.ADOPTED, AmendmentState.REJECTED)
    )
    polls = db.session.scalars(sa.select(Poll).where(Poll.conference_id == conference.id)).all()
    published = next(p for p in polls if p.state == PollState.PUBLISHED)
    clause = db.session.scalars(
        sa.select(Clause).where(Clause.resolution_id == resolution.id).order_by(Clause.id)
    ).first()
    assert clause is not None
    plain_delegate = _member(conference, "delegate02.")
    token = create_invitation(_member(conference, "delegate03.").user, days=1)
    card_token = _member(conference, "delegate04.").card_token
    db.session.commit()

    c = f"/c/{conference.id}"
    r = f"{c}/resolutions/{resolution.id}"
    # An update of the list: two people change, one is new (the import's preview shows both).
    changed = [_member(conference, f"delegate{n:02d}.") for n in (5, 6)]
    csv = "\n".join(
        [
            "name;e-mail;organisation;country;role;weight",
            *[
                f"{p.user.name};{p.user.email};Новая организация;{p.country};delegate;2"
                for p in changed
            ],
            "Новый Делегатов;new.delegate.with.a.long.address@example.org;;Армения;delegate;1",
        ]
    ).encode("utf-8")
    created = iter(range(1, 10))

    def send_invitations(page: Any) -> None:
        page.locator("#invite-form").wait_for()
        page.locator("input[name=participant]").nth(3).check()
        with page.expect_navigation():
            page.locator("#invite-form [name=invite_selected]").click()

    def upload_update(page: Any) -> None:
        page.locator("input[type=file]").set_input_files(
            files=[{"name": "участники.csv", "mimeType": "text/csv", "buffer": csv}]
        )
        with page.expect_navigation():
            page.locator("main form[enctype] [type=submit]").click()
        page.locator(".table-wrap").first.wait_for()

    def create_conference(page: Any) -> None:
        number = next(created)
        page.locator("input[name=title]").fill(f"Форум солидарности {number}")
        page.locator("input[name=short_name]").fill(f"ФС-{number}")
        page.locator("input[name=start_date]").fill("2027-03-01")
        page.locator("input[name=secretariat_name]").fill("Гульнара Секретарёва")
        page.locator("input[name=secretariat_email]").fill(f"forum{number}@demo.example")
        with page.expect_navigation():
            page.locator("main form [type=submit]").click()

    def open_other_rules(page: Any) -> None:
        page.locator("summary", has_text="Другие правила").first.click()

    people = {
        "admin": ADMIN_EMAIL,
        "secretariat": members[Role.SECRETARIAT].user.email,
        "chair": members[Role.CHAIR].user.email,
        "delegate": author.user.email,
        "cosponsor": cosponsor.user.email,
        "observer": members[Role.OBSERVER].user.email,
    }
    pages = [
        Visit("anonymous", "sign-in", "/sign-in", check=focus_ring_shows),
        Visit("anonymous", "invitation", f"/invitation/{token}"),
        Visit("anonymous", "card", f"/card/{card_token}"),
        Visit("anonymous", "404", "/no-such-page", status=404),
        Visit("admin", "conferences", "/"),
        Visit("admin", "admin", "/admin/"),
        Visit("admin", "admin-new", "/admin/conferences/new"),
        Visit("admin", "admin-created", "/admin/conferences/new", prepare=create_conference),
        Visit("admin", "admin-delete", f"/admin/conferences/{conference.id}/delete"),
        Visit("admin", "password", "/account/password"),
        # The secretariat
        Visit("secretariat", "home", f"{c}/"),
        Visit("secretariat", "participants", f"{c}/participants"),
        Visit("secretariat", "participant-new", f"{c}/participants/new"),
        Visit("secretariat", "participant-edit", f"{c}/participants/{plain_delegate.id}/edit"),
        Visit("secretariat", "import", f"{c}/participants/import"),
        Visit("secretariat", "import-update", f"{c}/participants/import", prepare=upload_update),
        Visit("secretariat", "invitations", f"{c}/participants", prepare=send_invitations),
        Visit("secretariat", "settings", f"{c}/settings"),
        Visit("secretariat", "audit", f"{c}/audit"),
        Visit("secretariat", "resolutions", f"{c}/resolutions"),
        Visit("secretariat", "draft", r),
        Visit("secretariat", "resolution-settings", f"{r}/settings"),
        Visit("secretariat", "clause-new", f"{r}/clauses/new"),
        Visit("secretariat", "clause-edit", f"{c}/clauses/{clause.id}/edit"),
        Visit("secretariat", "import-draft", f"{r}/import"),
        Visit("secretariat", "triage", f"{r}/amendments"),
        Visit("secretariat", "amendment-submitted", f"{c}/amendments/{submitted.id}"),
        Visit("secretariat", "attendance", f"{c}/attendance"),
        Visit("secretariat", "record", f"{c}/record", check=every_outcome_shows),
        Visit("secretariat", "documents", f"{c}/documents"),
        # The chair
        Visit("chair", "home", f"{c}/"),
        Visit("chair", "console", f"{c}/console"),
        Visit("chair", "console-other-rules", f"{c}/console", prepare=open_other_rules),
        Visit("chair", "projector", f"{c}/projector"),
        Visit("chair", "vote-order", f"{r}/vote-order"),
        Visit("chair", "attendance", f"{c}/attendance"),
        Visit("chair", "ballot", f"{c}/vote"),
        Visit("chair", "poll", f"{c}/polls/{published.id}"),
        # A delegate, author of a draft amendment
        Visit("delegate", "conferences", "/"),
        Visit("delegate", "home", f"{c}/"),
        Visit("delegate", "resolutions", f"{c}/resolutions"),
        Visit("delegate", "draft", r),
        Visit("delegate", "consolidated", f"{r}/consolidated"),
        Visit("delegate", "text-at", f"{r}/text-at"),
        Visit("delegate", "history", f"{c}/clauses/{clause.id}/history"),
        Visit("delegate", "amendment-own-draft", f"{c}/amendments/{draft.id}"),
        Visit("delegate", "amendment-edit", f"{c}/amendments/{draft.id}/edit"),
        Visit("delegate", "amendment-admitted", f"{c}/amendments/{admitted.id}"),
        Visit("delegate", "amendment-voted", f"{c}/amendments/{adopted_or_rejected.id}"),
        Visit("delegate", "amendment-preview", f"{c}/amendments/{admitted.id}/preview"),
        Visit("delegate", "amendment-new", f"{r}/amendments/new"),
        Visit("delegate", "ballot", f"{c}/vote"),
        Visit("delegate", "proxies", f"{c}/proxies"),
        Visit("delegate", "record", f"{c}/record", check=every_outcome_shows),
        Visit("delegate", "poll", f"{c}/polls/{published.id}"),
        Visit("delegate", "documents", f"{c}/documents"),
        Visit("delegate", "password", "/account/password"),
        # A delegate invited to co-sponsor that draft
        Visit("cosponsor", "amendment-invited-draft", f"{c}/amendments/{draft.id}"),
        # An observer
        Visit("observer", "home", f"{c}/"),
        Visit("observer", "draft", r),
        Visit("observer", "amendment", f"{c}/amendments/{admitted.id}"),
        Visit("observer", "record", f"{c}/record", check=every_outcome_shows),
        Visit("observer", "documents", f"{c}/documents"),
    ]
    return DemoSitting(conference, people, pages)


# --- walking ---------------------------------------------------------------------------------


def sign_in(page: Any, email: str, password: str) -> None:
    """The real sign-in form, by its fields' names (the labels are in Russian here)."""
    page.goto("/sign-in")
    page.locator("input[name=email]").fill(email)
    page.locator("input[name=password]").fill(password)
    with page.expect_navigation():
        page.locator("main form [type=submit]").click()
    assert "/sign-in" not in page.url, f"sign-in as {email} failed"


def measure(page: Any, visit: Visit, size: str, status: int) -> Seen:
    seen = Seen(visit=visit, size=size, status=status)
    violations = run_axe(page)
    seen.serious = [v for v in violations if v["impact"] in FAILING_IMPACTS]
    seen.other = [f"[{v['impact']}] {v['id']}" for v in violations if v not in seen.serious]
    seen.overflow = page.evaluate(
        "() => Math.max(0, document.scrollingElement.scrollWidth - window.innerWidth)"
    )
    if size == "390":
        seen.small_targets = page.evaluate(TAP_TARGETS_JS, TAP)
        seen.header = page.evaluate(
            "() => { const h = document.querySelector('.site-header');"
            " return h ? h.getBoundingClientRect().height : 0; }"
        )
        seen.current_tab_hidden = page.evaluate(CURRENT_TAB_HIDDEN_JS)
    if visit.check:
        seen.found = visit.check(page, size)
    path = PAGES_DIR / f"{visit.who}-{visit.name}-{size}.png"
    page.screenshot(path=str(path), full_page=True, scale="css")
    seen.screenshot = str(path.relative_to(ARTIFACTS.parent))
    return seen


def walk(
    browser: Any,
    base_url: str,
    sitting: DemoSitting,
    password: str = DEMO_PASSWORD,
    sizes: tuple[str, ...] = tuple(SIZES),
) -> list[Seen]:
    """Open every page of ``sitting`` at both sizes as its person; what each measured."""
    PAGES_DIR.mkdir(parents=True, exist_ok=True)
    seen: list[Seen] = []
    common = {"base_url": base_url, "locale": "ru-RU", "timezone_id": "Asia/Bishkek"}
    for who in dict.fromkeys(visit.who for visit in sitting.visits):
        desktop = browser.new_context(viewport=WALL, **common)
        desktop.set_default_timeout(15_000)
        page = desktop.new_page()
        if who != "anonymous":
            sign_in(page, sitting.people[who], password)
        phone = browser.new_context(
            viewport=PHONE,
            is_mobile=True,
            has_touch=True,
            device_scale_factor=2,
            storage_state=desktop.storage_state(),
            **common,
        )
        phone.set_default_timeout(15_000)
        pages = {"1920": page, "390": phone.new_page()}
        pages = {size: pages[size] for size in sizes}
        try:
            for visit in (v for v in sitting.visits if v.who == who):
                for size, on in pages.items():
                    response = on.goto(visit.path)
                    status = response.status if response is not None else 0
                    if visit.prepare:
                        visit.prepare(on)
                    seen.append(measure(on, visit, size, status))
        finally:
            phone.close()
            desktop.close()
    report = [
        {
            "who": s.visit.who,
            "page": s.visit.name,
            "path": s.visit.path,
            "size": s.size,
            "status": s.status,
            "serious": [f"[{v['impact']}] {v['id']}" for v in s.serious],
            "other_axe": s.other,
            "overflow": s.overflow,
            "small_targets": s.small_targets,
            "header": round(s.header),
            "screenshot": s.screenshot,
        }
        for s in seen
    ]
    (PAGES_DIR / "report.json").write_text(json.dumps(report, indent=1, ensure_ascii=False))
    return seen


# --- the test --------------------------------------------------------------------------------


@pytest.fixture
def mail_to_files(live_app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Invitations sent during the walk are written into the test's folder."""
    monkeypatch.setitem(live_app.config, "MAIL_DIR", str(tmp_path / "mail"))


@pytest.fixture
def russian(live_app: Flask) -> Iterator[None]:
    """The live server with its real catalogues (the e2e server runs untranslated)."""
    config = live_app.extensions["babel"]
    before = config.translation_directories
    config.translation_directories = [str(TRANSLATIONS)]
    babel.domain_instance.cache.clear()
    yield
    config.translation_directories = before
    babel.domain_instance.cache.clear()


def test_every_page_as_every_role_on_a_phone_and_a_wall(
    live_app: Flask, live_url: str, browser: Any, russian: None, mail_to_files: None
) -> None:
    sitting = prepare_demo_sitting()
    seen = walk(browser, live_url, sitting)
    assert len(seen) == 2 * len(sitting.visits)
    problems = [problem for s in seen for problem in s.problems()]
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems)
