"""Site administration: only a site administrator creates conferences."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from resolutions.admin.forms import ConferenceCreateForm
from resolutions.conferences import service
from resolutions.extensions import db
from resolutions.models import Conference

bp = Blueprint("admin", __name__, url_prefix="/admin")


def admin_required(view: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(view)
    @login_required
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_admin:
            abort(403)
        return view(*args, **kwargs)

    return wrapped


@bp.get("/")
@admin_required
def conferences() -> str:
    rows = db.session.scalars(sa.select(Conference).order_by(Conference.start_date.desc()))
    return render_template("admin/conferences.html", conferences=list(rows))


@bp.route("/conferences/new", methods=["GET", "POST"])
@admin_required
def create_conference() -> str | Response:
    form = ConferenceCreateForm()
    if form.validate_on_submit():
        service.create_conference(
            actor=current_user,
            title=form.title.data,
            short_name=form.short_name.data,
            place=form.place.data or "",
            start_date=form.start_date.data,
            end_date=form.end_date.data,
            language=form.language.data,
            secretariat_email=form.secretariat_email.data,
            secretariat_name=form.secretariat_name.data,
        )
        db.session.commit()
        flash(_("The conference has been created."), "success")
        return redirect(url_for("admin.conferences"))
    return render_template("admin/create_conference.html", form=form)
