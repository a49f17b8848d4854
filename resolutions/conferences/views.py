"""Conference pages: the list of one's conferences, a conference's home page."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user, login_required

from resolutions.auth.access import conference_role
from resolutions.conferences import service
from resolutions.models import Conference, Participant

bp = Blueprint("conferences", __name__)


@bp.get("/")
@login_required
def index() -> str:
    return render_template(
        "conferences/index.html", memberships=service.conferences_of(current_user)
    )


@bp.get("/c/<int:conference_id>/")
@conference_role()
def home(conference: Conference, me: Participant) -> str:
    return render_template("conferences/home.html")
