"""Amendments: proposing and editing them, their page and transitions, co-sponsors, the
secretariat's and the chair's rulings, the chair's voting order.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from resolutions import audit_labels
from resolutions.auth.access import conference_role
from resolutions.drafting import service
from resolutions.drafting.forms import (
    AmendmentActionForm,
    AmendmentForm,
    InviteSponsorForm,
    OutOfOrderForm,
    SponsorResponseForm,
    VoteOrderForm,
)
from resolutions.drafting.presentation import (
    DraftLinks,
    PageText,
    clause_options,
    language_names,
    parse_position,
    position_choices,
    position_value,
    translation_label,
)
from resolutions.drafting.text import word_diff
from resolutions.drafting.views._common import (
    Page,
    _amendment,
    _amendment_url,
    _back_to,
    _diff_attributes,
    _draft_url,
    _reference,
    _resolution,
    _set_hidden,
    bp,
)
from resolutions.errors import DomainError, StaleError
from resolutions.extensions import db
from resolutions.forms import select_choices
from resolutions.labels import AMENDMENT_STATE, label
from resolutions.models import (
    Amendment,
    AmendmentKind,
    Clause,
    Conference,
    Participant,
    Resolution,
    Role,
    SponsorStatus,
)
from resolutions.refusals import refuse
from resolutions.rules.languages import second_language

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
        form.translation.data = amendment.translation
        form.justification.data = amendment.justification
        form.position.data = position_value(amendment)
    # The kind and the target of an amendment do not change; the form cannot change them.
    form.kind.data = amendment.kind.value
    form.target.data = amendment.target_clause_id
    return _amendment_form(conference, amendment.resolution, form, me, amendment)


def _amendment_target(
    res: Resolution, form: AmendmentForm, kind: str, amendment: Amendment | None
) -> Clause | None:
    """The clause a replace or delete amends (None if it is not in this resolution); on a
    GET, the form starts from its version and, for a new replace, from its text."""
    target: Clause | None = None
    if kind in ("replace", "delete") and form.target.data:
        target = service.clause_of(res, form.target.data)
    if request.method == "GET" and target is not None and target.is_deleted:
        flash(_("This clause has been deleted; it can no longer be amended."), "error")
        target = None
    if request.method == "GET" and target is not None:
        form.expected_version.data = target.version
        if kind == "replace" and amendment is None:
            form.text.data = target.text
    return target


def _label_text(
    conference: Conference, res: Resolution, form: AmendmentForm, kind: str, target: Clause | None
) -> None:
    """The text field says what it holds; a replace's shows its diff against the target."""
    if kind == "replace":
        form.text.label.text = _("New text")
        if target is not None:
            form.text.render_kw = {
                **(form.text.render_kw or {}),
                **_diff_attributes(conference, res, target),
            }
    elif kind == "insert":
        form.text.label.text = _("Text of the new clause")


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
    kind = form.kind.data or ""
    kind = kind if kind in AmendmentKind._value2member_map_ else ""
    target = _amendment_target(res, form, kind, amendment)
    status = 200
    preview_diff = None
    if form.validate_on_submit():
        where = parse_position(form.position.data, res) if kind == "insert" else None
        if kind == "insert" and where is None:
            form.position.errors = [_("That clause no longer exists. Choose another place.")]
            status = 409
        elif form.preview.data:
            try:
                # Warned at the preview already, not only when saving (the same check).
                service.check_target_version(target, form.expected_version.data)
            except StaleError as error:
                status = refuse(error, form)
                target = service.clause_of(res, target.id) if target is not None else None
                if target is not None:
                    _set_hidden(form.expected_version, target.version)
            else:
                if kind == "replace" and target is not None:
                    preview_diff = word_diff(target.text, form.text.data or "")
        else:
            fields: dict[str, Any] = {
                "text": form.text.data if kind != "delete" else "",
                "translation": form.translation.data if kind != "delete" else "",
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
            except DomainError as error:
                refuse(error, form)
                status = 409
                if amendment is not None:
                    amendment = _amendment(conference, amendment.id, me)
                target = service.clause_of(res, target.id) if target is not None else None
                if isinstance(error, StaleError) and target is not None:
                    # Let them save again deliberately against the version now shown.
                    _set_hidden(form.expected_version, target.version)
            else:
                db.session.commit()
                flash(
                    _("Your amendment is saved as a draft. Submit it when it is ready."),
                    "success",
                )
                return redirect(_amendment_url(saved))
    _label_text(conference, res, form, kind, target)
    form.translation.label.text = translation_label(conference)
    form.translation.render_kw = {
        **(form.translation.render_kw or {}),
        "lang": second_language(conference),
        "rows": 4,
    }
    current = by_id.get(target.id) if target is not None else None
    return render_template(
        "drafting/amendment_form.html",
        second_language_name=language_names(conference)["second"],
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
        second_language=second_language(res.conference),
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
    except DomainError as error:
        refuse(error)
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
    except DomainError as error:
        refuse(error)
        return redirect(_amendment_url(amendment))
    db.session.commit()
    flash(_("Your draft amendment was discarded."), "success")
    return redirect(_draft_url(res))


@bp.post("/amendments/<int:amendment_id>/withdraw")
@conference_role(Role.DELEGATE)
def amendment_withdraw(conference: Conference, me: Participant, amendment_id: int) -> Page:
    def withdraw(a: Amendment) -> None:
        service.withdraw_amendment(a, me)

    return _transition(conference, me, amendment_id, withdraw, _("%(name)s was withdrawn."))


@bp.post("/amendments/<int:amendment_id>/admit")
@conference_role(Role.SECRETARIAT)
def amendment_admit(conference: Conference, me: Participant, amendment_id: int) -> Page:
    def admit(a: Amendment) -> None:
        service.admit_amendment(a, me)

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
        service.rule_out_of_order(amendment, me, form.reason.data or "")
    except DomainError as error:
        refuse(error, form)
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
    except DomainError as error:
        refuse(error, form)
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
    except DomainError as error:
        refuse(error)
        return redirect(back)
    db.session.commit()
    author = amendment.proposer.user.name
    if amendment.number is None:  # a draft has no name of its own yet: say whose it is
        if accept:
            message = _("You are now a co-sponsor of the draft amendment by %(name)s.", name=author)
        else:
            message = _("You declined to co-sponsor the draft amendment by %(name)s.", name=author)
        flash(message, "success")
    elif accept:
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
            except DomainError as error:
                refuse(error)
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
