"""The resolution for machines: JSON and Akoma Ntoso, attached to the PDF and downloadable."""

from __future__ import annotations

import json
from datetime import date, datetime

import pytest
import sqlalchemy as sa
from lxml import etree

from resolutions.documents.akoma_ntoso import DocumentWords, akoma_ntoso
from resolutions.documents.heading import local_moment
from resolutions.documents.resolution_data import (
    ConferenceData,
    ResolutionData,
    as_json,
    clause_tree,
)
from resolutions.drafting import service as drafting
from resolutions.drafting.text import NumberedClause
from resolutions.extensions import db
from resolutions.models import (
    Amendment,
    AmendmentState,
    Choice,
    Clause,
    ClauseKind,
    Poll,
    PollSubject,
)
from resolutions.voting import service as voting
from tests.akn_support import NS, XML_LANG, akn_rule_violations, schema_errors
from tests.documents_support import Listener, reader
from tests.objects.documents import hold_sitting
from tests.objects.drafting import clauses_by_number

# What a delegate may type, and what no XML 1.0 document can hold (BEL): the JSON keeps it,
# escaped; the Akoma Ntoso text has U+FFFD in its place.
TRICKY = '<b>Tom & "Jerry"</b> it\'s *bold* \x07 </p>]]>'


@pytest.fixture
def listener():
    listening = Listener()
    yield listening
    listening.close()


def _adopted_sitting(world, tricky: str = ""):
    """``hold_sitting`` without its last poll, a clause's text changed behind the service's
    back (which drops control characters: here they get in all the same), then the poll that
    adopts the resolution and freezes its record."""
    sitting = hold_sitting(world, adopt=False)
    if tricky:
        clause = clauses_by_number(sitting.resolution)["1"]
        db.session.execute(
            sa.update(Clause).where(Clause.id == clause.id).values(text=f"{clause.text} {tricky}")
        )
        db.session.commit()
    chair = world.chair
    d1, d2, d3 = world.delegates[:3]
    poll = voting.create_poll(
        world.conference, chair, subject=PollSubject.RESOLUTION, resolution=sitting.resolution
    )
    voting.open_poll(poll, chair)
    db.session.commit()
    for voter, choice in ((d1, Choice.YES), (d2, Choice.YES), (d3, Choice.ABSTAIN)):
        voting.cast_ballot(poll.id, voter, choice)
    voting.close_poll(poll, chair)
    voting.publish_poll(poll, chair)
    db.session.commit()
    sitting.polls["resolution"] = poll
    return sitting


def _flat(clauses):
    for clause in clauses:
        yield clause
        yield from _flat(clause["subclauses"])


