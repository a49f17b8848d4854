"""Drafting pages: the resolutions, the draft as a document, clauses, the import, amendments.

Views parse the form, call ``resolutions.drafting.service`` (which flushes and never commits),
commit once, and answer. A ``DraftingError`` from the service rolls the request back and is
shown next to its field (or as a message) with 409; a ``PermissionDenied`` (an object-level
rule such as "only the proposer") answers 403.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from markupsafe import Markup
from werkzeug.wrappers import Response

from resolutions import audit_labels
from resolutions.auth.access import conference_role, get_in_conference
from resolutions.drafting import service
from resolutions.drafting.forms import (
    AmendmentActionForm,
    AmendmentFilterForm,
    AmendmentForm,
    ClauseChangeForm,
    ClauseEditForm,
    ClauseNewForm,
    DiffPreviewForm,
    ImportParagraphForm,
    ImportPreviewForm,
    ImportTextForm,
    InviteSponsorForm,
    OutOfOrderForm,
    ResolutionCreateForm,
    SponsorResponseForm,
    TextAtForm,
    VoteOrderForm,
)
from resolutions.drafting.presentation import (
    DraftLinks,
    PageText,
    clause_options,
    document_heading,
    local_to_utc,
    parse_position,
    position_choices,
    position_value,
    preview_rows,
    utc_now,
    version_reason,
)
from resolutions.drafting.service import DraftingError, PermissionDenied
from resolutions.drafting.text import (
    ClauseSnapshot,
    NumberedClause,
    ParsedParagraph,
    number_clauses,
    parse_draft,
    render_text,
    word_diff,
)
from resolutions.extensions import db
from resolutions.forms import select_choices
from resolutions.labels import AMENDMENT_STATE, label
from resolutions.models import (
    Amendment,
    AmendmentKind,
    AmendmentState,
    Clause,
    ClauseKind,
    Conference,
    NumberingStyle,
    Participant,
    Poll,
    Resolution,
    Role,
    SponsorStatus,
)

bp = Blueprint("drafting", __name__, url_prefix="/c/<int:conference_id>")

Page = str | tuple[str, int] | Response


@bp.app_template_filter("render_text")
def render_text_filter(text: str) -> Markup:
    """``{{ clause.text|render_text }}``: escaped text with the tiny safe markup."""
    return render_text(text)


# --- helpers ----------------------------------------------------------------------------------


def _resolution(conference: Conference, resolution_id: int) -> Resolution:
    return get_in_conference(Resolution, resolution_id, conference)


def _clause(conference: Conference, clause_id: int) -> Clause:
    return get_in_conference(Clause, clause_id, conference)


def _amendment(conference: Conference, amendment_id: int, me: Participant) -> Amendment:
    amendment = get_in_conference(Amendment, amendment_id, conference)
    if not service.can_view_amendment(amendment, me):
        abort(404)  # another delegate's draft: as if it did not exist
    return amendment


def _refused(error: DraftingError, form: FlaskForm | None = None) -> None:
    """Undo the request's changes; 403 for a permission rule; otherwise show the message next
    to the field it names, or as a flash."""
    db.session.rollback()
    if isinstance(error, PermissionDenied):
        abort(403)
    field = getattr(form, error.field, None) if form is not None and error.field else None
    visible = getattr(getattr(field, "widget", None), "input_type", None) != "hidden"
    if field is not None and hasattr(field, "errors") and visible:
        field.errors = [*field.errors, error.message]
    else:
        flash(error.message, "error")


def _set_hidden(field: Any, value: object) -> None:
    """Change a field the user posted (a submitted value would otherwise be drawn again)."""
    field.data = value
    field.raw_data = [str(value)]


def _draft_url(resolution: Resolution, anchor: str | None = None) -> str:
    return url_for(
        "drafting.resolution",
        conference_id=resolution.conference_id,
        resolution_id=resolution.id,
        _anchor=anchor,
    )


def _amendment_url(amendment: Amendment) -> str:
    return url_for(
        "drafting.amendment",
        conference_id=amendment.resolution.conference_id,
        amendment_id=amendment.id,
    )


def _back_to(amendment: Amendment) -> str:
    """Where a button on an amendment leads back to: the page it was pressed on."""
    if request.form.get("back") == "draft":
        return _draft_url(amendment.resolution, f"amendment-{amendment.id}")
    return _amendment_url(amendment)


def _diff_attributes(conference: Conference, resolution: Resolution, clause: Clause) -> dict:
    """What drafting.js needs to show the live diff of a textarea against ``clause``."""
    return {
        "data-diff-url": url_for(
            "drafting.diff_preview", conference_id=conference.id, resolution_id=resolution.id
        ),
        "data-diff-clause": str(clause.id),
        "data-diff-target": "live-diff",
    }


def _reference(clause: NumberedClause | None, resolution: Resolution) -> str | None:
    if clause is None:
        return None
    return service.clause_reference(clause, resolution.numbering_style)


# --- resolutions ------------------------------------------------------------------------------


@bp.get("/resolutions")
@conference_role()
def resolutions(conference: Conference, me: Participant) -> Page:
    return _resolutions_page(conference, ResolutionCreateForm())


def _resolutions_page(
    conference: Conference, form: ResolutionCreateForm, status: int = 200
) -> tuple[str, int]:
    listed = service.list_resolutions(conference)
    return render_template("drafting/resolutions.html", resolutions=listed, form=form), status


@bp.post("/resolutions/new")
@conference_role(Role.SECRETARIAT)
def resolution_create(conference: Conference, me: Participant) -> Page:
    form = ResolutionCreateForm()
    if not form.validate_on_submit():
        return _resolutions_page(conference, form)
    try:
        created = service.create_resolution(
            conference, me.user, form.title.data, NumberingStyle(form.numbering_style.data)
        )
    except DraftingError as error:
        _refused(error, form)
        return _resolutions_page(conference, form, 409)
    db.session.commit()
    flash(_("The resolution was created. Add its clauses or import a draft."), "success")
    return redirect(_draft_url(created))


@bp.get("/resolutions/<int:resolution_id>")
@conference_role()
def resolution(conference: Conference, me: Participant, resolution_id: int) -> Page:
    res = _resolution(conference, resolution_id)
    filters = AmendmentFilterForm(formdata=request.args)
    state = request.args.get("state", "")
    state_filter = AmendmentState(state) if state in AmendmentState._value2member_map_ else None
    proposer = request.args.get("proposer", "")
    proposer_filter = int(proposer) if proposer.isdigit() else None
    page = service.draft_page_data(res, me, state=state_filter, proposer_id=proposer_filter)
    filters.proposer.choices = select_choices(
        [("", _("Everyone"))] + [(str(p.id), p.user.name) for p in page.proposers]
    )
    shown = sum(map(len, page.amendments_to.values())) + sum(map(len, page.inserts_before.values()))
    # Amendments whose clause has been deleted have no place in the text: listed after it.
    live_ids = {c.clause_id for c in page.clauses}
    orphans = [
        view
        for groups in (page.amendments_to, page.inserts_before)
        for key, views in groups.items()
        if key is not None and key not in live_ids
        for view in views
    ]
    deadline = conference.amendment_deadline
    return render_template(
        "drafting/resolution.html",
        resolution=res,
        page=page,
        heading=document_heading(conference),
        filters=filters,
        filtering=state_filter is not None or proposer_filter is not None,
        shown=shown,
        orphans=orphans,
        deadline=deadline,
        deadline_passed=deadline is not None and deadline < utc_now(),
        links=DraftLinks(conference.id, res.id),
        t=PageText(res.numbering_style),
    )


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
            form.position.errors.append(_("That clause no longer exists. Choose another place."))
            status = 409
        else:
            try:
                added = service.add_clause(
                    res,
                    me.user,
                    kind=where.kind,
                    text=form.text.data,
                    parent=where.parent,
                    after=where.after,
                )
            except DraftingError as error:
                _refused(error, form)
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
        form.expected_version.data = clause.version
    status = 200
    pending_diff = None
    if form.validate_on_submit():
        try:
            service.edit_clause(
                clause, me.user, form.text.data, expected_version=form.expected_version.data
            )
        except DraftingError as error:
            stale = isinstance(error, service.StaleError)
            _refused(error, form)
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
    """The clause of a delete/move button, if the button's form is complete and not stale."""
    clause = _clause(conference, clause_id)
    form = ClauseChangeForm()
    edit_url = url_for("drafting.clause_edit", conference_id=conference.id, clause_id=clause.id)
    if not form.validate_on_submit():
        flash(_("The form was incomplete. Reload the page and try again."), "error")
        abort(redirect(edit_url))
    if not clause.is_deleted and form.expected_version.data != clause.version:
        # Never act on a text the user has not seen: the same check as the edit form's.
        flash(
            _(
                "Someone changed this clause while you had the page open (it is now at "
                "version %(v)s). Nothing was done: read the current text and try again.",
                v=clause.version,
            ),
            "error",
        )
        abort(redirect(edit_url))
    return clause, form


