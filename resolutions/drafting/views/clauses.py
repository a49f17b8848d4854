"""The secretariat writes the draft: a new resolution, its clauses (add, edit, delete, move)
and the import of a draft, pasted or from a Word file.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from resolutions.auth.access import conference_role
from resolutions.drafting import service
from resolutions.drafting.docx_import import (
    MAX_DOCX_BYTES,
    DocxRefused,
    dropped_from_json,
    dropped_to_json,
    read_docx,
)
from resolutions.drafting.forms import (
    MAX_DRAFT_TEXT,
    ClauseChangeForm,
    ClauseEditForm,
    ClauseNewForm,
    ImportDocxForm,
    ImportParagraphForm,
    ImportPreviewForm,
    ImportTextForm,
    ResolutionCreateForm,
)
from resolutions.drafting.presentation import (
    dropped_line,
    parse_position,
    position_choices,
    translation_label,
)
from resolutions.drafting.text import (
    ClauseSnapshot,
    ParsedParagraph,
    number_clauses,
    paragraph_parents,
    parse_draft,
    word_diff,
)
from resolutions.drafting.views._common import (
    Page,
    _clause,
    _diff_attributes,
    _draft_url,
    _reference,
    _resolution,
    _set_hidden,
    bp,
)
from resolutions.drafting.views.reading import _resolutions_page
from resolutions.errors import DomainError, StaleError
from resolutions.extensions import db
from resolutions.forms import select_choices
from resolutions.models import (
    Clause,
    ClauseKind,
    Conference,
    NumberingStyle,
    Participant,
    Resolution,
    Role,
)
from resolutions.refusals import refuse
from resolutions.rules.languages import second_language


@bp.post("/resolutions/new")
@conference_role(Role.SECRETARIAT)
def resolution_create(conference: Conference, me: Participant) -> Page:
    form = ResolutionCreateForm()
    if not form.validate_on_submit():
        return _resolutions_page(conference, form)
    try:
        created = service.create_resolution(
            conference, me, form.title.data or "", NumberingStyle(form.numbering_style.data)
        )
    except DomainError as error:
        refuse(error, form)
        return _resolutions_page(conference, form, 409)
    db.session.commit()
    flash(_("The resolution was created. Add its clauses or import a draft."), "success")
    return redirect(_draft_url(created))


# --- clauses: the secretariat edits the draft directly ---------------------------------------


@bp.route("/resolutions/<int:resolution_id>/clauses/new", methods=["GET", "POST"])
@conference_role(Role.SECRETARIAT)
def clause_new(conference: Conference, me: Participant, resolution_id: int) -> Page:
    res = _resolution(conference, resolution_id)
    form = ClauseNewForm()
    numbered = service.numbered_text(res)
    form.position.choices = select_choices(position_choices(numbered, res.numbering_style))
    if request.method == "GET" and request.args.get("position"):
        form.position.data = request.args["position"]
    status = 200
    if form.validate_on_submit():
        where = parse_position(form.position.data, res)
        if where is None:
            form.position.errors = [_("That clause no longer exists. Choose another place.")]
            status = 409
        else:
            try:
                added = service.add_clause(
                    res,
                    me,
                    kind=where.kind,
                    text=form.text.data or "",
                    parent=where.parent,
                    after=where.after,
                )
            except DomainError as error:
                refuse(error, form)
                status = 409
            else:
                db.session.commit()
                flash(_("The clause was added."), "success")
                return redirect(_draft_url(res, f"clause-{added.id}"))
    return render_template("drafting/clause_new.html", resolution=res, form=form), status


@bp.route("/clauses/<int:clause_id>/edit", methods=["GET", "POST"])
@conference_role(Role.SECRETARIAT)
def clause_edit(conference: Conference, me: Participant, clause_id: int) -> Page:
    clause = _clause(conference, clause_id)
    res = clause.resolution
    form = ClauseEditForm()
    if request.method == "GET":
        form.text.data = clause.text
        form.translation.data = clause.translation
        form.expected_version.data = clause.version
    form.translation.label.text = translation_label(conference)
    form.translation.render_kw = {
        **(form.translation.render_kw or {}),
        "lang": second_language(conference),
    }
    status = 200
    pending_diff = None
    if form.validate_on_submit():
        try:
            service.edit_clause(
                clause,
                me,
                form.text.data or "",
                # Required by the form; a version no clause has is refused as stale.
                expected_version=form.expected_version.data or 0,
                translation=form.translation.data or "",
            )
        except DomainError as error:
            stale = isinstance(error, StaleError)
            refuse(error, form)
            status = 409
            clause = _clause(conference, clause_id)
            if stale and not clause.is_deleted:
                # Keep the user's text, show how it differs from the current version, and let
                # them save again deliberately against that version.
                pending_diff = word_diff(clause.text, form.text.data or "")
                _set_hidden(form.expected_version, clause.version)
        else:
            db.session.commit()
            flash(_("The clause was saved as version %(v)s.", v=clause.version), "success")
            return redirect(_draft_url(res, f"clause-{clause.id}"))
    current = next((c for c in service.numbered_text(res) if c.clause_id == clause.id), None)
    form.text.render_kw = {
        **(form.text.render_kw or {}),
        **_diff_attributes(conference, res, clause),
    }
    return render_template(
        "drafting/clause_edit.html",
        resolution=res,
        clause=clause,
        numbered_clause=current,
        reference=_reference(current, res),
        form=form,
        pending_diff=pending_diff,
    ), status


def _clause_change(conference: Conference, clause_id: int) -> tuple[Clause, ClauseChangeForm]:
    """The clause of a delete/move button, if the button's form is complete. The version it
    carries is checked by the service (``expected_version``), as for the edit form."""
    clause = _clause(conference, clause_id)
    form = ClauseChangeForm()
    if not form.validate_on_submit():
        flash(_("The form was incomplete. Reload the page and try again."), "error")
        abort(redirect(_edit_url(clause)))
    return clause, form


def _edit_url(clause: Clause) -> str:
    return url_for(
        "drafting.clause_edit", conference_id=clause.resolution.conference_id, clause_id=clause.id
    )


def _refused_change(error: DomainError, clause: Clause, fallback: str) -> Response:
    """A stale button leads to the clause's current text; any other refusal back to the page."""
    clause_id, resolution, stale = clause.id, clause.resolution, isinstance(error, StaleError)
    refuse(error)
    current = service.clause_of(resolution, clause_id)  # read again: the refusal rolled back
    changed = stale and current is not None and not current.is_deleted
    return redirect(_edit_url(clause) if changed else fallback)


