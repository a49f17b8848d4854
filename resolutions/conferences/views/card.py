"""The access card (public): a participant sets a password from the card's link."""

from __future__ import annotations

from flask import abort, current_app, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user
from werkzeug.wrappers import Response

from resolutions.auth.access import seat_of
from resolutions.auth.forms import CardSignInForm, SetPasswordForm
from resolutions.conferences import service
from resolutions.conferences.forms import PresenceForm
from resolutions.conferences.views._common import _form_status, bp
from resolutions.extensions import db
from resolutions.models import Role
from resolutions.rules.roles import has_role

# --- the access card (public) ----------------------------------------------------------------


@bp.route("/card/<card_token>", methods=["GET", "POST"])
def card(card_token: str) -> str | tuple[str, int] | Response:
    """The QR code on a printed access card.

    For a chair or secretariat member of the card's conference: the participant and a check-in
    button. For the holder or anyone not signed in: sign-in with the e-mail filled in, or, while
    the account has no password yet, a form to set one (the card works like an invitation).
    """
    participant = service.find_card(card_token)
    if participant is None:
        abort(404)
    conference = participant.conference
    home = url_for(".home", conference_id=conference.id)
    if current_user.is_authenticated:
        viewer = seat_of(conference, current_user._get_current_object())
        if viewer is not None and has_role(viewer, Role.CHAIR, Role.SECRETARIAT):
            g.conference, g.me = conference, viewer
            attendance = "voting.attendance"
            return render_template(
                "conferences/card_check_in.html",
                participant=participant,
                presence_form=PresenceForm(),
                attendance_url=url_for(attendance, conference_id=conference.id)
                if attendance in current_app.view_functions
                else None,
            )
        if current_user.id == participant.user_id:
            return redirect(home)
        return render_template("conferences/card_other.html", participant=participant)
    user = participant.user
    if not service.card_signs_in(participant):
        # The account is used in other conferences too: it keeps its own credentials.
        status = 403 if request.method == "POST" else 200
        return render_template("conferences/card_own_account.html", next_url=home), status
    if user.password_hash:
        return redirect(url_for("auth.sign_in", email=user.email, next=home))
    # Until the account has a password the card link is its credential (a 192-bit token,
    # found by equality on its unique index): the holder signs in with one button, and a hall
    # signs in without an argon2 hash each. Choosing a password (for another device) is
    # offered beside it; once one is set, the card leads to the password form.
    card_form = CardSignInForm()
    if card_form.sign_in.data and card_form.validate_on_submit():
        session.clear()
        login_user(user)
        return redirect(home)
    form = SetPasswordForm()
    if not card_form.sign_in.data and form.validate_on_submit():
        if not service.set_password_from_card(participant, form.password.data or ""):
            db.session.rollback()
            flash(_("A password has already been set for this account. Please sign in."), "info")
            return redirect(url_for("auth.sign_in", email=user.email, next=home))
        db.session.commit()
        session.clear()
        login_user(participant.user)
        flash(_("Your password is set. Welcome!"), "success")
        return redirect(home)
    return render_template(
        "conferences/card_set_password.html",
        form=form,
        card_form=card_form,
        participant=participant,
    ), max(_form_status(form), _form_status(card_form))
