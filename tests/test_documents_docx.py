"""The resolution and the draft with amendments as Word files, read back with python-docx and
through the raw XML of word/document.xml (LibreOffice is not needed, nor installed)."""

from __future__ import annotations

import re
from urllib.parse import unquote

import pytest

from resolutions.documents import docx_export, docx_writer
from resolutions.drafting import service as drafting
from resolutions.extensions import db
from resolutions.models import AmendmentKind, ClauseKind
from tests.docx_support import NS, document_xml, read_document, w
from tests.objects.documents import hold_sitting
from tests.objects.drafting import clauses_by_number, make_draft

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

DRAFT = """*Recalling* the founding declaration of the network,

*Noting with concern* the reports of the delegations,

1. Calls upon all governments to respect the freedom of association;

2. Urges the member organisations:

(a) to document every case of pressure on trade unionists;

(b) to support the defenders concerned;

3. Requests the secretariat to report to the next conference;

4. Decides to remain seized of the matter."""

CLAUSE_STYLES = {"PreambularClause", "Clause", "Sub-clause", "Sub-sub-clause"}


def submitted(resolution, proposer, **fields):
    amendment = drafting.propose_amendment(resolution, proposer, **fields)
    drafting.submit_amendment(amendment, proposer)
    return amendment


def _inside(element, tag):
    return any(a.tag == tag for a in element.iterancestors())


def _change_of(element):
    """The (author, date) of the w:ins or w:del around ``element``, or None."""
    for ancestor in element.iterancestors(w("ins"), w("del")):
        return ancestor.get(w("author")), ancestor.get(w("date"))
    return None


def _mark(p, kind):
    """The paragraph mark's own w:ins / w:del (the whole paragraph inserted or deleted)."""
    return p.find(f"w:pPr/w:rPr/w:{kind}", NS)


def read_as(p, keep):
    """The paragraph's text keeping the tracked changes ``keep(kind, author, date)`` accepts:
    an accepted insertion stays, an accepted deletion goes; the others the other way round."""
    out = []
    for node in p.iter(w("t"), w("delText"), w("tab")):
        change = node.getparent().getparent()
        if change.tag in (w("ins"), w("del")):
            accepted = keep(change.get(w("author")), change.get(w("date")))
            wanted = (change.tag == w("ins")) == accepted
            if not wanted:
                continue
        out.append("\t" if node.tag == w("tab") else node.text or "")
    return "".join(out)


def paragraphs_as(xml, keep):
    """The body's clauses as they read with the changes ``keep`` accepts: [(style, text)]."""
    rows = []
    for p in xml.find("w:body", NS).iterfind("w:p", NS):
        style = p.find("w:pPr/w:pStyle", NS).get(w("val"))
        if style not in CLAUSE_STYLES:
            continue
        for kind in ("ins", "del"):
            mark = _mark(p, kind)
            if mark is not None:
                accepted = keep(mark.get(w("author")), mark.get(w("date")))
                if (kind == "ins") != accepted:
                    break
        else:
            rows.append((style, read_as(p, keep)))
    return rows


def as_text(numbered):
    """Clauses as the document writes them: label, tab, text without the emphasis stars."""
    return [
        f"{c.label}\t{c.text.replace('*', '')}" if c.label else c.text.replace("*", "")
        for c in numbered
    ]


@pytest.fixture
def amended(world):
    """A draft with a pending replace, delete and insert, an alternative replace of the same
    clause, and amendments that are not pending (a private draft, one ruled out of order)."""
    resolution = make_draft(world, DRAFT)
    clauses = clauses_by_number(resolution)
    d1, d2, d3 = world.delegates[:3]
    amendments = {
        "replace": submitted(
            resolution,
            d1,
            kind=AmendmentKind.REPLACE,
            target=clauses["2(a)"],
            text="to document and *publish* every case of pressure on trade unions;",
        ),
        "delete": submitted(resolution, d2, kind=AmendmentKind.DELETE, target=clauses["4"]),
        "insert": submitted(
            resolution,
            d3,
            kind=AmendmentKind.INSERT,
            new_clause_kind=ClauseKind.OPERATIVE,
            after=clauses["3"],
            text='*Invites* the members to exchange <experience> & "law" ]]>;',
        ),
        "alternative": submitted(
            resolution,
            world.chair,  # another proposer: one second may see several submissions
            kind=AmendmentKind.REPLACE,
            target=clauses["2(a)"],
            text="to record every case;",
        ),
    }
    drafting.admit_amendment(amendments["replace"], world.secretariat)
    out_of_order = submitted(resolution, d3, kind=AmendmentKind.DELETE, target=clauses["1"])
    drafting.rule_out_of_order(out_of_order, world.secretariat, "Not now.")
    drafting.propose_amendment(
        resolution, d1, kind=AmendmentKind.DELETE, target=clauses["3"]
    )  # a private draft
    db.session.commit()
    return resolution, amendments