def test_the_pdf_carries_json_and_akoma_ntoso_that_match_the_database(world, as_user, listener):
    world.delegates[1].user.name = f'Dele <gate> & "Two" http://127.0.0.1:{listener.port}/x'
    sitting = _adopted_sitting(world, tricky=TRICKY)
    resolution = sitting.resolution
    language = world.conference.language
    answer = as_user(world.secretariat).get(
        f"/c/{world.conference.id}/documents/resolution/{resolution.id}.pdf?lang=en"
    )
    assert answer.status_code == 200
    pdf = reader(answer.data)
    files = {name: contents[0] for name, contents in pdf.attachments.items()}
    json_name = f"resolution-{resolution.id}.json"
    akn_name = f"resolution-{resolution.id}-{language}.akn.xml"
    assert set(files) == {json_name, akn_name}

    # PDF/A-3 associated files: each named in the catalogue's /AF with its relationship and
    # its media type.
    relationships, media_types = {}, {}
    assert len(pdf.trailer["/Root"]["/AF"]) == 2  # each once
    for reference in pdf.trailer["/Root"]["/AF"]:
        spec = reference.get_object()
        relationships[spec["/UF"]] = spec["/AFRelationship"]
        # (the XML's type as the platform's table names it: application/xml or text/xml)
        media_types[spec["/UF"]] = spec["/EF"]["/F"].get_object()["/Subtype"]
    assert relationships == {json_name: "/Data", akn_name: "/Alternative"}
    assert media_types[json_name] == "/application/json"
    assert media_types[akn_name] in ("/application/xml", "/text/xml")

    # The JSON against the database.
    data = json.loads(files[json_name])
    assert data["format"] == "resolutions.resolution"
    row = drafting.adopted_text(resolution)
    frozen = json.loads(row.content)
    assert data["record"] == {
        "sha256": row.sha256,
        "intact": True,
        "audit_head": frozen["audit_head"],
        "audit_digest": drafting.read_adopted_text(row).audit_digest,
    }
    text = drafting.numbered_text(resolution)
    exported = [*_flat(data["preamble"]), *_flat(data["operative"])]
    assert [(c["number"], c["label"], c["kind"], c["text"]) for c in exported] == [
        (c.number_path, c.label, c.kind.value, {language: c.text}) for c in text
    ]
    assert TRICKY in data["operative"][0]["text"][language]  # every character, BEL too
    assert "\\u0007" in files[json_name].decode()  # escaped, as JSON must
    amendments = db.session.scalars(
        sa.select(Amendment)
        .where(Amendment.resolution_id == resolution.id)
        .order_by(Amendment.number)
    ).all()
    assert [(a["number"], a["kind"], a["state"]) for a in data["amendments"]] == [
        (a.number, a.kind.value, a.state.value) for a in amendments
    ]
    a1 = next(a for a in data["amendments"] if a["number"] == sitting.amendments["A-1"].number)
    assert a1["state"] == AmendmentState.ADOPTED.value
    assert a1["clause"] == "2(a)" and a1["sponsors"] == [world.delegates[1].name]
    polls = db.session.scalars(
        sa.select(Poll).where(Poll.resolution_id == resolution.id).order_by(Poll.id)
    ).all()
    assert [p["id"] for p in data["polls"]] == [p.id for p in polls]  # all seen by the secretariat
    for exported_poll, poll in zip(data["polls"], polls, strict=True):
        assert exported_poll["outcome"] == poll.outcome.value
        assert exported_poll["figures"] == {
            "yes": poll.yes_weight,
            "no": poll.no_weight,
            "abstain": poll.abstain_weight,
            "ballots_cast": poll.ballots_cast,
            "entitled": poll.entitled_weight,
            "participating": poll.participating_weight,
        }
    assert data["deciding_poll"] == sitting.polls["resolution"].id
    assert data["polls"][-1]["figures"]["yes"] == 2

    # The Akoma Ntoso file holds the same text, escaped.
    root = etree.fromstring(files[akn_name])
    assert schema_errors(root) == []
    paragraphs = root.xpath("//a:mainBody/a:paragraph", namespaces=NS)
    assert [p.findtext("a:num", namespaces=NS) for p in paragraphs] == [
        c.label for c in text if c.kind == ClauseKind.OPERATIVE and c.depth == 0
    ]
    first = "".join(paragraphs[0].find("a:content", NS).itertext())
    assert TRICKY.replace("\x07", "\ufffd").replace("*bold*", "bold") in first
    assert paragraphs[0].find("a:content/a:p/a:i", NS).text == "bold"
    assert root.find(".//a:proprietary/*", NS).get("sha256") == row.sha256
    # Nothing was fetched, though a name held a URL.
    assert listener.connections == 0