@bp.post("/clauses/<int:clause_id>/delete")
@conference_role(Role.SECRETARIAT)
def clause_delete(conference: Conference, me: Participant, clause_id: int) -> Page:
    clause, _form = _clause_change(conference, clause_id)
    res = clause.resolution
    try:
        service.delete_clause(clause, me.user)
    except DraftingError as error:
        _refused(error)
        return redirect(_draft_url(res))
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
        if c.parent_id == clause.parent_id and c.kind == clause.kind
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
    after = db.session.get(Clause, siblings[after_index]) if after_index >= 0 else None
    try:
        service.move_clause(clause, me.user, after=after)
    except DraftingError as error:
        _refused(error)
        return redirect(here)
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
            return render_template("drafting/import.html", resolution=res, form=text_form)
        if not preview.validate_on_submit() or step == "refresh":
            return _import_preview_page(res, preview)
        parsed = [
            ParsedParagraph(
                kind=ClauseKind(entry.form.kind.data),
                text=entry.form.text.data,
                depth=int(entry.form.depth.data),
                had_number=False,
            )
            for entry in preview.paragraphs.entries
        ]
        try:
            created = service.import_draft(res, me.user, parsed)
        except DraftingError as error:
            _refused(error)
            return _import_preview_page(res, preview, 409)
        db.session.commit()
        flash(_("%(n)s clauses were imported.", n=len(created)), "success")
        return redirect(_draft_url(res))

    form = ImportTextForm()
    if form.validate_on_submit():
        paragraphs_style = res.numbering_style == NumberingStyle.PARAGRAPHS
        parsed = parse_draft(form.text.data, paragraphs=paragraphs_style)
        if parsed:
            preview = ImportPreviewForm(formdata=None, text=form.text.data)
            for paragraph in parsed:
                preview.paragraphs.append_entry(
                    {
                        "text": paragraph.text,
                        "kind": paragraph.kind.value,
                        "depth": str(paragraph.depth),
                    }
                )
            return _import_preview_page(res, preview)
        form.text.errors.append(_("No paragraph was found in the text."))
    return render_template("drafting/import.html", resolution=res, form=form)


