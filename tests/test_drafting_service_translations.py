"""The second working language: translations of clauses, what an adopted amendment does to
them, who may write them, and what history and the adopted record keep."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from resolutions.drafting import service
from resolutions.errors import DomainError, PermissionDenied, StaleError
from resolutions.extensions import db
from resolutions.models import (
    AmendmentKind,
    AmendmentState,
    AuditEntry,
    ClauseKind,
    ClauseVersion,
)
from resolutions.rules.languages import second_language, text_for_reader
from tests.objects.drafting import clauses_by_number

REPLACE, INSERT = AmendmentKind.REPLACE, AmendmentKind.INSERT


@pytest.fixture(autouse=True)
def english_first(world):
    """The test draft is in English: an English conference, with Russian as its second."""
    world.conference.language = "en"
    db.session.commit()


def _adopted(world, resolution, kind, **kwargs):
    amendment = service.propose_amendment(resolution, world.delegate, kind=kind, **kwargs)
    service.submit_amendment(amendment, world.delegate)
    service.admit_amendment(amendment, world.secretariat)
    service.adopt_amendment(amendment, world.chair)
    return amendment


def _translated(world, resolution, number: str, text: str):
    clause = clauses_by_number(resolution)[number]
    return service.set_translation(clause, world.secretariat, text, expected_version=clause.version)


def _last_audit(action: str) -> dict:
    entry = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id.desc())
    ).first()
    assert entry is not None, action
    return json.loads(entry.details)


def test_the_second_language_is_the_other_one(world):
    assert second_language(world.conference) == "ru"
    world.conference.language = "ru"
    assert second_language(world.conference) == "en"


def test_secretariat_translates_a_clause_as_a_new_version_with_an_audit_entry(world, draft):
    clause = _translated(world, draft, "1", "Призывает все правительства;")
    assert (clause.translation, clause.translation_needed, clause.version) == (
        "Призывает все правительства;",
        False,
        2,
    )
    versions = service.clause_history(clause)
    assert [(v.reason, v.translation) for v in versions] == [
        ("create", ""),
        ("translation", "Призывает все правительства;"),
    ]
    assert versions[1].text == versions[0].text  # the first language did not change
    assert _last_audit("clause.translated") == {
        "language": "ru",
        "number": "operative clause 1",
        "version": 2,
    }
    numbered = {c.number_path: c for c in service.numbered_text(draft)}
    assert numbered["1"].translation == "Призывает все правительства;"
    assert service.translation_gaps(numbered.values()) == [
        c for c in numbered.values() if c.number_path != "1"
    ]


def test_a_delegate_may_not_translate_and_a_stale_form_saves_nothing(world, draft):
    clause = clauses_by_number(draft)["1"]
    with pytest.raises(PermissionDenied):
        service.set_translation(clause, world.delegate, "x", expected_version=1)
    with pytest.raises(StaleError):
        service.set_translation(clause, world.secretariat, "x", expected_version=7)
    with pytest.raises(DomainError) as error:
        service.set_translation(
            clause, world.secretariat, "x" * 20_001, expected_version=clause.version
        )
    assert error.value.field == "translation"
    assert clause.translation == "" and clause.version == 1


def test_adopted_amendment_with_translation_brings_both_languages(world, draft):
    _translated(world, draft, "1", "Старый перевод;")
    target = clauses_by_number(draft)["1"]
    amendment = _adopted(
        world,
        draft,
        REPLACE,
        target=target,
        text="Calls upon every government;",
        translation="Призывает каждое правительство;",
    )
    assert amendment.translation == "Призывает каждое правительство;"
    assert (target.text, target.translation, target.translation_needed) == (
        "Calls upon every government;",
        "Призывает каждое правительство;",
        False,
    )
    version = service.clause_history(target)[-1]
    assert (version.reason, version.translation, version.translation_needed) == (
        "amendment",
        "Призывает каждое правительство;",
        False,
    )
    assert "translation_needed" not in _last_audit("amendment.adopted")


def test_adopted_amendment_without_translation_flags_the_kept_translation(world, draft):
    _translated(world, draft, "1", "Старый перевод;")
    target = clauses_by_number(draft)["1"]
    _adopted(world, draft, REPLACE, target=target, text="Calls upon every government;")
    # Never silently stale: the old translation stays for reference, flagged.
    assert (target.translation, target.translation_needed) == ("Старый перевод;", True)
    assert service.clause_history(target)[-1].translation_needed is True
    assert _last_audit("amendment.adopted")["translation_needed"] is True
    assert [c.number_path for c in service.translation_gaps(service.numbered_text(draft))][:3] == [
        "P1",
        "P2",
        "1",
    ]

    # Saving the translation (even unchanged: the secretariat confirms it) clears the flag.
    service.set_translation(
        target,
        world.secretariat,
        "Призывает каждое правительство;",
        expected_version=target.version,
    )
    assert target.translation_needed is False
    history = service.clause_history(target)
    assert [v.translation_needed for v in history[-2:]] == [True, False]


def test_an_inserted_clause_takes_the_amendments_translation(world, draft):
    after = clauses_by_number(draft)["3"]
    amendment = _adopted(
        world,
        draft,
        INSERT,
        new_clause_kind=ClauseKind.OPERATIVE,
        after=after,
        text="Invites the members to share experience;",
        translation="Предлагает членам обмениваться опытом;",
    )
    assert amendment.state == AmendmentState.ADOPTED
    inserted = clauses_by_number(draft)["4"]
    assert (inserted.translation, inserted.translation_needed) == (
        "Предлагает членам обмениваться опытом;",
        False,
    )


def test_editing_the_first_language_alone_flags_the_translation(world, draft):
    clause = _translated(world, draft, "1", "Перевод;")
    service.edit_clause(
        clause, world.secretariat, "Calls upon all states;", expected_version=clause.version
    )
    assert clause.translation_needed is True
    assert _last_audit("clause.edited")["translation_needed"] is True
    # Both in one form: the new translation goes with the new text, one version.
    service.edit_clause(
        clause,
        world.secretariat,
        "Calls upon all states and territories;",
        expected_version=clause.version,
        translation="Призывает все государства и территории;",
    )
    assert (clause.translation, clause.translation_needed) == (
        "Призывает все государства и территории;",
        False,
    )
    assert (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(ClauseVersion)
            .where(ClauseVersion.clause_id == clause.id)
        )
        == clause.version
        == 4
    )


def test_the_reader_sees_a_current_translation_only(world):
    world.conference.language = "ru"
    assert text_for_reader("Текст", "Text", False, world.conference, "en") == ("Text", "en")
    assert text_for_reader("Текст", "Text", False, world.conference, "ru") == ("Текст", "ru")
    assert text_for_reader("Текст", "", False, world.conference, "en") == ("Текст", "ru")
    # An outdated translation is not what is voted on.
    assert text_for_reader("Текст", "Text", True, world.conference, "en") == ("Текст", "ru")


def test_the_adopted_record_keeps_both_languages(world, draft):
    _translated(world, draft, "1", "Призывает все правительства;")
    service.adopt_resolution(draft, world.chair)
    content = json.loads(service.adopted_text(draft).content)
    assert content["format"] == 2
    assert content["conference"]["second_language"] == "ru"
    clause = next(c for c in content["clauses"] if c["number_path"] == "1")
    assert (clause["translation"], clause["translation_needed"]) == (
        "Призывает все правительства;",
        False,
    )
    # Translations are part of the text: locked with it once adopted.
    with pytest.raises(DomainError):
        _translated(world, draft, "2", "Настоятельно призывает;")
