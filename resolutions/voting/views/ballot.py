"""The delegate's pages: the ballot and casting a vote, checking in, proxies."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from werkzeug.wrappers import Response

from resolutions.auth.access import conference_role, get_in_conference
from resolutions.errors import DomainError
from resolutions.models import (
    Choice,
    Conference,
    Participant,
    Poll,
    PollState,
    Proxy,
    Role,
)
from resolutions.refusals import refusal_json, refuse, refuse_and_redirect
from resolutions.voting import attendance, live, service
from resolutions.voting.forms import ActionForm, CastForm, ProxyForm, new_idempotency_key
from resolutions.voting.views._common import (
    _accept,
    _is_fragment,
    _live_attrs,
    _wants_json,
    bp,
)

# --- ballot ----------------------------------------------------------------------------------


@bp.get("/vote")
@conference_role(Role.DELEGATE)
def ballot(conference: Conference, me: Participant) -> str:
    """The delegate's page: the open poll, their ballot(s), the receipt; proxies and check-in."""
    attrs = _live_attrs(conference, "ballot")
    poll = service.last_opened_poll(conference.id)
    context = _ballot_context(conference, me, poll)
    template = "voting/_ballot_live.html" if _is_fragment() else "voting/ballot.html"
    return render_template(template, **attrs, **context)


def _ballot_context(conference: Conference, me: Participant, poll: Poll | None) -> dict[str, Any]:
    voters: list[dict[str, Any]] = []
    if poll is not None and poll.state == PollState.OPEN:
        mine = service.my_votes(poll, me)
        for held in service.castable(poll.id, me):
            voter = _voter(held.participant, held.weight, me)
            voter["record"] = mine.get(held.participant.id)
            voters.append(voter)
    pending = [v for v in voters if v["record"] is None]
    holds = attendance.proxies_held(me)
    given = attendance.proxy_given(me)
    # The ballots this delegate would cast if a poll opened now (the script's template).
    potential = [_voter(me, me.weight, me)] if me.voting_right and me.present else []
    potential += [_voter(proxy.principal, proxy.principal.weight, me) for proxy in holds]
    return {
        "potential": potential,
        "poll": poll,
        "public": live.public_poll_context(poll) if poll is not None else None,
        "result": (
            service.poll_result(poll)
            if poll is not None and poll.state == PollState.PUBLISHED
            else None
        ),
        "voters": voters,
        "pending": pending,
        "cast_form": CastForm(formdata=None, idempotency_key=new_idempotency_key()),
        "check_in_form": ActionForm(formdata=None),
        "holds": holds,
        "given": given,
        "roll_call_open": conference.roll_call_open,
    }


def _voter(participant: Participant, weight: int, me: Participant) -> dict[str, Any]:
    return {
        "id": participant.id,
        "name": participant.name,
        "delegation": participant.delegation,
        "weight": weight,
        "is_me": participant.id == me.id,
        "record": None,
    }


