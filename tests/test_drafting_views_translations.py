"""The second working language over HTTP: the translations page, the clause and amendment
forms, the draft page in either language or both, and who may write translations."""

from __future__ import annotations

import re

import pytest
from flask import url_for

from resolutions.drafting import service
from resolutions.extensions import db
from resolutions.models import Amendment, AmendmentKind
from tests.objects.drafting import clauses_by_number

# Pages, not the database: one engine is enough here (the service tests run on both).
pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


@pytest.fixture
def english(world, draft):
    """The test draft is in English: an English conference, with Russian as its second."""
    world.conference.language = "en"
    db.session.commit()
    return draft


def _url(app, endpoint: str, **values) -> str:
    with app.test_request_context():
        return url_for(endpoint, **values)


def _text(response) -> str:
    html = re.sub(
        r"<(script|style)[^>]*>.*?</\1>", " ", response.get_data(as_text=True), flags=re.S
    )
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def _translate(world, draft, number: str, text: str) -> None:
    clause = clauses_by_number(draft)[number]
    service.set_translation(clause, world.secretariat, text, expected_version=clause.version)
    db.session.commit()


def test_secretariat_translates_on_the_translations_page(app, world, english, as_user):
    _translate(world, english, "1", "Призывает все правительства уважать свободу объединения;")
    client = as_user(world.secretariat)
    page = client.get(
        _url(
            app,
            "drafting.translations",
            conference_id=world.conference.id,
            resolution_id=english.id,
        )
    )
    assert page.status_code == 200
    text = _text(page)
    assert "7 clauses without a translation · 8 clauses in all" in text  # 2 + 4 + 2 sub
    # Missing ones first: operative clause 1 (translated) comes after all of them.
    titles = re.findall(r'class="translation-row__title">([^<]+)', page.get_data(as_text=True))
    assert titles[-1].strip() == "Operative clause 1"
    assert 'lang="ru"' in page.get_data(as_text=True)  # the translation box is Russian

    clause = clauses_by_number(english)["3"]
    answer = client.post(
        _url(
            app, "drafting.translation_save", conference_id=world.conference.id, clause_id=clause.id
        ),
        data={
            f"c{clause.id}-translation": "Поручает секретариату доложить;",
            f"c{clause.id}-expected_version": clause.version,
        },
    )
    assert answer.status_code == 302
    db.session.refresh(clause)
    assert (clause.translation, clause.version) == ("Поручает секретариату доложить;", 2)

    # A form shown before someone else's change saves nothing.
    stale = client.post(
        _url(
            app, "drafting.translation_save", conference_id=world.conference.id, clause_id=clause.id
        ),
        data={f"c{clause.id}-translation": "Другое;", f"c{clause.id}-expected_version": 1},
        follow_redirects=True,
    )
    assert "Someone changed this clause" in _text(stale)
    db.session.refresh(clause)
    assert clause.translation == "Поручает секретариату доложить;"


def test_a_delegate_may_neither_see_nor_save_translations(app, world, english, as_user):
    clause = clauses_by_number(english)["1"]
    client = as_user(world.delegate)
    page = client.get(
        _url(
            app,
            "drafting.translations",
            conference_id=world.conference.id,
            resolution_id=english.id,
        )
    )
    assert page.status_code == 403
    answer = client.post(
        _url(
            app, "drafting.translation_save", conference_id=world.conference.id, clause_id=clause.id
        ),
        data={f"c{clause.id}-translation": "Подделка;", f"c{clause.id}-expected_version": 1},
    )
    assert answer.status_code == 403
    db.session.refresh(clause)
    assert clause.translation == ""


def test_another_conferences_secretariat_gets_nothing(app, world, other_world, english, as_user):
    clause = clauses_by_number(english)["1"]
    answer = as_user(other_world.secretariat).post(
        _url(
            app, "drafting.translation_save", conference_id=world.conference.id, clause_id=clause.id
        ),
        data={f"c{clause.id}-translation": "Подделка;", f"c{clause.id}-expected_version": 1},
    )
    assert answer.status_code in (403, 404)
    db.session.refresh(clause)
    assert clause.translation == ""


def test_saving_a_translation_needs_the_csrf_token(csrf_app, world, english, as_user):
    clause = clauses_by_number(english)["1"]
    answer = as_user(world.secretariat).post(
        _url(
            csrf_app,
            "drafting.translation_save",
            conference_id=world.conference.id,
            clause_id=clause.id,
        ),
        data={f"c{clause.id}-translation": "Подделка;", f"c{clause.id}-expected_version": 1},
    )
    assert answer.status_code == 400
    db.session.refresh(clause)
    assert clause.translation == ""