def stamp(amendment):
    return amendment.proposer.name, amendment.submitted_at.replace(microsecond=0).isoformat() + "Z"


def test_draft_docx_holds_every_pending_amendment_as_a_tracked_change(amended, app):
    resolution, amendments = amended
    with app.test_request_context():
        exported = docx_export.draft_docx(resolution, language="en")
        current = drafting.numbered_text(resolution)
        previews = {
            name: drafting.amendment_preview(a)
            for name, a in amendments.items()
            if name != "alternative"
        }
    xml = document_xml(exported.content)
    stamps = {name: stamp(a) for name, a in amendments.items()}

    # Every w:ins and w:del: a unique id, and the author and date of a pending amendment; each
    # pending amendment is there, nothing else is (not the draft, not the one out of order).
    changes = list(xml.iter(w("ins"), w("del")))
    ids = [c.get(w("id")) for c in changes]
    assert len(ids) == len(set(ids))
    assert {(c.get(w("author")), c.get(w("date"))) for c in changes} == set(stamps.values())
    by_stamp = {}
    for c in changes:
        by_stamp.setdefault((c.get(w("author")), c.get(w("date"))), set()).add(c.tag)
    assert by_stamp[stamps["replace"]] == {w("ins"), w("del")}  # word level: both
    assert by_stamp[stamps["delete"]] == {w("del")}
    assert by_stamp[stamps["insert"]] == {w("ins")}
    assert by_stamp[stamps["alternative"]] == {w("ins")}

    # Rejecting everything gives the current text, numbers written as text, in order.
    rejected = paragraphs_as(xml, lambda author, date: False)
    assert [text for _style, text in rejected] == as_text(current)
    assert [style for style, _text in rejected] == [
        "PreambularClause",
        "PreambularClause",
        "Clause",
        "Clause",
        "Sub-clause",
        "Sub-clause",
        "Clause",
        "Clause",
    ]
    # Accepting one amendment alone gives the text as the product would make it (numbers aside:
    # they are text in the file and do not follow an inserted or deleted clause).
    for name, preview in previews.items():
        accepted = paragraphs_as(xml, lambda author, date, s=stamps[name]: (author, date) == s)
        unnumbered = [re.sub(r"^[^\t]*\t", "", text) for _style, text in accepted]
        assert unnumbered == [c.text.replace("*", "") for c in preview], name
    # The word-level change: only the changed words are marked.
    replaced = next(
        p for p in xml.iter(w("p")) if "every case of pressure" in "".join(p.itertext())
    )
    inserted = [
        "".join(t.text for t in e.iter(w("t")))
        for e in replaced.iter(w("ins"))
        if (e.get(w("author")), e.get(w("date"))) == stamps["replace"]
    ]
    deleted = ["".join(t.text for t in e.iter(w("delText"))) for e in replaced.iter(w("del"))]
    assert inserted == ["and publish ", "unions"]
    assert deleted == ["trade unionists"] or deleted == ["unionists"]
    # The inserted clause: a whole inserted paragraph (its mark too), numbered as it would be,
    # user text with XML's special characters intact, its emphasis in italics.
    new = next(p for p in xml.iter(w("p")) if "Invites" in "".join(p.itertext()))
    assert _mark(new, "ins") is not None
    assert read_as(new, lambda a, d: True) == (
        '4.\tInvites the members to exchange <experience> & "law" ]]>;'
    )
    italic = [r for r in new.iter(w("r")) if r.find("w:rPr/w:i", NS) is not None]
    assert ["".join(t.text for t in r.iter(w("t"))) for r in italic] == ["Invites"]
    # The deleted clause: its mark and all its words deleted.
    gone = next(p for p in xml.iter(w("p")) if "remain seized" in "".join(p.itertext()))
    assert _mark(gone, "del") is not None
    assert not list(gone.iter(w("t")))
    # The alternative follows its clause as an inserted paragraph with its whole text.
    alternative = replaced.getnext()
    assert read_as(alternative, lambda a, d: True) == "(a)\tto record every case;"
    assert _mark(alternative, "ins").get(w("author")) == amendments["alternative"].proposer.name

    # python-docx opens it; the heading and the styles are the document's own.
    document = read_document(exported.content)
    names = [p.style.name for p in document.paragraphs]
    assert names[:4] == ["Conference", "Document Kind", "Heading 1", "Date Line"]
    assert [p.text for p in document.paragraphs[:4]] == [
        "Test Conference",
        "Draft with amendments",
        "On the freedom of association",
        "30 November 2026, Bishkek",
    ]
    styles = {s.name: s for s in document.styles}
    for name in ("Clause", "Sub-clause", "Sub-sub-clause", "Preambular Clause"):
        assert styles[name].type == 1 and not styles[name].builtin  # a paragraph style of ours
    assert document.core_properties.author == "Test Conference"
    assert exported.filename == (
        "Test Conference – Draft with amendments – On the freedom of association.docx"
    )


