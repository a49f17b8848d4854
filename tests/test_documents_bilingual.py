"""The resolution as a document in either working language or in both, side by side.

A Russian conference with English as its second language: the bilingual PDF is refused while
clauses lack a current translation (listing them), exported with the gaps marked when the
secretariat insists, and otherwise set in two aligned columns, each in its language.
"""

from __future__ import annotations

import re

import pytest
from flask import url_for

from resolutions.drafting import service as drafting
from resolutions.extensions import db
from resolutions.models import AmendmentKind
from tests.documents_support import pdf_text, save_pngs
from tests.objects.drafting import clauses_by_number, make_draft
from tests.objects.world import make_conference

# PDFs take a while to lay out: one database is enough to check what they say.
pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

DRAFT = """Обсудив доклады делегаций о положении профсоюзов в регионе,

1. Призывает правительства уважать свободу объединения;

2. Рекомендует организациям — членам сети:

(а) документировать случаи давления на профсоюзы;

(б) поддерживать пострадавших правозащитников;

3. Постановляет продолжить рассмотрение вопроса."""

ENGLISH = {
    "P1": "Having discussed the reports of the delegations on trade unions in the region,",
    "1": "Calls upon governments to respect the freedom of association;",
    "2": "Recommends that the member organisations of the network:",
    "2(a)": "document cases of pressure on trade unions;",
    "2(b)": "support the human rights defenders affected;",
    "3": "Decides to remain seized of the matter.",
}


def _translate(world, resolution, numbers) -> None:
    clauses = clauses_by_number(resolution)
    for number in numbers:
        clause = clauses[number]
        drafting.set_translation(
            clause, world.secretariat, ENGLISH[number], expected_version=clause.version
        )


def _url(world, resolution, **args) -> str:
    return url_for(
        "documents.resolution_pdf",
        conference_id=world.conference.id,
        resolution_id=resolution.id,
        **args,
    )


@pytest.fixture
def russian(app):
    world = make_conference(title="Региональная конференция", language="ru")
    resolution = make_draft(world, DRAFT, title="О свободе объединения")
    db.session.commit()
    return world, resolution


def test_bilingual_export_is_refused_listing_the_clauses_without_translation(app, as_user, russian):
    world, resolution = russian
    _translate(world, resolution, ["P1", "1", "2", "2(b)"])
    db.session.commit()
    secretariat = as_user(world.secretariat)
    with app.test_request_context():
        url = _url(world, resolution, lang="bilingual", signatures=["0", "1"])
        insisted = _url(world, resolution, lang="bilingual", insist="1")

    answer = secretariat.get(url)
    assert answer.status_code == 409
    page = answer.get_data(as_text=True)
    listed = re.search(r'<ul class="doc-refusal__list">(.*?)</ul>', page, re.S).group(1)
    assert re.findall(r"<li>(.*?)</li>", listed) == ["operative clause 2(a)", "operative clause 3"]
    assert "Export anyway" in page  # the secretariat may export it anyway
    # The link keeps every choice of the form (the ticked box's "0" then "1").
    link = re.search(r'href="([^"]*insist=1[^"]*)"', page).group(1)
    assert "signatures=0&amp;signatures=1" in link

    # The chair reads the draft PDF too, but may not insist: still refused, no such link.
    chair = as_user(world.chair)
    refused = chair.get(insisted)
    assert refused.status_code == 409
    assert "Export anyway" not in refused.get_data(as_text=True)

    marked = secretariat.get(insisted)
    assert marked.status_code == 200
    assert marked.headers["Content-Disposition"].endswith('-ru-en.pdf"')
    text = " ".join(pdf_text(marked.data, layout=False).split())
    assert text.count("[Translation missing]") == 2
    assert "Calls upon governments to respect the freedom of association;" in text


def test_bilingual_pdf_sets_the_languages_side_by_side_in_order(app, as_user, russian):
    world, resolution = russian
    _translate(world, resolution, ENGLISH)
    db.session.commit()
    with app.test_request_context():
        url = _url(world, resolution, lang="bilingual")
    answer = as_user(world.secretariat).get(url)
    assert answer.status_code == 200, answer.get_data(as_text=True)[:500]
    save_pngs(answer.data, "bilingual-resolution")
    russian_starts = [
        "Обсудив доклады",
        "Призывает правительства",
        "Рекомендует организациям",
        "документировать случаи",
        "поддерживать пострадавших",
        "Постановляет продолжить",
    ]
    english_starts = [
        "Having discussed",
        "Calls upon governments",
        "Recommends that",
        "document cases",
        "support the human",
        "Decides to remain",
    ]
    lines = pdf_text(answer.data).splitlines()
    # Each clause's Russian text and its English text open on the same line, the Russian
    # on the left; and the clauses follow each other in the document's order.
    rows = []
    for ru, en in zip(russian_starts, english_starts, strict=True):
        row = next(i for i, line in enumerate(lines) if ru in line)
        assert en in lines[row], (ru, en, lines[row])
        assert lines[row].index(ru) < lines[row].index(en)
        rows.append(row)
    assert rows == sorted(rows)
    # The columns are headed by each language's own name (in capitals in print).
    heading = next(line for line in lines if "РУССКИЙ" in line.upper())
    assert heading.upper().index("РУССКИЙ") < heading.upper().index("ENGLISH")