@bp.post("/polls/<int:poll_id>/ballot")
@conference_role(Role.DELEGATE)
def cast(conference: Conference, me: Participant, poll_id: int) -> Any:
    """Record a ballot; POST-redirect-GET without JavaScript, JSON for the page's script.

    The poll is not loaded here: ``cast_ballot`` locks it and refuses a poll of another
    conference (the caster is a member of the conference in the URL), one query fewer on the
    busiest request of the sitting.
    """
    form = CastForm()
    if not form.validate_on_submit():
        message = next(iter(e for errors in form.errors.values() for e in errors), "")
        if _wants_json():
            return jsonify(ok=False, message=str(message)), 400
        flash(str(message) or _("The ballot could not be read. Please try again."), "error")
        return redirect(url_for("voting.ballot", conference_id=conference.id))
    # Read before the commit expires them: afterwards each would cost a query.
    my_id, my_name, conference_id = me.id, me.name, conference.id
    wanted = form.for_.data or None
    if form.for_all.data == "1" and not wanted:
        # The script built this form before knowing of a late proxy: every ballot I hold.
        wanted = [held.participant.id for held in service.castable(poll_id, me)] or None
    try:
        receipt = service.cast_ballot(
            poll_id,
            me,
            Choice(form.choice.data or ""),
            for_participant_ids=wanted,
            idempotency_key=form.idempotency_key.data or None,
        )
    except DomainError as error:
        if _wants_json():
            return refusal_json(error)
        # The voter reads why (no proxy, not entitled): never a bare 403 page on the ballot.
        return refuse_and_redirect(
            error, url_for("voting.ballot", conference_id=conference_id), explain_permission=True
        )
    # The caster's own name needs no query (their user is the signed-in one, already loaded).
    names = (
        [my_name]
        if receipt.recorded == [my_id]
        else service.participant_names(receipt.recorded, conference_id)
    )
    if receipt.already_recorded:
        message = _("Already recorded. Your receipt: %(receipt)s", receipt=receipt.receipt)
    else:
        message = ngettext(
            "Your vote has been recorded. Receipt: %(receipt)s",
            "Your %(num)d votes have been recorded. Receipt: %(receipt)s",
            len(receipt.recorded),
            receipt=receipt.receipt,
        )
    if _wants_json():
        return jsonify(
            ok=True,
            receipt=receipt.receipt,
            recorded=receipt.recorded,
            names=names,
            already_recorded=receipt.already_recorded,
            message=message,
        )
    flash(message, "success")
    return redirect(url_for("voting.ballot", conference_id=conference_id))


@bp.post("/check-in")
@conference_role(Role.DELEGATE)
def self_check_in(conference: Conference, me: Participant) -> Response:
    """A delegate checks themself in while the chair's roll call is open."""
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        attendance.self_check_in(conference, me)
    except DomainError as error:
        return refuse_and_redirect(error, url_for("voting.ballot", conference_id=conference.id))
    return _accept(conference, _("You are checked in. Welcome!"), "voting.ballot")


# --- proxies ---------------------------------------------------------------------------------


@bp.route("/proxies", methods=["GET", "POST"])
@conference_role(Role.DELEGATE)
def proxies(conference: Conference, me: Participant) -> Any:
    """Give my vote to another present delegate; see whom I hold proxies for; revoke."""
    form = ProxyForm()
    candidates = attendance.proxy_candidates(me)
    form.holder.choices = [(0, _("Choose a delegate"))] + [
        (p.id, _proxy_label(p)) for p in candidates
    ]
    if request.method == "POST" and form.validate_on_submit():
        holder = get_in_conference(Participant, form.holder.data, conference)
        try:
            attendance.give_proxy(me, holder)
        except DomainError as error:
            error.field = error.field or "holder"  # every refusal of a proxy is about the holder
            refuse(error, form)
            return (
                render_template("voting/proxies.html", **_proxies_context(me, form, candidates)),
                400,
            )
        else:
            message = _("%(name)s will vote for you.", name=holder.name)
            return _accept(conference, message, "voting.proxies")
    elif request.method == "POST":
        return (
            render_template("voting/proxies.html", **_proxies_context(me, form, candidates)),
            400,
        )
    return render_template("voting/proxies.html", **_proxies_context(me, form, candidates))


def _proxies_context(
    me: Participant, form: ProxyForm, candidates: list[Participant]
) -> dict[str, Any]:
    return {
        "form": form,
        "candidates": candidates,
        "given": attendance.proxy_given(me),
        "holds": attendance.proxies_held(me),
        "revoke_form": ActionForm(formdata=None),
        "poll_open": service.poll_now_open(me.conference_id) is not None,
    }


def _proxy_label(participant: Participant) -> str:
    parts = [participant.name]
    if participant.delegation:
        parts.append(participant.delegation)
    elif participant.country:
        parts.append(participant.country)
    return " · ".join(parts)


@bp.post("/proxies/<int:proxy_id>/revoke")
@conference_role(Role.DELEGATE)
def revoke_proxy(conference: Conference, me: Participant, proxy_id: int) -> Response:
    proxy = get_in_conference(Proxy, proxy_id, conference)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        attendance.revoke_proxy(proxy, me)
    except DomainError as error:
        return refuse_and_redirect(error, url_for("voting.proxies", conference_id=conference.id))
    return _accept(conference, _("The proxy has been revoked."), "voting.proxies")