def test_akoma_ntoso_follows_the_oasis_schema_and_the_rules_of_the_specification(world, as_user):
    sitting = _adopted_sitting(world)
    resolution = sitting.resolution
    answer = as_user(world.delegates[0]).get(
        f"/c/{world.conference.id}/documents/resolution/{resolution.id}.akn.xml"
    )
    assert answer.status_code == 200
    assert answer.mimetype == "application/akn+xml"
    root = etree.fromstring(answer.data)
    assert schema_errors(root) == []
    assert akn_rule_violations(root) == []

    statement = root.find("a:statement", NS)
    assert statement.get("name") == "resolution"
    language = world.conference.language
    assert (
        root.find(".//a:FRBRExpression/a:FRBRlanguage", NS).get("language")
        == {
            "ru": "rus",
            "en": "eng",
        }[language]
    )
    assert {statement.find(f"a:{part}", NS).get(XML_LANG) for part in ("preface", "mainBody")} == {
        language
    }
    assert statement.find("a:preface//a:docTitle", NS).text == resolution.title
    adopted_on = local_moment(resolution.adopted_at, world.conference.zone).date()
    assert statement.find("a:preface//a:docDate", NS).get("date") == adopted_on.isoformat()
    assert statement.find("a:preface//a:location", NS).text == "Bishkek"
    assert root.find(".//a:TLCOrganization", NS).get("showAs") == world.conference.title
    assert {p.get("showAs") for p in root.iterfind(".//a:TLCPerson", NS)} == {
        world.chair.name,
        world.secretariat.name,
    }

    # The clauses in order: recitals, then numbered paragraphs with their points nested.
    text = drafting.numbered_text(resolution)
    recitals = statement.findall("a:preamble/a:recitals/a:recital", NS)
    preambular = [c for c in text if c.kind == ClauseKind.PREAMBULAR]
    assert ["".join(r.find("a:p", NS).itertext()) for r in recitals] == [c.text for c in preambular]
    marked = []
    for element in statement.find("a:mainBody", NS).iter(
        f"{{{NS['a']}}}paragraph", f"{{{NS['a']}}}point"
    ):
        marked.append(
            (
                element.findtext("a:num", namespaces=NS),
                "".join(
                    element.find(
                        "a:content" if element.find("a:content", NS) is not None else "a:intro", NS
                    ).itertext()
                ).strip(),
                element.get("eId"),
            )
        )
    operative = [c for c in text if c.kind == ClauseKind.OPERATIVE]
    assert [(num, body) for num, body, _ in marked] == [(c.label, c.text) for c in operative]
    assert [eid for *_, eid in marked][:4] == [
        "para_1",
        "para_2",
        "para_2__list_1__point_a",
        "para_2__list_1__point_b",
    ]


def test_the_rules_catch_a_broken_document():
    """The rule checker fails on what it must catch (so a pass above means something)."""
    document = etree.fromstring(akoma_ntoso(_data(), "ru", WORDS, jurisdiction="int"))
    assert akn_rule_violations(document) == []
    assert schema_errors(document) == []
    document.find(".//a:recital", NS).set("eId", "para_1")
    document.find(".//a:FRBRExpression/a:FRBRlanguage", NS).getparent().remove(
        document.find(".//a:FRBRExpression/a:FRBRlanguage", NS)
    )
    del document.find(".//a:mainBody", NS).attrib[XML_LANG]
    document.find(".//a:docAuthority", NS).set("refersTo", "#nobody")
    problems = akn_rule_violations(document)
    assert "duplicate eIds: ['para_1']" in problems
    assert "FRBRExpression/FRBRlanguage missing" in problems
    assert "mainBody has no xml:lang" in problems
    assert "refersTo=#nobody names no reference" in problems
    assert schema_errors(document)  # the schema sees the duplicate and the language too


WORDS = DocumentWords("Резолюция", "30 ноября 2026 года", "Председатель", "Секретарь")


def _clause(kind, depth, label, path, text):
    return NumberedClause(None, ClauseKind(kind), depth, label, path, text, None, 0)


def _data(translations=None) -> ResolutionData:
    numbered = [
        _clause("preambular", 0, "", "P1", "Ссылаясь на устав,"),
        _clause("operative", 0, "1.", "1", "Призывает:"),
        _clause("operative", 1, "(a)", "1(a)", "правительства;"),
        _clause("operative", 0, "2.", "2", "Постановляет."),
    ]
    preamble, operative = clause_tree(numbered, ("ru", "en"), translations)
    return ResolutionData(
        id=7,
        title="О свободе объединения",
        state="adopted",
        numbering_style="numbered",
        conference=ConferenceData(
            3, "Конференция", "РК-2026", "г. Бишкек", date(2026, 11, 30), None, "Asia/Bishkek"
        ),
        languages=("ru", "en"),
        preamble=preamble,
        operative=operative,
        adopted_at=datetime(2026, 11, 30, 9, 0),
        date=date(2026, 11, 30),
        chair="Председатель",
        secretary=None,
        audit_head="ab" * 32,
        audit_digest="abab-abab-abab-abab",
        snapshot_sha256="cd" * 32,
        snapshot_intact=True,
        generated_at=datetime(2026, 12, 1, 8, 0),
    )