def test_the_clause_form_edits_both_languages(app, world, english, as_user):
    clause = clauses_by_number(english)["1"]
    client = as_user(world.secretariat)
    edit = _url(app, "drafting.clause_edit", conference_id=world.conference.id, clause_id=clause.id)
    form = client.get(edit)
    assert "Text in Russian" in _text(form)
    answer = client.post(
        edit,
        data={
            "text": "Calls upon all states;",
            "translation": "Призывает все государства;",
            "expected_version": 1,
        },
    )
    assert answer.status_code == 302
    db.session.refresh(clause)
    assert (clause.text, clause.translation, clause.version) == (
        "Calls upon all states;",
        "Призывает все государства;",
        2,
    )
    # The text alone changes: the translation is kept and marked outdated.
    client.post(
        edit,
        data={
            "text": "Calls upon all states and territories;",
            "translation": "Призывает все государства;",
            "expected_version": 2,
        },
    )
    db.session.refresh(clause)
    assert clause.translation_needed is True
    draft_page = client.get(
        _url(
            app,
            "drafting.resolution",
            conference_id=world.conference.id,
            resolution_id=english.id,
            text="both",
        )
    )
    assert "Translation needed Призывает все государства;" in _text(draft_page)


def test_an_amendment_carries_its_translation(app, world, english, as_user):
    clause = clauses_by_number(english)["1"]
    client = as_user(world.delegate)
    new = _url(
        app, "drafting.amendment_new", conference_id=world.conference.id, resolution_id=english.id
    )
    assert "Text in Russian" in _text(client.get(new + f"?kind=replace&clause={clause.id}"))
    answer = client.post(
        new,
        data={
            "kind": "replace",
            "target": clause.id,
            "expected_version": clause.version,
            "text": "Calls upon every government;",
            "translation": "Призывает каждое правительство;",
            "save": "1",
        },
    )
    assert answer.status_code == 302, _text(answer)
    amendment = db.session.scalars(db.select(Amendment)).one()
    assert (amendment.kind, amendment.translation) == (
        AmendmentKind.REPLACE,
        "Призывает каждое правительство;",
    )
    shown = client.get(
        _url(
            app, "drafting.amendment", conference_id=world.conference.id, amendment_id=amendment.id
        )
    )
    assert 'lang="ru">Призывает каждое правительство;' in shown.get_data(as_text=True)


def test_the_draft_page_shows_either_language_or_both_and_remembers(app, world, english, as_user):
    _translate(world, english, "1", "Призывает все правительства уважать свободу объединения;")
    client = as_user(world.delegate)
    page_url = _url(
        app, "drafting.resolution", conference_id=world.conference.id, resolution_id=english.id
    )
    first = _text(client.get(page_url))
    assert "Calls upon all governments" in first and "Призывает все правительства" not in first

    both = client.get(page_url + "?text=both")
    html = both.get_data(as_text=True)
    assert 'class="bilingual bilingual--both"' in html
    assert 'lang="ru"' in html
    text = _text(both)
    assert "Calls upon all governments" in text and "Призывает все правительства" in text
    assert text.count("Translation missing") == 7  # every clause but one

    # Remembered for this reader: the next visit without the choice shows both again.
    assert "Призывает все правительства" in _text(client.get(page_url))
    second = _text(client.get(page_url + "?text=second"))
    # The second language alone: the translation, and the untranslated clauses marked with
    # their first-language text.
    assert "Призывает все правительства" in second
    assert "Translation missing Requests the secretariat" in second
    # A delegate sees no count of missing translations (the secretariat's worry).
    assert 'id="translation-count"' not in client.get(page_url).get_data(as_text=True)
    secretariat = _text(as_user(world.secretariat).get(page_url))
    assert "7 clauses without a current translation" in secretariat


RUSSIAN = """Обсудив доклады делегаций,

1. Призывает правительства уважать свободу объединения;

2. Постановляет продолжить рассмотрение вопроса."""


def test_the_ballot_shows_the_readers_language_where_a_translation_exists(app, world, as_user):
    from resolutions.models import PollSubject
    from resolutions.voting import service as voting
    from resolutions.voting.attendance import set_presence
    from tests.objects.drafting import make_draft

    resolution = make_draft(world, RUSSIAN, title="О свободе объединения")
    clauses = clauses_by_number(resolution)
    clause = clauses["1"]
    service.set_translation(
        clause,
        world.secretariat,
        "Calls upon governments to respect the freedom of association;",
        expected_version=clause.version,
    )
    english_reader, russian_reader = world.delegates[:2]
    english_reader.user.locale, russian_reader.user.locale = "en", "ru"
    for participant in (world.chair, english_reader, russian_reader):
        set_presence(world.conference, participant, True, world.secretariat)
    poll = voting.create_poll(
        world.conference, world.chair, subject=PollSubject.CLAUSE, clause=clause
    )
    voting.open_poll(poll, world.chair)
    db.session.commit()
    ballot = _url(app, "voting.ballot", conference_id=world.conference.id)

    english = as_user(english_reader).get(ballot).get_data(as_text=True)
    assert 'lang="en">Calls upon governments to respect the freedom of association;' in english
    assert "Призывает правительства" not in english
    russian = as_user(russian_reader).get(ballot).get_data(as_text=True)
    assert 'lang="ru">Призывает правительства уважать свободу объединения;' in russian

    # The secretariat's dashboard counts what is left to translate.
    home = as_user(world.secretariat).get(
        _url(app, "conferences.home", conference_id=world.conference.id)
    )
    assert "2 clauses without a current translation" in _text(home)
