"""Setting a conference up in Chromium, in the Russian interface, with a real SMTP server.

The admin creates a conference naming a new secretariat member; the member follows the link
in the e-mail, sets a password and imports participants; a changed file is imported again
(preview of old → new, then applied); a Windows-1251 file imports; the secretariat invites
people in bulk and sees who was sent an invitation. Screenshots at 1366×900 and 390×844.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from playwright.sync_api import Page, expect

from resolutions import PROJECT_ROOT
from resolutions.extensions import babel, db
from resolutions.models import Conference, Participant, User
from tests.e2e.browser import FAILING_IMPACTS, describe, horizontal_overflow, run_axe
from tests.mail_support import Inbox, invitation_path, running_smtp

pytestmark = pytest.mark.e2e

WIDE = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
RUSSIAN = {"locale": "ru-RU", "viewport": WIDE}

FIRST = (
    "\ufeffимя;почта;организация;страна;делегация;роль;вес\n"
    "Айгерим Нурланова;aigerim@example.org;Конфедерация труда «Степь»;Казахстан;Казахстан;"
    "делегат;3\n"
    "Бермет Касымова;bermet@example.org;Союз горняков «Ала-Тоо»;Кыргызстан;Кыргызстан;делегат;2\n"
    "Бакыт Осмонов;bakyt@example.org;Правозащитный центр;Кыргызстан;Кыргызстан;председатель;1\n"
    "Ирина Наблюдаева;irina@example.org;Фонд «Открытый диалог»;;;наблюдатель;\n"
)
# Aigerim's weight and Irina's role change, Ануш is new; Bermet and Bakyt stay as they are.
SECOND = (
    FIRST.replace("Казахстан;делегат;3", "Казахстан;делегат;5")
    .replace(";;;наблюдатель;", ";Армения;Армения;делегат;")
    .replace("\ufeff", "")
    + "Ануш Петросян;anush@example.org;Лига «Арарат»;Армения;Армения;делегат;1\n"
)
CP1251 = "Имя;Почта;Страна;Роль\nЁлдаш Турсунов;yoldash@example.org;Таджикистан;делегат\n"


@pytest.fixture
def russian_ui(live_app: Flask) -> Iterator[None]:
    """The live server speaks the repository's compiled catalogues for this test."""
    config = live_app.extensions["babel"]
    saved = config.translation_directories
    config.translation_directories = [str(PROJECT_ROOT / "translations")]
    babel.domain_instance.cache.clear()
    yield
    config.translation_directories = saved
    babel.domain_instance.cache.clear()


@pytest.fixture
def inbox(live_app: Flask) -> Iterator[Inbox]:
    with running_smtp(live_app) as found:
        yield found


def _look(page: Page, screenshot: Any, name: str) -> None:
    """Screenshots at 1366×900 and 390×844: no serious axe finding, no sideways scrolling."""
    failing = [v for v in run_axe(page) if v["impact"] in FAILING_IMPACTS]
    assert not failing, f"axe on {name}:\n{describe(failing)}"
    screenshot(page, f"{name}-1366")
    page.set_viewport_size(PHONE)
    assert horizontal_overflow(page) == 0, f"{name} scrolls sideways on a phone"
    screenshot(page, f"{name}-390")
    page.set_viewport_size(WIDE)


def _upload(page: Page, content: bytes, name: str, **boxes: bool) -> None:
    page.locator("#file").set_input_files({"name": name, "mimeType": "text/csv", "buffer": content})
    for box, ticked in boxes.items():
        page.locator(f"#{box}").set_checked(ticked)
    with page.expect_navigation():
        page.get_by_role("button", name="Проверить файл").click()


def _confirm(page: Page) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name="Импортировать участников").click()


def _person(email: str) -> Participant:
    db.session.expire_all()
    return db.session.scalar(sa.select(Participant).join(User).where(User.email == email))


