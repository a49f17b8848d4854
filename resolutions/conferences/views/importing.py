"""The CSV import of participants: upload, preview, confirmation, and the sample files."""

from __future__ import annotations

from typing import Any

from flask import current_app, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.wrappers import Response

from resolutions import audit_labels
from resolutions.auth.access import conference_role
from resolutions.conferences import csv_import, service
from resolutions.conferences.forms import ImportConfirmForm, ImportUploadForm
from resolutions.conferences.views._common import IMPORT_MAX_AGE, PREVIEW_ROWS, _form_status, bp
from resolutions.errors import DomainError, StaleError
from resolutions.extensions import db
from resolutions.models import Conference, Participant, Role
from resolutions.refusals import refuse

# --- CSV import ------------------------------------------------------------------------------


def _import_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="participants-import")


def _sign_upload(conference: Conference, me: Participant, upload: dict[str, Any]) -> str:
    # The checked file travels back with the confirmation, signed: any process can verify it,
    # and the client cannot change a byte of it without the signature failing.
    return _import_serializer().dumps({"c": conference.id, "u": me.user_id, **upload})


def _load_upload(payload: str, conference: Conference, me: Participant) -> dict[str, Any] | None:
    try:
        data = _import_serializer().loads(payload, max_age=IMPORT_MAX_AGE)
    except BadSignature:
        return None
    if not isinstance(data, dict) or data.get("c") != conference.id or data.get("u") != me.user_id:
        return None
    return data


def _role_counts(rows: list[csv_import.ImportRow]) -> dict[Role, int]:
    counts = {role: 0 for role in Role}
    for row in rows:
        counts[row.role] += 1
    return counts


def _plan(
    conference: Conference, me: Participant, parsed: csv_import.ParsedFile, upload: dict[str, Any]
) -> service.ImportPlan:
    return service.plan_import(
        conference,
        parsed.rows,
        parsed.columns,
        chair_votes=bool(upload["cv"]),
        remove_missing=bool(upload["rm"]),
        actor=me,
    )


@bp.route("/c/<int:conference_id>/participants/import", methods=["GET", "POST"])
@conference_role(Role.SECRETARIAT)
def participants_import(conference: Conference, me: Participant) -> tuple[str, int] | Response:
    upload = ImportUploadForm()
    confirm = ImportConfirmForm()
    if conference.is_closed and request.method == "POST":
        flash(_("The conference is closed: it can no longer be changed."), "error")
    elif confirm.confirm.data and confirm.validate_on_submit():
        data = _load_upload(confirm.payload.data or "", conference, me)
        if data is None:
            flash(_("The preview has expired. Please upload the file again."), "error")
            return render_template("conferences/import.html", upload=upload), 400
        try:
            parsed = csv_import.parse(data["t"])
            plan = _plan(conference, me, parsed, data)
            if parsed.errors or plan.fingerprint() != data["fp"]:
                raise StaleError(
                    _(
                        "The participants have changed since the preview. Upload the file again "
                        "to see what the import would do now."
                    )
                )
            service.apply_import(conference, plan, me, data["f"], data["e"])
        except DomainError as error:  # the file no longer reads, or the preview is stale
            refuse(error)
            return render_template("conferences/import.html", upload=upload), 409
        db.session.commit()
        flash(
            _(
                "Import done: %(added)s added, %(changed)s updated, %(removed)s removed.",
                added=len(plan.added),
                changed=len(plan.changed),
                removed=len(plan.removed),
            ),
            "success",
        )
        return redirect(url_for(".participants", conference_id=conference.id))
    elif upload.validate_on_submit():
        file = upload.file.data
        filename = (file.filename or "")[:200]
        try:
            text, encoding = csv_import.decode(file.read())
            parsed = csv_import.parse(text)
        except csv_import.ImportFileError as error:
            refuse(error, upload)  # next to the file field
        else:
            options = {"cv": bool(upload.chair_votes.data), "rm": bool(upload.remove_missing.data)}
            errors = sorted(parsed.errors, key=lambda e: e.line)
            plan = None
            if not errors:
                try:
                    plan = _plan(conference, me, parsed, options)
                except DomainError as error:
                    errors = [csv_import.RowError(0, error.message)]
            if plan is not None:
                confirm.payload.data = _sign_upload(
                    conference,
                    me,
                    {"f": filename, "t": text, "e": encoding, "fp": plan.fingerprint(), **options},
                )
            return render_template(
                "conferences/import.html",
                upload=upload,
                confirm=confirm,
                parsed=parsed,
                plan=plan,
                errors=errors,
                error_lines=sorted({e.line for e in errors}),
                filename=filename,
                encoding=encoding,
                counts=_role_counts(parsed.rows),
                preview_rows=PREVIEW_ROWS,
                field_labels=IMPORT_FIELD_LABELS,
            ), (200 if not errors else 422)
    return render_template("conferences/import.html", upload=upload), _form_status(upload)


# The participant fields an import changes, named as the audit log names them (one home).
IMPORT_FIELD_LABELS = {
    name: audit_labels.DETAIL[name]
    for name in ("name", "role", "organisation", "country", "delegation", "voting_right", "weight")
}


@bp.get("/c/<int:conference_id>/participants/import/sample-<any(ru, en):language>.csv")
@conference_role(Role.SECRETARIAT)
def participants_import_sample(conference: Conference, me: Participant, language: str) -> Response:
    data = csv_import.write(csv_import.SAMPLE_ROWS[language], language)
    response = make_response(data)
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = (
        f'attachment; filename="participants-sample-{language}.csv"'
    )
    return response