def _import_preview_page(
    res: Resolution, preview: ImportPreviewForm, status: int = 200
) -> tuple[str, int]:
    # The numbers as they will read with the kinds and levels currently chosen, from the same
    # numbering the draft uses (paragraphs stand in for clauses, with made-up ids).
    snapshots: list[ClauseSnapshot] = []
    open_ids: list[int] = []  # the operative paragraph open at each level
    for index, entry in enumerate(preview.paragraphs.entries, start=1):
        sub: ImportParagraphForm = entry.form
        kind = ClauseKind.OPERATIVE if sub.kind.data == "operative" else ClauseKind.PREAMBULAR
        depth = int(sub.depth.data) if sub.depth.data in ("0", "1", "2") else 0
        parent = None
        if kind == ClauseKind.OPERATIVE:
            del open_ids[depth:]
            parent = open_ids[-1] if depth and open_ids else None
            open_ids.append(index)
        snapshots.append(ClauseSnapshot(index, kind, parent, index, sub.text.data or ""))
    numbered = {c.clause_id: c for c in number_clauses(snapshots, res.numbering_style)}
    rows = [
        (entry.form, numbered.get(index))
        for index, entry in enumerate(preview.paragraphs.entries, start=1)
    ]
    # The whole-structure problems (the entries' own errors are dicts, shown per paragraph).
    problems = [str(e) for e in preview.paragraphs.errors if not isinstance(e, dict | list)]
    html = render_template(
        "drafting/import_preview.html", resolution=res, form=preview, rows=rows, problems=problems
    )
    return html, status


