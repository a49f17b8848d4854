"""The secretariat's settings of the conference, and the dateline preview."""

from __future__ import annotations

from datetime import date

from flask import flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from resolutions import audit_labels
from resolutions.auth.access import conference_role
from resolutions.conferences import clock, service
from resolutions.conferences.forms import SettingsForm
from resolutions.conferences.views._common import _form_status, bp
from resolutions.documents.heading import dateline
from resolutions.errors import DomainError
from resolutions.extensions import db
from resolutions.forms import select_choices
from resolutions.models import (
    BallotKind,
    Conference,
    ConferenceState,
    MajorityMethod,
    Participant,
    Role,
    utcnow,
)
from resolutions.refusals import refuse

# --- settings --------------------------------------------------------------------------------


@bp.route("/c/<int:conference_id>/settings", methods=["GET", "POST"])
@conference_role(Role.SECRETARIAT)
def settings(conference: Conference, me: Participant) -> tuple[str, int] | Response:
    form = SettingsForm(obj=None if request.method == "POST" else conference)
    # By the city in the reader's language («Бишкек (Asia/Bishkek)»): typing «Би» finds it.
    zones: list[tuple[str, str]] = []
    for name in service.time_zone_names():
        city = audit_labels.zone_in_words(name)
        zones.append((name, name if city == name else f"{city} ({name})"))
    zones.sort(key=lambda zone: zone[1].casefold())
    form.timezone.choices = select_choices(zones)
    if request.method == "GET":
        form.state.data = conference.state.value
        form.majority_method.data = conference.majority_method.value
        form.ballot_kind.data = conference.ballot_kind.value
        # Entered and shown in the conference's own time zone; stored in UTC.
        form.amendment_deadline.data = clock.to_local(conference, conference.amendment_deadline)
    if form.validate_on_submit() and not conference.is_closed:
        values = service.ConferenceSettings(
            title=form.title.data or "",
            short_name=form.short_name.data or "",
            place=form.place.data or "",
            start_date=form.start_date.data or conference.start_date,
            end_date=form.end_date.data,
            language=form.language.data,
            timezone=form.timezone.data or conference.timezone,
            state=ConferenceState(form.state.data),
            majority_method=MajorityMethod(form.majority_method.data),
            quorum=form.quorum.data or "",
            ballot_kind=BallotKind(form.ballot_kind.data),
            amendment_deadline=clock.from_local(conference, form.amendment_deadline.data),
            proxy_limit=form.proxy_limit.data or 0,
        )
        try:
            changes = service.update_settings(conference, values, me)
        except DomainError as error:
            refuse(error, form)
        else:
            db.session.commit()
            if changes:
                flash(_("The settings have been saved."), "success")
            else:
                flash(_("Nothing was changed."), "info")
            return redirect(url_for(".settings", conference_id=conference.id))
    elif request.method == "POST" and conference.is_closed:
        flash(_("The conference is closed: it can no longer be changed."), "error")
    return render_template(
        "conferences/settings.html",
        form=form,
        now_utc=utcnow(),
        dateline=dateline(
            conference.start_date, conference.end_date, conference.place, conference.language
        ),
    ), _form_status(form)


@bp.get("/c/<int:conference_id>/settings/dateline")
@conference_role(Role.SECRETARIAT)
def dateline_preview(conference: Conference, me: Participant) -> Response:
    """How the date line reads with the values typed so far (the settings page's live
    preview), from the same function the documents use; the saved values fill the gaps."""
    args = request.args
    try:
        start = date.fromisoformat(args.get("start_date", ""))
    except ValueError:
        start = conference.start_date
    try:
        end: date | None = date.fromisoformat(args.get("end_date", ""))
    except ValueError:
        end = None
    if end is not None and end < start:
        end = None
    language = args.get("language") if args.get("language") in ("ru", "en") else None
    place = (args.get("place") or "")[:200]
    text = dateline(start, end, place, language or conference.language)
    return jsonify({"dateline": text})
