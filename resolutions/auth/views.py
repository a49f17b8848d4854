"""Sign-in, sign-out, invitations, password and language."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.wrappers import Response

from resolutions.auth import service
from resolutions.auth.forms import ChangePasswordForm, LanguageForm, SetPasswordForm, SignInForm
from resolutions.conferences import service as conference_service
from resolutions.extensions import db, limiter
from resolutions.rules.accounts import normalise_email

bp = Blueprint("auth", __name__)


# Only failed sign-ins count (a hall of delegates behind one address signs in freely). The
# per-account limit is kept per address too: a guesser slows down the account only from the
# guesser's own address, and the owner elsewhere is never locked out.
def _address_key() -> str:
    return "sign-in-failures:" + (request.remote_addr or "")


def _account_key() -> str:
    account = normalise_email(request.form.get("email", ""))
    return f"sign-in-failures:{request.remote_addr or ''}:{account}"


def _sign_in_failed(response: Response) -> bool:
    return bool(g.get("sign_in_failed"))


def _safe_next(target: str | None) -> str:
    # Only a path on this site: an open redirect would help phishing.
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") and "\\" not in target:
            return target
    return url_for("conferences.index")


@bp.route("/sign-in", methods=["GET", "POST"])
@limiter.limit(
    lambda: current_app.config["SIGN_IN_FAILURES_PER_ADDRESS"],
    key_func=_address_key,
    methods=["POST"],
    deduct_when=_sign_in_failed,
    error_message="address",
)
@limiter.limit(
    lambda: current_app.config["SIGN_IN_FAILURES_PER_ACCOUNT"],
    key_func=_account_key,
    methods=["POST"],
    deduct_when=_sign_in_failed,
    error_message="account",
)
def sign_in() -> str | Response:
    if current_user.is_authenticated:
        return redirect(url_for("conferences.index"))
    form = SignInForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
        form.email.data = request.args.get("email", "")
    if form.validate_on_submit():
        user = service.authenticate(form.email.data or "", form.password.data or "")
        if user is not None:
            db.session.commit()  # a rehashed password, if any
            session.clear()
            login_user(user)
            if not form.next.data:
                # A member of exactly one conference lands in it.
                memberships = conference_service.conferences_of(user)
                if len(memberships) == 1:
                    conference = memberships[0][0]
                    return redirect(url_for("conferences.home", conference_id=conference.id))
            return redirect(_safe_next(form.next.data))
        code = service.find_one_time_password(form.email.data or "", form.password.data or "")
        if code is not None:
            # A one-time password from the secretariat: now choose your own.
            return redirect(url_for("auth.invitation", token=(form.password.data or "").strip()))
        form.password.errors = [_("Wrong e-mail or password.")]
    if request.method == "POST":
        g.sign_in_failed = True  # counted by the limits above, after this response
    return render_template("auth/sign_in.html", form=form)


@bp.post("/sign-out")
def sign_out() -> Response:
    # A POST with CSRF, so that a link on another site cannot sign anyone out.
    LanguageForm().validate_on_submit() or abort(400)
    if current_user.is_authenticated:
        # Ended on the server too: a copy of the session cookie no longer works.
        service.end_sessions(current_user._get_current_object())
        db.session.commit()
    logout_user()
    session.clear()
    flash(_("You have signed out on this and every other device."), "info")
    return redirect(url_for("auth.sign_in"))


@bp.route("/invitation/<token>", methods=["GET", "POST"])
def invitation(token: str) -> str | tuple[str, int] | Response:
    form = SetPasswordForm()
    found = service.find_invitation(token)
    if found is None:
        return render_template("auth/invitation_invalid.html"), 410
    if request.method == "GET" and found.opened_at is None:
        service.mark_invitation_opened(found)  # shown to the secretariat as "opened"
        db.session.commit()
    if form.validate_on_submit():
        user = service.redeem_invitation(token, form.password.data or "")
        if user is None:
            db.session.rollback()
            return render_template("auth/invitation_invalid.html"), 410
        db.session.commit()
        session.clear()
        login_user(user)
        flash(_("Your password is set. Welcome!"), "success")
        return redirect(url_for("conferences.index"))
    return render_template("auth/invitation.html", form=form, user=found.user)


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password() -> str | Response:
    form = ChangePasswordForm()
    if form.validate_on_submit():
        if not service.check_password(current_user, form.current.data or ""):
            form.current.errors = [_("The current password is wrong.")]
        else:
            # The real user, not the proxy: login_user(current_user) would store the proxy
            # in g and make every later current_user lookup recurse until the process crashes.
            user = current_user._get_current_object()
            service.set_password(user, form.password.data or "")
            db.session.commit()
            login_user(user)  # the session version changed; keep this session
            flash(_("Your password has been changed. Other sessions were signed out."), "success")
            return redirect(url_for("conferences.index"))
    return render_template("auth/change_password.html", form=form)


@bp.post("/language/<code>")
def set_language(code: str) -> Response:
    if code not in current_app.config["LANGUAGES"]:
        abort(404)
    LanguageForm().validate_on_submit() or abort(400)
    session["locale"] = code
    if current_user.is_authenticated:
        current_user.locale = code
        db.session.commit()
    return redirect(_safe_next(request.form.get("next")))


@bp.errorhandler(429)
def too_many_attempts(error: Exception) -> tuple[str, int]:
    form = SignInForm()
    form.email.data = request.form.get("email", "")
    if getattr(error, "description", "") == "account":
        message = _(
            "Too many wrong passwords for this account from your network. Please wait 15 "
            "minutes and try again, or sign in from another network."
        )
    else:
        message = _("Too many sign-in attempts. Please wait 15 minutes and try again.")
    # Not validated, so the field's errors are still an empty tuple: assign, do not append.
    form.password.errors = [message]
    return render_template("auth/sign_in.html", form=form), 429