def test_english_version_prints_translations_and_marks_a_gap(app, as_user, russian):
    world, resolution = russian
    _translate(world, resolution, ["P1", "1", "2", "2(a)", "2(b)"])
    db.session.commit()
    with app.test_request_context():
        url = _url(world, resolution, lang="en")
    answer = as_user(world.secretariat).get(url)
    assert answer.status_code == 200
    text = " ".join(pdf_text(answer.data, layout=False).split())
    assert "Calls upon governments to respect the freedom of association;" in text
    assert "Призывает правительства" not in text
    # The one clause without English: marked, with its Russian text after the mark.
    assert text.count("[Translation missing]") == 1
    assert text.index("[Translation missing]") < text.index("Постановляет продолжить")


def test_the_adopted_record_keeps_both_languages_and_prints_from_them(app, as_user, russian):
    world, resolution = russian
    _translate(world, resolution, ENGLISH)
    clause = clauses_by_number(resolution)["1"]
    amendment = drafting.propose_amendment(
        resolution,
        world.delegates[0],
        kind=AmendmentKind.REPLACE,
        target=clause,
        text="Призывает все правительства уважать свободу объединения;",
    )
    drafting.submit_amendment(amendment, world.delegates[0])
    drafting.admit_amendment(amendment, world.secretariat)
    drafting.adopt_amendment(amendment, world.chair)
    drafting.adopt_resolution(resolution, world.chair)
    db.session.commit()

    frozen = drafting.read_adopted_text(drafting.adopted_text(resolution))
    assert frozen.second_language == "en"
    by_number = {c.number_path: c for c in frozen.clauses}
    assert by_number["1"].translation == ENGLISH["1"]
    assert by_number["1"].translation_needed is True
    assert by_number["3"].translation == ENGLISH["3"]
    assert by_number["3"].translation_needed is False

    client = as_user(world.delegates[1])
    with app.test_request_context():
        url = _url(world, resolution, lang="bilingual")
        insisted = _url(world, resolution, lang="bilingual", insist="1")
    refused = client.get(url)
    assert refused.status_code == 409
    assert "operative clause 1</li>" in refused.get_data(as_text=True)
    assert client.get(insisted).status_code == 409  # a delegate cannot insist
    marked = as_user(world.secretariat).get(insisted)
    assert marked.status_code == 200
    # (words the narrow columns hyphenate at a line's end joined again)
    text = " ".join(re.sub("\u2010\\s+", "", pdf_text(marked.data, layout=False)).split())
    # The outdated translation stays beside the new Russian text, marked as such.
    assert "[Translation outdated: the text has" in text and "since changed]" in text
    assert "Calls upon governments to respect the freedom of association;" in text
    assert "Призывает все правительства уважать свободу объединения;" in text


def test_each_column_hyphenates_by_its_own_language(app, as_user):
    # Long words in narrow columns: each column breaks them by its own language's rules.
    russian_words = " ".join(["непосредственно характеризующихся взаимодополняющими"] * 6)
    english_words = " ".join(["internationalisation responsibilities notwithstanding"] * 6)
    world = make_conference(title="Региональная конференция", language="ru")
    resolution = make_draft(world, f"1. Призывает {russian_words}.", title="О словах")
    clause = clauses_by_number(resolution)["1"]
    drafting.set_translation(
        clause, world.secretariat, f"Calls for {english_words}.", expected_version=clause.version
    )
    db.session.commit()
    with app.test_request_context():
        url = _url(world, resolution, lang="bilingual")
    answer = as_user(world.secretariat).get(url)
    assert answer.status_code == 200
    text = pdf_text(answer.data)
    # A word broken at a line's end in each column, where the dictionary allows it.
    assert re.search("[а-я][-\u2010]\\s", text), text
    assert re.search("[a-z][-\u2010]\\s", text), text
    words = set(re.findall(r"\w+", " ".join(text.split())))
    assert "непосредственно" in words or "взаимодополняющими" in words  # not every one broken
