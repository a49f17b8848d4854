"""Site administration: only a site administrator creates, archives and deletes conferences.

Inside a conference the administrator acts as its secretariat (``resolutions.auth.access``),
so the names in the list open the conference itself.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from resolutions.admin.forms import ArchiveForm, ConferenceCreateForm, DeleteConferenceForm
from resolutions.auth.access import seat_of
from resolutions.conferences import service
from resolutions.conferences.views import send_invitations
from resolutions.errors import DomainError
from resolutions.extensions import db
from resolutions.models import Conference
from resolutions.refusals import refuse

bp = Blueprint("admin", __name__, url_prefix="/admin")


def admin_required(view: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(view)
    @login_required
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_admin:
            abort(403)
        return view(*args, **kwargs)

    return wrapped


def _conference(conference_id: int) -> Conference:
    conference = service.find_conference(conference_id)
    if conference is None:
        abort(404)
    return conference


@bp.get("/")
@admin_required
def conferences() -> str:
    archived = request.args.get("archived") == "1"
    return render_template(
        "admin/conferences.html",
        conferences=service.admin_conferences(archived=archived),
        archived=archived,
        archive_form=ArchiveForm(),
    )


@bp.route("/conferences/new", methods=["GET", "POST"])
@admin_required
def create_conference() -> str | Response:
    form = ConferenceCreateForm()
    if form.validate_on_submit() and form.start_date.data:
        admin = current_user._get_current_object()
        conference = service.create_conference(
            actor=admin,
            title=form.title.data or "",
            short_name=form.short_name.data or "",
            place=form.place.data or "",
            start_date=form.start_date.data,
            end_date=form.end_date.data,
            language=form.language.data,
            secretariat_email=form.secretariat_email.data or "",
            secretariat_name=form.secretariat_name.data or "",
        )
        member = service.secretariat_members(conference)[0]
        db.session.commit()
        outcome = None
        if not member.user.password_hash:
            # The administrator invites as the conference's stand-in secretariat.
            seat = seat_of(conference, admin)
            assert seat is not None  # an administrator always has a seat
            outcome = send_invitations(conference, [member], seat)[0]
        response = make_response(
            render_template(
                "admin/conference_created.html",
                conference=conference,
                member=member,
                outcome=outcome,
                link=url_for("auth.invitation", token=outcome.token, _external=True)
                if outcome is not None and outcome.token
                else None,
                days=current_app.config["INVITATION_DAYS"],
                mail_to_files=current_app.config["MAIL_BACKEND"] == "file",
            )
        )
        response.headers["Cache-Control"] = "no-store"  # the link is shown once
        return response
    return render_template("admin/create_conference.html", form=form)


@bp.post("/conferences/<int:conference_id>/archive")
@admin_required
def archive_conference(conference_id: int) -> Response:
    conference = _conference(conference_id)
    form = ArchiveForm()
    if not form.validate_on_submit():
        abort(400)
    archived = form.archived.data == "1"
    service.set_archived(conference, archived, current_user._get_current_object())
    db.session.commit()
    if archived:
        flash(_("%(title)s has been archived.", title=conference.title), "success")
    else:
        flash(_("%(title)s is back in the list.", title=conference.title), "success")
    return redirect(url_for(".conferences", archived="1" if not archived else None))


@bp.route("/conferences/<int:conference_id>/delete", methods=["GET", "POST"])
@admin_required
def delete_conference(conference_id: int) -> str | tuple[str, int] | Response:
    conference = _conference(conference_id)
    form = DeleteConferenceForm()
    if form.validate_on_submit():
        if (form.short_name.data or "").strip() != conference.short_name:
            form.short_name.errors = [_("Type the short name exactly as shown.")]
        else:
            title = conference.title
            try:
                service.delete_conference(conference, current_user._get_current_object())
            except DomainError as error:
                refuse(error)
            else:
                db.session.commit()
                flash(_("%(title)s has been deleted.", title=title), "success")
                return redirect(url_for(".conferences"))
    return render_template(
        "admin/delete_conference.html",
        conference=conference,
        form=form,
        deletable=not service.has_polls(conference),
        summary=service.participant_summary(conference),
    ), (400 if request.method == "POST" else 200)