@bp.post("/clauses/<int:clause_id>/delete")
@conference_role(Role.SECRETARIAT)
def clause_delete(conference: Conference, me: Participant, clause_id: int) -> Page:
    clause, form = _clause_change(conference, clause_id)
    res = clause.resolution
    try:
        service.delete_clause(clause, me, expected_version=form.expected_version.data)
    except DomainError as error:
        return _refused_change(error, clause, _draft_url(res))
    db.session.commit()
    flash(_("The clause was deleted; the clauses after it were renumbered."), "success")
    return redirect(_draft_url(res))


@bp.post("/clauses/<int:clause_id>/move")
@conference_role(Role.SECRETARIAT)
def clause_move(conference: Conference, me: Participant, clause_id: int) -> Page:
    clause, form = _clause_change(conference, clause_id)
    res = clause.resolution
    here = _draft_url(res, f"clause-{clause.id}")
    siblings = [
        c.clause_id
        for c in service.numbered_text(res)
        if c.parent_id == clause.parent_id and c.kind == clause.kind and c.clause_id is not None
    ]
    if clause.id not in siblings or form.direction.data not in ("up", "down"):
        flash(_("This clause cannot be moved."), "error")
        return redirect(here)
    index = siblings.index(clause.id)
    # Up: after the sibling two places above (or first); down: after the next sibling.
    after_index = index - 2 if form.direction.data == "up" else index + 1
    if (form.direction.data == "up" and index == 0) or after_index >= len(siblings):
        flash(_("The clause is already at that end."), "info")
        return redirect(here)
    after = _clause(conference, siblings[after_index]) if after_index >= 0 else None
    try:
        service.move_clause(clause, me, after=after, expected_version=form.expected_version.data)
    except DomainError as error:
        return _refused_change(error, clause, here)
    db.session.commit()
    flash(_("The clause was moved; the numbering follows."), "success")
    return redirect(here)


# --- import -------------------------------------------------------------------------------------