def test_text_xml_cannot_hold_is_dropped_not_fatal(amended, app):
    """Control characters and non-characters in user text (XML 1.0 forbids them, lxml would
    refuse the whole file) are left out; the rest of the text is kept."""
    resolution, amendments = amended
    clause = clauses_by_number(resolution)["1"]
    clause.text = "Calls\x0b upon\x1f all\ufffe governments\x7f;"
    amendments["insert"].proposer.user.name = "Delegate\x00 3"
    db.session.commit()
    with app.test_request_context():
        exported = docx_export.draft_docx(resolution, language="en")
    xml = document_xml(exported.content)
    texts = ["".join(p.itertext()) for p in xml.iter(w("p"))]
    assert "1.Calls upon all governments;" in texts
    assert "Delegate 3" in {e.get(w("author")) for e in xml.iter(w("ins"))}
    assert docx_writer.xml_text("a\ud800b\x01c\td\ne") == "abc\td\ne"


def test_adopted_resolution_docx_reads_as_the_pdf(world, app):
    sitting = hold_sitting(world)
    with app.test_request_context():
        me = world.delegate
        exported = docx_export.resolution_docx(sitting.resolution, me, language="en")
        frozen = drafting.read_adopted_text(drafting.adopted_text(sitting.resolution))
    document = read_document(exported.content)
    rows = [(p.style.name, p.text) for p in document.paragraphs]
    assert rows[:4] == [
        ("Conference", "Test Conference"),
        ("Document Kind", "Resolution"),
        ("Heading 1", "On the freedom of association"),
        ("Date Line", "30 November 2026, Bishkek"),
    ]
    clause_rows = [
        (style, text)
        for style, text in rows
        if style in ("Preambular Clause", "Clause", "Sub-clause", "Sub-sub-clause")
    ]
    # The frozen text, in order, numbers as text, in the styles of each level.
    assert [text for _s, text in clause_rows] == as_text(frozen.clauses)
    assert clause_rows[2] == (
        "Clause",
        "1.\tCalls upon all governments to respect the freedom of association;",
    )
    assert clause_rows[4] == (
        "Sub-clause",
        "(a)\tto document and publish every case of pressure on trade unionists;",
    )
    closing = " ".join(text for _s, text in rows[4 + len(clause_rows) :])
    assert re.search(r"Adopted on \d{1,2} [A-Z][a-z]+ \d{4}\.", closing)
    assert "Chair\t" in closing and "Chair Person" in closing
    assert f"SHA-256: {frozen.sha256}." in closing
    xml = document_xml(exported.content)
    assert not list(xml.iter(w("ins"), w("del")))  # the adopted text has no changes
    assert document.core_properties.title == "On the freedom of association"
    assert document.core_properties.language == "en-GB"


