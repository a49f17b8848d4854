"""The second working language on the drafting pages: the secretariat's translations page
(every clause beside its translation, the missing and outdated ones first) and saving one
clause's translation. Which language(s) the draft page shows is in ``presentation``.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _

from resolutions.auth.access import conference_role
from resolutions.drafting import service
from resolutions.drafting.forms import TranslationForm
from resolutions.drafting.presentation import language_names, translation_label
from resolutions.drafting.text import NumberedClause
from resolutions.drafting.views._common import (
    Page,
    _clause,
    _reference,
    _resolution,
    bp,
)
from resolutions.errors import DomainError, StaleError
from resolutions.extensions import db
from resolutions.models import Conference, Participant, Resolution, Role
from resolutions.refusals import refuse, refuse_and_redirect
from resolutions.rules.languages import first_language, second_language


def _ordered(numbered: list[NumberedClause]) -> list[NumberedClause]:
    """Missing translations first, then outdated ones, then the rest; each in text order."""
    return sorted(
        numbered,
        key=lambda c: 0 if not c.translation else 1 if c.translation_needed else 2,
    )


def _translations_page(
    conference: Conference,
    resolution: Resolution,
    failed: tuple[int, TranslationForm] | None = None,
    status: int = 200,
) -> Page:
    numbered = service.numbered_text(resolution)
    rows = service.clause_rows(resolution)
    forms: dict[int | None, TranslationForm] = {}
    for clause in numbered:
        if failed is not None and failed[0] == clause.clause_id:
            forms[clause.clause_id] = failed[1]
            continue
        form = TranslationForm(formdata=None, prefix=f"c{clause.clause_id}")
        form.translation.data = clause.translation
        form.expected_version.data = rows[clause.clause_id].version if clause.clause_id else 0
        forms[clause.clause_id] = form
    for form in forms.values():
        form.translation.label.text = translation_label(conference)
        form.translation.render_kw = {
            **(form.translation.render_kw or {}),
            "lang": second_language(conference),
            "rows": 4,
        }
    gaps = service.translation_gaps(numbered)
    return render_template(
        "drafting/translations.html",
        resolution=resolution,
        clauses=_ordered(numbered),
        forms=forms,
        references={c.clause_id: _reference(c, resolution) for c in numbered},
        missing=sum(1 for c in gaps if not c.translation),
        outdated=sum(1 for c in gaps if c.translation),
        total=len(numbered),
        names=language_names(conference),
        first_language=first_language(conference),
        second_language=second_language(conference),
        open_for_changes=resolution.state.value == "draft" and not conference.is_closed,
    ), status


@bp.get("/resolutions/<int:resolution_id>/translations")
@conference_role(Role.SECRETARIAT)
def translations(conference: Conference, me: Participant, resolution_id: int) -> Page:
    return _translations_page(conference, _resolution(conference, resolution_id))


@bp.post("/clauses/<int:clause_id>/translation")
@conference_role(Role.SECRETARIAT)
def translation_save(conference: Conference, me: Participant, clause_id: int) -> Page:
    clause = _clause(conference, clause_id)
    resolution = clause.resolution
    form = TranslationForm(prefix=f"c{clause.id}")
    back = url_for(
        ".translations",
        conference_id=conference.id,
        resolution_id=resolution.id,
        _anchor=f"translation-{clause.id}",
    )
    if not form.validate_on_submit():
        return _translations_page(conference, resolution, (clause.id, form), 400)
    try:
        service.set_translation(
            clause,
            me,
            form.translation.data or "",
            expected_version=form.expected_version.data or 0,
        )
    except DomainError as error:
        if isinstance(error, StaleError):
            return refuse_and_redirect(error, back)  # a message above the fresh page
        status = refuse(error, form)
        resolution = _resolution(conference, resolution.id)
        return _translations_page(conference, resolution, (clause.id, form), status)
    db.session.commit()
    flash(_("The translation was saved."), "success")
    return redirect(back)