# --- amendments: writing ----------------------------------------------------------------------


@bp.route("/resolutions/<int:resolution_id>/amendments/new", methods=["GET", "POST"])
@conference_role(Role.DELEGATE)
def amendment_new(conference: Conference, me: Participant, resolution_id: int) -> Page:
    res = _resolution(conference, resolution_id)
    form = AmendmentForm()
    if request.method == "GET":
        kind = request.args.get("kind", "")
        form.kind.data = kind if kind in AmendmentKind._value2member_map_ else ""
        clause_arg = request.args.get("clause", "")
        form.target.data = int(clause_arg) if clause_arg.isdigit() else None
        form.position.data = request.args.get("position", "")
    return _amendment_form(conference, res, form, me, None)


@bp.route("/amendments/<int:amendment_id>/edit", methods=["GET", "POST"])
@conference_role(Role.DELEGATE)
def amendment_edit(conference: Conference, me: Participant, amendment_id: int) -> Page:
    amendment = _amendment(conference, amendment_id, me)
    if "edit" not in service.allowed_actions(amendment, me):
        flash(_("Only the proposer may edit an amendment, and only while it is a draft."), "error")
        return redirect(_amendment_url(amendment))
    form = AmendmentForm()
    if request.method == "GET":
        form.text.data = amendment.text
        form.justification.data = amendment.justification
        form.position.data = position_value(amendment)
    # The kind and the target of an amendment do not change; the form cannot change them.
    form.kind.data = amendment.kind.value
    form.target.data = amendment.target_clause_id
    return _amendment_form(conference, amendment.resolution, form, me, amendment)


def _amendment_form(
    conference: Conference,
    res: Resolution,
    form: AmendmentForm,
    me: Participant,
    amendment: Amendment | None,
) -> Page:
    numbered = service.numbered_text(res)
    by_id = {c.clause_id: c for c in numbered}
    form.position.choices = select_choices(position_choices(numbered, res.numbering_style))
    kind = form.kind.data if form.kind.data in AmendmentKind._value2member_map_ else ""
    target: Clause | None = None
    if kind in ("replace", "delete") and form.target.data:
        target = db.session.get(Clause, form.target.data)
        if target is None or target.resolution_id != res.id:
            target = None
    if request.method == "GET" and target is not None and target.is_deleted:
        flash(_("This clause has been deleted; it can no longer be amended."), "error")
        target = None
    if request.method == "GET" and target is not None:
        form.expected_version.data = target.version
        if kind == "replace" and amendment is None:
            form.text.data = target.text
    status = 200
    preview_diff = None
    if form.validate_on_submit():
        where = parse_position(form.position.data, res) if kind == "insert" else None
        if kind == "insert" and where is None:
            form.position.errors.append(_("That clause no longer exists. Choose another place."))
            status = 409
        elif form.preview.data:
            if kind == "replace" and target is not None:
                preview_diff = word_diff(target.text, form.text.data)
        else:
            fields: dict[str, Any] = {
                "text": form.text.data if kind != "delete" else "",
                "justification": form.justification.data or "",
                "new_clause_kind": where.kind if where else None,
                "parent": where.parent if where else None,
                "after": where.after if where else None,
                "expected_version": form.expected_version.data,
            }
            try:
                if amendment is None:
                    saved = service.propose_amendment(
                        res, me, kind=AmendmentKind(kind), target=target, **fields
                    )
                else:
                    saved = service.update_amendment(amendment, me, **fields)
            except DraftingError as error:
                _refused(error, form)
                status = 409
                if amendment is not None:
                    amendment = _amendment(conference, amendment.id, me)
                target = db.session.get(Clause, target.id) if target is not None else None
                if isinstance(error, service.StaleError) and target is not None:
                    # Let them save again deliberately against the version now shown.
                    _set_hidden(form.expected_version, target.version)
            else:
                db.session.commit()
                flash(
                    _("Your amendment is saved as a draft. Submit it when it is ready."),
                    "success",
                )
                return redirect(_amendment_url(saved))
    if kind == "replace":
        form.text.label.text = _("New text")
        if target is not None:
            form.text.render_kw = {
                **(form.text.render_kw or {}),
                **_diff_attributes(conference, res, target),
            }
    elif kind == "insert":
        form.text.label.text = _("Text of the new clause")
    current = by_id.get(target.id) if target is not None else None
    return render_template(
        "drafting/amendment_form.html",
        resolution=res,
        form=form,
        kind=kind,
        amendment=amendment,
        target=target,
        target_numbered=current,
        target_reference=_reference(current, res) or _("a deleted clause"),
        clause_options=clause_options(numbered, res.numbering_style),
        preview_diff=preview_diff,
        deadline=conference.amendment_deadline,
    ), status