def test_admin_sets_up_a_conference_and_its_secretariat_takes_over(
    russian_ui, inbox, make_live_user, signed_in_page, new_page, screenshot
) -> None:
    # The admin chose Russian (stored on the account); the sign-in form itself is English.
    admin = make_live_user(name="Администратор Сайта", is_admin=True, locale="ru")
    page = signed_in_page(admin, path="/admin/", viewport=WIDE)
    page.get_by_role("link", name="Новая конференция").click()
    page.locator("#title").fill("Конференция профсоюзов Центральной Азии")
    page.locator("#short_name").fill("КПЦА-2026")
    page.locator("#place").fill("Бишкек")
    page.locator("#start_date").fill("2026-11-30")
    page.locator("#end_date").fill("2026-12-01")
    page.locator("#secretariat_name").fill("Нурия Секретарёва")
    page.locator("#secretariat_email").fill("nuria@example.org")
    with page.expect_navigation():
        page.get_by_role("button", name="Создать конференцию").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Конференция создана")
    expect(page.locator(".flash--success")).to_contain_text(
        "Приглашение отправлено на адрес nuria@example.org."
    )
    shown_link = page.locator("#secret").input_value()
    _look(page, screenshot, "created")

    (mail,) = inbox.to("nuria@example.org")
    assert mail["Subject"] == "Приглашение: Конференция профсоюзов Центральной Азии"
    path = invitation_path(mail)
    assert shown_link.endswith(path)

    # The admin's list tells the conference apart and opens it.
    page.goto("/admin/")
    card = page.locator(".admin-conference", has_text="КПЦА-2026")
    expect(card).to_contain_text("Бишкек")
    expect(card).to_contain_text("Подготовка")
    _look(page, screenshot, "admin-list")

    # The new member follows the e-mailed link and sets a password.
    member = new_page(**RUSSIAN)
    member.goto(path)
    member.locator("#password").fill("nuria-long-password")
    member.locator("#confirm").fill("nuria-long-password")
    with member.expect_navigation():
        member.get_by_role("button", name="Задать пароль").click()
    member.get_by_role("link", name="Конференция профсоюзов Центральной Азии").first.click()
    conference_id = db.session.scalar(
        sa.select(Conference.id).where(Conference.short_name == "КПЦА-2026")
    )
    assert member.url.endswith(f"/c/{conference_id}/")

    # First import: four people, a preview, then saved.
    member.goto(f"/c/{conference_id}/participants/import")
    _upload(member, FIRST.encode("utf-8"), "участники.csv")
    expect(member.locator(".import-encoding")).to_have_text("Кодировка: UTF-8 (BOM).")
    expect(member.locator('[data-count="added"]')).to_have_text("4")
    _confirm(member)
    expect(member.locator(".flash--success")).to_have_text(
        "Импорт выполнен: добавлено — 4, обновлено — 0, удалено — 0."
    )
    assert _person("bakyt@example.org").voting_right is False  # the box was not ticked

    # The changed file: old → new in the preview, nothing saved until confirmed.
    member.goto(f"/c/{conference_id}/participants/import")
    _upload(member, SECOND.encode("utf-8"), "участники-2.csv")
    expect(member.locator('[data-count="added"]')).to_have_text("1")
    expect(member.locator('[data-count="changed"]')).to_have_text("2")
    expect(member.locator('[data-count="unchanged"]')).to_have_text("2")
    changed = member.locator(".import-table--changed tbody tr")
    expect(changed.filter(has_text="Айгерим Нурланова")).to_contain_text("Вес голоса: 3 → 5")
    expect(changed.filter(has_text="Ирина Наблюдаева")).to_contain_text("Наблюдатель → Делегат")
    _look(member, screenshot, "reimport-preview")
    assert _person("aigerim@example.org").weight == 3
    _confirm(member)
    assert _person("aigerim@example.org").weight == 5
    assert _person("irina@example.org").voting_right is True
    assert _person("anush@example.org") is not None

    # A file saved by Excel on a Russian Windows: Windows-1251, detected and named.
    member.goto(f"/c/{conference_id}/participants/import")
    _upload(member, CP1251.encode("cp1251"), "excel.csv")
    expect(member.locator(".import-encoding")).to_have_text("Кодировка: Windows-1251.")
    expect(member.locator(".import-table--added")).to_contain_text("Ёлдаш Турсунов")
    _look(member, screenshot, "cp1251-preview")
    _confirm(member)
    assert _person("yoldash@example.org").user.name == "Ёлдаш Турсунов"

    # Invitations in bulk: two ticked, then the statuses in the list.
    member.goto(f"/c/{conference_id}/participants")
    for email in ("aigerim@example.org", "anush@example.org"):
        member.locator(f"#pick-{_person(email).id}").check()
    with member.expect_navigation():
        member.get_by_role("button", name="Отправить приглашения отмеченным").click()
    expect(member.locator("[role=status]").first).to_contain_text("Отправлено приглашений: 2 из 2.")
    _look(member, screenshot, "invitations-sent")
    assert {m["To"] for m in inbox.messages} == {
        "nuria@example.org",
        "aigerim@example.org",
        "anush@example.org",
    }
    member.goto(f"/c/{conference_id}/participants")
    expect(member.locator(".invitation-status--sent")).to_have_count(2)
    expect(member.locator(".invitation-status--used")).to_have_count(1)  # Nuria herself
    _look(member, screenshot, "participants")