def test_the_second_language_is_a_translation_of_the_first_and_issued_only_whole():
    complete = _data(
        [
            ("Recalling the charter,", False),
            ("Calls upon:", False),
            ("governments;", False),
            ("Decides.", False),
        ]
    )
    assert complete.complete_languages() == ["ru", "en"]
    english = etree.fromstring(akoma_ntoso(complete, "en", WORDS, jurisdiction="int"))
    assert schema_errors(english) == [] and akn_rule_violations(english) == []
    expression = english.find(".//a:FRBRExpression", NS)
    assert expression.find("a:FRBRlanguage", NS).get("language") == "eng"
    assert expression.find("a:FRBRauthoritative", NS).get("value") == "false"
    translation = expression.find("a:FRBRtranslation", NS)
    assert translation.get("fromLanguage") == "rus"
    assert translation.get("href").endswith("/7/rus@")
    assert english.find(".//a:mainBody", NS).get(XML_LANG) == "en"
    assert english.find(".//a:docTitle", NS).get(XML_LANG) == "ru"  # the title is not translated
    assert english.find(".//a:point/a:content/a:p", NS).text == "governments;"

    # A clause without a current translation: no English version, and the JSON says which.
    partial = _data(
        [("Recalling the charter,", False), ("Calls upon:", True), ("", False), ("Decides.", False)]
    )
    assert partial.complete_languages() == ["ru"]
    exported = json.loads(as_json(partial))
    calls = exported["operative"][0]
    assert calls["text"] == {"ru": "Призывает:", "en": "Calls upon:"}
    assert calls["translation_needed"] is True
    assert calls["subclauses"][0]["text"] == {"ru": "правительства;"}
    assert calls["subclauses"][0]["translation_needed"] is True
    with pytest.raises(ValueError, match="no 'fr' version"):
        akoma_ntoso(partial, "fr", WORDS, jurisdiction="int")


def test_a_draft_is_offered_to_the_secretariat_only(world, as_user):
    sitting = hold_sitting(world, adopt=False)
    base = f"/c/{world.conference.id}/documents/resolution/{sitting.resolution.id}"
    for suffix in (".json", ".akn.xml"):
        refused = as_user(world.delegates[0]).get(base + suffix)
        assert refused.status_code == 302 and refused.location.endswith("/documents")
    data = json.loads(as_user(world.secretariat).get(base + ".json").data)
    assert data["resolution"]["state"] == "draft"
    assert data["record"]["sha256"] is None and data["signatories"]["chair"] is None
    root = etree.fromstring(as_user(world.chair).get(base + ".akn.xml").data)
    assert akn_rule_violations(root) == []
    assert root.find(".//a:FRBRWork/a:FRBRdate", NS).get("name") == "draft"
    assert root.find(".//a:conclusions", NS) is None  # no signatures under a draft


def test_the_exports_carry_the_second_language_where_it_is_given(world, as_user):
    sitting = hold_sitting(world, adopt=False)
    conference = world.conference
    second = "en" if conference.language == "ru" else "ru"
    first_clause = clauses_by_number(sitting.resolution)["1"]
    drafting.set_translation(
        first_clause,
        world.secretariat,
        "Calls for <fair> & open votes",
        expected_version=first_clause.version,
    )
    db.session.commit()
    base = f"/c/{conference.id}/documents/resolution/{sitting.resolution.id}"
    data = json.loads(as_user(world.secretariat).get(base + ".json").data)
    clauses = {c["number"]: c for c in [*_flat(data["preamble"]), *_flat(data["operative"])]}
    assert clauses["1"]["text"][second] == "Calls for <fair> & open votes"
    assert clauses["1"]["translation_needed"] is False
    assert second not in clauses["2"]["text"] and clauses["2"]["translation_needed"] is True
    assert data["resolution"]["languages"] == [conference.language, second]
    # Incomplete in the second language: no Akoma Ntoso document in it (back to the page,
    # which says why); complete in the first.
    refused = as_user(world.secretariat).get(base + f".akn.xml?lang={second}")
    assert refused.status_code == 302 and refused.location.endswith("/documents")
    assert as_user(world.secretariat).get(base + ".akn.xml").status_code == 200