@bp.post("/resolutions/<int:resolution_id>/diff-preview")
@conference_role(Role.DELEGATE, Role.SECRETARIAT)
def diff_preview(conference: Conference, me: Participant, resolution_id: int) -> Page:
    """The word diff of a clause's current text against the posted text, as an HTML fragment
    (drafting.js shows it live under the textarea)."""
    res = _resolution(conference, resolution_id)
    form = DiffPreviewForm()
    if not form.validate_on_submit():
        return render_template("drafting/_diff_fragment.html", error=True, segments=[]), 400
    clause = db.session.get(Clause, form.clause.data)
    if clause is None or clause.resolution_id != res.id:
        abort(404)
    segments = word_diff(clause.text, form.text.data or "")
    return render_template("drafting/_diff_fragment.html", segments=segments, error=False)


# --- amendments: the page of one, and its transitions ----------------------------------------


@bp.get("/amendments/<int:amendment_id>")
@conference_role()
def amendment(conference: Conference, me: Participant, amendment_id: int) -> Page:
    return _amendment_page(_amendment(conference, amendment_id, me), me)


def _amendment_page(
    amendment: Amendment,
    me: Participant,
    *,
    out_of_order: OutOfOrderForm | None = None,
    invite: InviteSponsorForm | None = None,
    status: int = 200,
) -> tuple[str, int]:
    view = service.amendment_view(amendment, me)
    invite = invite or InviteSponsorForm(formdata=None)
    if "invite" in view.actions:
        candidates = service.sponsor_candidates(amendment)
        invite.participant.choices = select_choices(
            [("", _("Choose a delegate…"))]
            + [
                (str(p.id), p.user.name + (f" ({p.country})" if p.country else ""))
                for p in candidates
            ]
        )
    res = amendment.resolution
    html = render_template(
        "drafting/amendment.html",
        links=DraftLinks(res.conference_id, res.id),
        t=PageText(res.numbering_style),
        resolution=res,
        a=amendment,
        view=view,
        history=service.amendment_history(amendment),
        action_label=audit_labels.action_label,
        sponsors=sorted(amendment.sponsors, key=lambda s: s.invited_at),
        sponsor_status={
            SponsorStatus.INVITED: _("Invited"),
            SponsorStatus.CONFIRMED: _("Confirmed"),
            SponsorStatus.DECLINED: _("Declined"),
        },
        out_of_order=out_of_order or OutOfOrderForm(formdata=None),
        invite=invite,
    )
    return html, status


def _state_changed(amendment: Amendment) -> str:
    return _(
        "This amendment changed while you had the page open: it is now “%(state)s”. "
        "Nothing was done.",
        state=label(AMENDMENT_STATE, amendment.state),
    )


