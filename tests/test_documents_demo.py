"""The documents of a demo-like conference, kept as PNG pages in test-artifacts/ to look at.

The conference is built through the services like the demo (Russian, a long name, «г. Бишкек»,
delegations with Cyrillic names), holds a sitting, and every document is exported and
rendered with ``pdftoppm -png -r 60``.
"""

from __future__ import annotations

import pytest

from resolutions.extensions import db
from tests.conftest import make_conference
from tests.documents_support import flat, pdf_text, reader, save_pngs
from tests.objects.documents import hold_sitting

PEOPLE = [
    ("Ольга Секретарёва", "Секретариат сети", "Кыргызстан"),
    ("Тимур Председателев", "Союз горняков «Ала-Тоо»", "Кыргызстан"),
    ("Айгерим Нурланова", "Конфедерация труда «Степь»", "Казахстан"),
    ("Бермет Касымова", "Союз горняков «Ала-Тоо»", "Кыргызстан"),
    ("Фарида Рахимова", "Правозащитный центр «Памир»", "Таджикистан"),
    ("Ирина Наблюдаева", "Фонд «Открытый диалог»", ""),
]


@pytest.fixture
def demo_like(app):
    world = make_conference(
        title="Региональная конференция профсоюзов и правозащитных организаций "
        "Центральной Азии и Кавказа",
        language="ru",
    )
    world.conference.short_name = "РКП-2026"
    world.conference.place = "г. Бишкек"
    members = [world.secretariat, world.chair, *world.delegates, world.observer]
    for member, (name, organisation, country) in zip(members, PEOPLE, strict=True):
        member.user.name = name
        member.organisation = organisation
        member.country = country
        member.delegation = country if member.voting_right else ""
    db.session.commit()
    return world, hold_sitting(world, language="ru")


def test_demo_documents_render_to_png(demo_like, as_user):
    world, sitting = demo_like
    client = as_user(world.secretariat)
    base = f"/c/{world.conference.id}/documents"
    rid = sitting.resolution.id
    exports = {
        "documents-resolution-ru": f"{base}/resolution/{rid}.pdf?votes=1",
        "documents-resolution-en": f"{base}/resolution/{rid}.pdf?lang=en&votes=1",
        "documents-draft-ru": f"{base}/draft/{rid}.pdf",
        "documents-record-ru": f"{base}/record.pdf",
        "documents-cards-ru": f"{base}/cards.pdf",
    }
    for name, url in exports.items():
        answer = client.get(url)
        assert answer.status_code == 200, name
        pngs = save_pngs(answer.data, name)
        assert len(pngs) == len(reader(answer.data).pages) >= 1
    ru = flat(pdf_text(client.get(exports["documents-resolution-ru"]).data))
    assert "г. Бишкек" in ru and "1. Призывает правительства" in ru