@bp.route("/resolutions/<int:resolution_id>/import", methods=["GET", "POST"])
@conference_role(Role.SECRETARIAT)
def import_draft(conference: Conference, me: Participant, resolution_id: int) -> Page:
    """Paste → preview (kind and level per paragraph) → confirm. Nothing is saved before the
    confirmation; between the steps the text travels in the form, not in the session."""
    res = _resolution(conference, resolution_id)
    step = next((k for k in ("confirm", "refresh", "back") if k in request.form), None)
    if request.method == "POST" and step is not None:
        preview = ImportPreviewForm()
        if step == "back":
            text_form = ImportTextForm(formdata=None, text=preview.text.data)
            return render_template(
                "drafting/import.html",
                resolution=res,
                form=text_form,
                docx_form=ImportDocxForm(formdata=None),
            )
        if not preview.validate_on_submit() or step == "refresh":
            return _import_preview_page(res, preview)
        parsed = [
            ParsedParagraph(
                kind=ClauseKind(entry.form.kind.data),
                text=entry.form.text.data or "",
                depth=int(entry.form.depth.data),
                had_number=False,
            )
            for entry in preview.paragraphs.entries
        ]
        try:
            created = service.import_draft(res, me, parsed)
        except DomainError as error:
            refuse(error)
            return _import_preview_page(res, preview, 409)
        db.session.commit()
        flash(_("%(n)s clauses were imported.", n=len(created)), "success")
        return redirect(_draft_url(res))

    form = ImportTextForm()
    if form.validate_on_submit():
        paragraphs_style = res.numbering_style == NumberingStyle.PARAGRAPHS
        parsed = parse_draft(form.text.data or "", paragraphs=paragraphs_style)
        if parsed:
            return _import_preview_page(res, _preview_form(form.text.data or "", parsed))
        form.text.errors = [_("No paragraph was found in the text.")]
    return render_template(
        "drafting/import.html", resolution=res, form=form, docx_form=ImportDocxForm(formdata=None)
    )


@bp.post("/resolutions/<int:resolution_id>/import/docx")
@conference_role(Role.SECRETARIAT)
def import_docx(conference: Conference, me: Participant, resolution_id: int) -> Page:
    """A Word file → the same preview as pasted text (then the same confirmation). The file
    is read once, here; the preview carries the text it gave, not the file."""
    res = _resolution(conference, resolution_id)
    upload = ImportDocxForm()
    if upload.validate_on_submit():
        try:
            draft = read_docx(
                upload.file.data.read(MAX_DOCX_BYTES + 1),
                paragraphs_style=res.numbering_style == NumberingStyle.PARAGRAPHS,
                max_text=MAX_DRAFT_TEXT,
            )
        except DocxRefused as error:
            status = refuse(error, upload)  # next to the file field
        else:
            preview = _preview_form(draft.text, draft.paragraphs, dropped_to_json(draft.dropped))
            return _import_preview_page(res, preview)
    else:
        status = 400
    page = render_template(
        "drafting/import.html",
        resolution=res,
        form=ImportTextForm(formdata=None),
        docx_form=upload,
    )
    return page, status


def _preview_form(text: str, parsed: list[ParsedParagraph], dropped: str = "") -> ImportPreviewForm:
    """The preview step's form: the text (for "Back to the text") and one entry a paragraph."""
    preview = ImportPreviewForm(formdata=None, text=text, dropped=dropped)
    for paragraph in parsed:
        preview.paragraphs.append_entry(
            {"text": paragraph.text, "kind": paragraph.kind.value, "depth": str(paragraph.depth)}
        )
    return preview


def _import_preview_page(
    res: Resolution, preview: ImportPreviewForm, status: int = 200
) -> tuple[str, int]:
    # The numbers as they will read with the kinds and levels currently chosen, from the same
    # numbering the draft uses (paragraphs stand in for clauses, with made-up ids).
    entries: list[ImportParagraphForm] = [entry.form for entry in preview.paragraphs.entries]
    shape = [
        (
            ClauseKind.OPERATIVE if sub.kind.data == "operative" else ClauseKind.PREAMBULAR,
            int(sub.depth.data) if sub.depth.data in ("0", "1", "2") else 0,
        )
        for sub in entries
    ]
    snapshots = [
        ClauseSnapshot(
            index, kind, None if parent is None else parent + 1, index, sub.text.data or ""
        )
        for index, ((kind, _depth), parent, sub) in enumerate(
            zip(shape, paragraph_parents(shape), entries, strict=True), start=1
        )
    ]
    numbered = {c.clause_id: c for c in number_clauses(snapshots, res.numbering_style)}
    rows = [
        (entry.form, numbered.get(index))
        for index, entry in enumerate(preview.paragraphs.entries, start=1)
    ]
    # The whole-structure problems (the entries' own errors are dicts, shown per paragraph).
    problems = [str(e) for e in preview.paragraphs.errors if not isinstance(e, dict | list)]
    html = render_template(
        "drafting/import_preview.html",
        resolution=res,
        form=preview,
        rows=rows,
        problems=problems,
        dropped=[dropped_line(d) for d in dropped_from_json(preview.dropped.data)],
    )
    return html, status