def _transition(
    conference: Conference,
    me: Participant,
    amendment_id: int,
    act: Callable[[Amendment], object],
    done: str,
) -> Response:
    """A button that moves an amendment on. The form carries the state the user saw: if the
    amendment has moved since, nothing is done (the service would refuse most such cases
    anyway, but with a message about the transition rather than about the stale page)."""
    amendment = _amendment(conference, amendment_id, me)
    form = AmendmentActionForm()
    if not form.validate_on_submit():
        flash(_("The form was incomplete. Reload the page and try again."), "error")
        return redirect(_back_to(amendment))
    if form.expected_state.data != amendment.state.value:
        flash(_state_changed(amendment), "error")
        return redirect(_back_to(amendment))
    back = _back_to(amendment)
    try:
        result = act(amendment)
    except DraftingError as error:
        _refused(error)
        return redirect(back)
    db.session.commit()
    flash(done % {"name": service.amendment_name(amendment)}, "success")
    if isinstance(result, list) and result:
        names = ", ".join(service.amendment_name(a) for a in result)
        flash(_("Made obsolete by this adoption: %(names)s.", names=names), "info")
    return redirect(back)


@bp.post("/amendments/<int:amendment_id>/submit")
@conference_role(Role.DELEGATE)
def amendment_submit(conference: Conference, me: Participant, amendment_id: int) -> Page:
    def submit(a: Amendment) -> object:
        return service.submit_amendment(a, me)

    return _transition(
        conference, me, amendment_id, submit, _("%(name)s was submitted to the secretariat.")
    )


@bp.post("/amendments/<int:amendment_id>/discard")
@conference_role(Role.DELEGATE)
def amendment_discard(conference: Conference, me: Participant, amendment_id: int) -> Page:
    amendment = _amendment(conference, amendment_id, me)
    res = amendment.resolution
    form = AmendmentActionForm()
    if not form.validate_on_submit() or form.expected_state.data != amendment.state.value:
        flash(_state_changed(amendment), "error")
        return redirect(_amendment_url(amendment))
    try:
        service.discard_amendment(amendment, me)
    except DraftingError as error:
        _refused(error)
        return redirect(_amendment_url(amendment))
    db.session.commit()
    flash(_("Your draft amendment was discarded."), "success")
    return redirect(_draft_url(res))


@bp.post("/amendments/<int:amendment_id>/withdraw")
@conference_role(Role.DELEGATE)
def amendment_withdraw(conference: Conference, me: Participant, amendment_id: int) -> Page:
    def withdraw(a: Amendment) -> object:
        return service.withdraw_amendment(a, me)

    return _transition(conference, me, amendment_id, withdraw, _("%(name)s was withdrawn."))


@bp.post("/amendments/<int:amendment_id>/admit")
@conference_role(Role.SECRETARIAT)
def amendment_admit(conference: Conference, me: Participant, amendment_id: int) -> Page:
    def admit(a: Amendment) -> object:
        return service.admit_amendment(a, me)

    return _transition(
        conference, me, amendment_id, admit, _("%(name)s was admitted: it can be put to the vote.")
    )


@bp.post("/amendments/<int:amendment_id>/adopt")
@conference_role(Role.CHAIR)
def amendment_adopt(conference: Conference, me: Participant, amendment_id: int) -> Page:
    def adopt(a: Amendment) -> object:
        return service.adopt_by_consent(a, me)

    return _transition(
        conference,
        me,
        amendment_id,
        adopt,
        _("%(name)s was adopted by general consent and applied to the text."),
    )


@bp.post("/amendments/<int:amendment_id>/out-of-order")
@conference_role(Role.SECRETARIAT)
def amendment_out_of_order(conference: Conference, me: Participant, amendment_id: int) -> Page:
    amendment = _amendment(conference, amendment_id, me)
    form = OutOfOrderForm()
    if not form.validate_on_submit():
        return _amendment_page(amendment, me, out_of_order=form)
    if form.expected_state.data != amendment.state.value:
        flash(_state_changed(amendment), "error")
        return redirect(_amendment_url(amendment))
    name = service.amendment_name(amendment)
    try:
        service.rule_out_of_order(amendment, me, form.reason.data)
    except DraftingError as error:
        _refused(error, form)
        amendment = _amendment(conference, amendment_id, me)
        return _amendment_page(amendment, me, out_of_order=form, status=409)
    db.session.commit()
    flash(_("%(name)s was ruled out of order.", name=name), "success")
    return redirect(_amendment_url(amendment))