def test_docx_downloads_follow_the_pdf_rules(world, app, as_user):
    sitting = hold_sitting(world, adopt=False)
    conference_id, resolution_id = world.conference.id, sitting.resolution.id
    with app.test_request_context():
        from flask import url_for

        resolution_url = url_for(
            "documents.resolution_docx", conference_id=conference_id, resolution_id=resolution_id
        )
        draft_url = url_for(
            "documents.draft_docx", conference_id=conference_id, resolution_id=resolution_id
        )
    # Before adoption a delegate gets the draft with amendments, not the resolution.
    delegate = as_user(world.delegate)
    assert delegate.get(resolution_url).status_code == 302
    answer = delegate.get(draft_url)
    assert answer.status_code == 200
    assert answer.mimetype == docx_export.DOCX_MIMETYPE
    disposition = answer.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert unquote(disposition.split("filename*=UTF-8''")[1]) == (
        "Test Conference – Draft with amendments – On the freedom of association.docx"
    )
    assert answer.headers["Cache-Control"] == "private, no-store"
    read_document(answer.data)
    # The secretariat gets the resolution marked as a draft.
    answer = as_user(world.secretariat).get(resolution_url)
    assert answer.status_code == 200
    texts = [p.text for p in read_document(answer.data).paragraphs]
    assert "Draft: not adopted. The text may still change." in texts


# --- in the second language, or both (issue 14's two working languages) -----------------------

BILINGUAL_DRAFT = """Обсудив доклады делегаций,

1. Призывает правительства уважать свободу объединения;

2. Постановляет продолжить рассмотрение вопроса."""


def test_resolution_docx_in_the_second_language_and_in_two_columns(app, as_user):
    from resolutions.documents.bilingual import TextMode, TranslationsMissing
    from tests.objects.world import make_conference

    world = make_conference(title="Региональная конференция", language="ru")
    resolution = make_draft(world, BILINGUAL_DRAFT, title="О свободе объединения")
    clauses = clauses_by_number(resolution)
    for number, text in (("P1", "*Having discussed* the reports,"), ("1", "Calls upon <all>;")):
        drafting.set_translation(clauses[number], world.secretariat, text, expected_version=1)
    db.session.commit()
    me = world.secretariat
    with app.test_request_context():
        second = docx_export.resolution_docx(
            resolution, me, language="en", mode=TextMode.SECOND, include_signatures=False
        )
        with pytest.raises(TranslationsMissing) as missing:
            docx_export.resolution_docx(resolution, me, language="ru", mode=TextMode.BOTH)
        both = docx_export.resolution_docx(
            resolution, me, language="ru", mode=TextMode.BOTH, insist=True
        )
    assert missing.value.references == ["operative clause 2"]
    # The second language: the translations; a gap marked, the first-language text after it,
    # tagged with its own language.
    document = read_document(second.content)
    texts = [p.text for p in document.paragraphs if p.style.name in ("Preambular Clause", "Clause")]
    assert texts == [
        "Having discussed the reports,",
        "1.\tCalls upon <all>;",
        "2.\t[Translation missing]\nПостановляет продолжить рассмотрение вопроса.",
    ]
    xml = document_xml(second.content)
    russian = [r for r in xml.iter(w("r")) if "Постановляет" in "".join(r.itertext())]
    assert russian[0].find("w:rPr/w:lang", NS).get(w("val")) == "ru-RU"
    assert second.filename.endswith("(en).docx")
    # Both: a table, the header in each language's name, a row per clause, each cell its text.
    table = read_document(both.content).tables[0]
    rows = [[cell.text for cell in row.cells] for row in table.rows]
    assert rows == [
        ["Русский", "English"],
        ["Обсудив доклады делегаций,", "Having discussed the reports,"],
        ["1.\tПризывает правительства уважать свободу объединения;", "1.\tCalls upon <all>;"],
        ["2.\tПостановляет продолжить рассмотрение вопроса.", "2.\t[Translation missing]"],
    ]
    english_cells = [
        tc for tr in document_xml(both.content).iter(w("tr")) for tc in tr.findall("w:tc", NS)[1:]
    ]
    assert {lang.get(w("val")) for tc in english_cells for lang in tc.iter(w("lang"))} == {"en-GB"}
    # Through the route, as the PDF: refused with the list, exported when the secretariat
    # insists.
    with app.test_request_context():
        from flask import url_for

        url = url_for(
            "documents.resolution_docx",
            conference_id=world.conference.id,
            resolution_id=resolution.id,
            lang="bilingual",
        )
    client = as_user(world.secretariat)
    refused = client.get(url)
    assert refused.status_code == 409
    assert "operative clause 2" in refused.get_data(as_text=True)
    assert client.get(url + "&insist=1").mimetype == docx_export.DOCX_MIMETYPE
