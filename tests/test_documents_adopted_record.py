"""The adopted resolution is a record: frozen at adoption, exported from the frozen copy."""

from __future__ import annotations

import json
from datetime import date

import pytest
import sqlalchemy as sa

from resolutions.conferences import service as conferences
from resolutions.documents.heading import kind_line_needed
from resolutions.drafting import service as drafting
from resolutions.extensions import db
from resolutions.models import AdoptedText, Clause, ClauseKind
from tests.documents_support import pdf_text, save_pngs
from tests.objects.app import url_path
from tests.objects.documents import hold_sitting
from tests.objects.world import make_conference


def _url(world, resolution, **args):
    query = "&".join(f"{k}={v}" for k, v in args.items())
    base = url_path(
        "documents.resolution_pdf", conference_id=world.conference.id, resolution_id=resolution.id
    )
    return base + (f"?{query}" if query else "")


def _pdf(client, url) -> bytes:
    answer = client.get(url)
    assert answer.status_code == 200, answer.status_code
    return answer.data


def _change_settings(world, **changes) -> None:
    values = conferences.settings_of(world.conference)
    new = conferences.ConferenceSettings(**{**values.__dict__, **changes})
    conferences.update_settings(world.conference, new, world.secretariat)
    db.session.commit()


def test_settings_changed_after_adoption_do_not_change_the_adopted_pdf(app, as_user):
    world = make_conference(title="Региональная конференция", language="ru")
    world.conference.place = "г. Бишкек"
    sitting = hold_sitting(world, language="ru")
    client = as_user(world.secretariat)
    before = {
        lang: pdf_text(_pdf(client, _url(world, sitting.resolution, lang=lang)))
        for lang in ("ru", "en")
    }
    assert "30 ноября 2026 года, г. Бишкек" in before["ru"]

    _change_settings(
        world,
        title="Совсем другая конференция",
        place="г. Алматы",
        start_date=date(2027, 3, 1),
        end_date=date(2027, 3, 2),
    )
    db.session.execute(
        sa.update(Clause)
        .where(Clause.resolution_id == sitting.resolution.id)
        .values(text="Изменённый задним числом текст")
    )
    db.session.commit()

    after = {
        lang: pdf_text(_pdf(client, _url(world, sitting.resolution, lang=lang)))
        for lang in ("ru", "en")
    }
    assert after == before
    assert "Алматы" not in after["ru"]
    # The draft-with-amendments paper follows the settings: only the record is frozen.
    draft = pdf_text(
        _pdf(
            client,
            url_path(
                "documents.draft_pdf",
                conference_id=world.conference.id,
                resolution_id=sitting.resolution.id,
            ),
        )
    )
    assert "г. Алматы" in draft


def test_the_frozen_record_has_a_hash_that_verifies(db, world):
    sitting = hold_sitting(world)
    row = drafting.adopted_text(sitting.resolution)
    assert row is not None
    assert drafting.verify_adopted_text(row)
    content = json.loads(row.content)
    assert content["conference"]["place"] == "Bishkek"
    assert content["figures"]["yes"] == 3
    assert content["signatories"] == {"chair": "Chair Person", "secretary": "Sec Retary"}
    assert len(content["audit_head"]) == 64
    assert [c["label"] for c in content["clauses"]][:4] == ["", "", "1.", "2."]
    # The ORM refuses to change a record ...
    row.content = row.content.replace("Bishkek", "Almaty")
    with pytest.raises(ValueError, match="never changed"):
        db.session.flush()
    db.session.rollback()
    # ... and a change behind its back is detected by the hash.
    db.session.execute(
        sa.update(AdoptedText)
        .where(AdoptedText.id == row.id)
        .values(content=AdoptedText.content + " ")
    )
    db.session.commit()
    assert not drafting.verify_adopted_text(drafting.adopted_text(sitting.resolution))


def test_the_heading_says_resolution_once(db, world, as_user):
    sitting = hold_sitting(world, adopt=False)
    drafting.update_resolution(
        sitting.resolution,
        world.secretariat,
        title="Resolution on the freedom of association",
        numbering_style=sitting.resolution.numbering_style,
    )
    drafting.adopt_resolution(sitting.resolution, world.chair)
    db.session.commit()
    text = pdf_text(_pdf(as_user(world.delegate), _url(world, sitting.resolution, lang="en")))
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    assert lines[:3] == [
        "TEST CONFERENCE",
        "Resolution on the freedom of association",
        "30 November 2026, Bishkek",
    ]
    assert "RESOLUTION" not in text
    assert kind_line_needed("РЕЗОЛЮЦИЯ", "О свободе объединения")
    assert not kind_line_needed("Резолюция", "РЕЗОЛЮЦИЯ о свободе объединения")


LONG_WORD = "человеконенавистничество"


def test_no_hyphen_gets_into_the_text_layer(app, as_user):
    world = make_conference(language="ru")
    sitting = hold_sitting(world, language="ru", adopt=False)
    sentence = " ".join(
        f"{LONG_WORD} достопримечательностями высокопревосходительство" for _ in range(12)
    )
    drafting.add_clause(
        sitting.resolution, world.secretariat, kind=ClauseKind.OPERATIVE, text=sentence
    )
    drafting.adopt_resolution(sitting.resolution, world.chair)
    db.session.commit()
    pdf = _pdf(as_user(world.secretariat), _url(world, sitting.resolution))
    save_pngs(pdf, "adopted-resolution-hyphenation")
    text = pdf_text(pdf, layout=False)
    assert "\u2010" not in text and "\u00ad" not in text
    assert text.count(LONG_WORD) == 12
    assert text.count("высокопревосходительство") == 12