@bp.post("/amendments/<int:amendment_id>/invite")
@conference_role(Role.DELEGATE)
def amendment_invite(conference: Conference, me: Participant, amendment_id: int) -> Page:
    amendment = _amendment(conference, amendment_id, me)
    form = InviteSponsorForm()
    candidates = {p.id: p for p in service.sponsor_candidates(amendment)}
    form.participant.choices = select_choices(
        [(str(i), p.user.name) for i, p in candidates.items()]
    )
    if not form.validate_on_submit():
        return _amendment_page(amendment, me, invite=form)
    sponsor = candidates[form.participant.data]
    try:
        service.invite_sponsor(amendment, me, sponsor)
    except DraftingError as error:
        _refused(error, form)
        amendment = _amendment(conference, amendment_id, me)
        return _amendment_page(amendment, me, invite=form, status=409)
    db.session.commit()
    flash(_("%(name)s was invited to co-sponsor.", name=sponsor.user.name), "success")
    return redirect(_amendment_url(amendment))


@bp.post("/amendments/<int:amendment_id>/respond")
@conference_role(Role.DELEGATE)
def amendment_respond(conference: Conference, me: Participant, amendment_id: int) -> Page:
    amendment = _amendment(conference, amendment_id, me)
    back = _back_to(amendment)
    form = SponsorResponseForm()
    if not form.validate_on_submit():
        flash(_("Choose to confirm or to decline."), "error")
        return redirect(back)
    accept = bool(form.accept.data)
    name = service.amendment_name(amendment)
    try:
        service.respond_to_sponsorship(amendment, me, accept)
    except DraftingError as error:
        _refused(error)
        return redirect(back)
    db.session.commit()
    if accept:
        flash(_("You are now a co-sponsor of %(name)s.", name=name), "success")
    else:
        flash(_("You declined to co-sponsor %(name)s.", name=name), "success")
    return redirect(back)


# --- the chair's voting order ------------------------------------------------------------------


@bp.route("/resolutions/<int:resolution_id>/vote-order", methods=["GET", "POST"])
@conference_role(Role.CHAIR)
def vote_order(conference: Conference, me: Participant, resolution_id: int) -> Page:
    res = _resolution(conference, resolution_id)
    groups = service.vote_order_groups(res)
    contested = [items for _clause, items in groups if len(items) > 1]
    form = VoteOrderForm()
    status = 200
    if form.validate_on_submit():
        chosen = {e.form.amendment_id.data: e.form.order.data for e in form.entries}
        if set(chosen) != {a.id for items in contested for a in items}:
            flash(
                _(
                    "The admitted amendments changed while you had the page open. Nothing was "
                    "saved: here is the current list."
                ),
                "error",
            )
            status = 409
        else:
            ordered = [
                a.id
                for items in contested
                for _i, a in sorted(enumerate(items), key=lambda p: (chosen[p[1].id], p[0]))
            ]
            try:
                service.set_vote_order(res, me, ordered)
            except DraftingError as error:
                _refused(error)
                status = 409
            else:
                db.session.commit()
                flash(_("The voting order was saved."), "success")
                return redirect(
                    url_for(
                        "drafting.vote_order", conference_id=conference.id, resolution_id=res.id
                    )
                )
    if request.method == "GET" or status == 409:
        form = VoteOrderForm(formdata=None)
        for items in contested:
            for place, a in enumerate(items, start=1):
                form.entries.append_entry({"amendment_id": a.id, "order": place})
    numbered = {c.clause_id: c for c in service.numbered_text(res)}
    return render_template(
        "drafting/vote_order.html",
        resolution=res,
        form=form,
        groups=groups,
        entries={e.form.amendment_id.data: e for e in form.entries},
        label=lambda a: service.amendment_label(a, numbered),
        reference=lambda c: _reference(c, res),
    ), status


# --- reading: history, the text at a moment, the clean text, the projector -------------------


@bp.get("/clauses/<int:clause_id>/history")
@conference_role()
def history(conference: Conference, me: Participant, clause_id: int) -> Page:
    clause = _clause(conference, clause_id)
    rows = []
    previous = None
    for version in service.clause_history(clause):
        diff = word_diff(previous.text, version.text) if previous is not None else None
        rows.append((version, diff, version_reason(version.reason)))
        previous = version
    current = next(
        (c for c in service.numbered_text(clause.resolution) if c.clause_id == clause.id), None
    )
    return render_template(
        "drafting/history.html",
        resolution=clause.resolution,
        clause=clause,
        reference=_reference(current, clause.resolution),
        rows=list(reversed(rows)),
    )


@bp.get("/resolutions/<int:resolution_id>/text-at")
@conference_role()
def text_at(conference: Conference, me: Participant, resolution_id: int) -> Page:
    res = _resolution(conference, resolution_id)
    form = TextAtForm(formdata=request.args)
    polls = db.session.scalars(
        sa.select(Poll)
        .where(Poll.resolution_id == res.id, Poll.opened_at.is_not(None))
        .order_by(Poll.opened_at)
    ).all()
    form.poll.choices = select_choices(
        [("", _("No poll"))]
        + [(str(p.id), f"{p.title} ({format_datetime(p.opened_at, 'short')})") for p in polls]
    )
    numbered: list[NumberedClause] | None = None
    caption = ""
    poll_arg = request.args.get("poll", "")
    if poll_arg.isdigit():
        poll = get_in_conference(Poll, int(poll_arg), conference)
        if poll.resolution_id != res.id:
            abort(404)
        try:
            numbered = service.text_at_poll(poll)
        except DraftingError as error:
            _refused(error)
        else:
            caption = _(
                "The text as it stood when the poll “%(title)s” opened (%(when)s).",
                title=poll.title,
                when=format_datetime(poll.opened_at, "medium") if poll.opened_at else "",
            )
    elif request.args.get("at"):
        if form.validate() and form.at.data is not None:
            moment = local_to_utc(form.at.data)
            numbered = service.text_at(res, moment)
            caption = _("The text as it stood on %(when)s.", when=format_datetime(moment, "medium"))
        else:
            form.at.errors = [_("Enter a date and a time, e.g. 30.11.2026 14:30.")]
    return render_template(
        "drafting/text_at.html",
        resolution=res,
        form=form,
        numbered=numbered,
        caption=caption,
        heading=document_heading(conference),
        has_polls=bool(polls),
    )


@bp.get("/resolutions/<int:resolution_id>/consolidated")
@conference_role()
def consolidated(conference: Conference, me: Participant, resolution_id: int) -> Page:
    res = _resolution(conference, resolution_id)
    adopted = db.session.scalars(
        sa.select(Amendment)
        .where(Amendment.resolution_id == res.id, Amendment.state == AmendmentState.ADOPTED)
        .order_by(Amendment.number)
    ).all()
    return render_template(
        "drafting/consolidated.html",
        resolution=res,
        numbered=service.numbered_text(res),
        heading=document_heading(conference),
        adopted=[service.amendment_name(a) for a in adopted],
    )


@bp.get("/amendments/<int:amendment_id>/preview")
@conference_role()
def amendment_preview(conference: Conference, me: Participant, amendment_id: int) -> Page:
    amendment = _amendment(conference, amendment_id, me)
    res = amendment.resolution
    rows = preview_rows(amendment, service.numbered_text(res), service.amendment_preview(amendment))
    return render_template(
        "drafting/amendment_preview.html",
        resolution=res,
        a=amendment,
        view=service.amendment_view(amendment, me),
        rows=rows,
        heading=document_heading(conference),
    )


# The secretariat's pages (amendments table, resolution settings) add routes to this blueprint.
from resolutions.drafting import secretariat_views  # noqa: E402, F401
