"""Forms of the secretariat's pages: settings, participants, CSV import, access, check-in."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    EmailField,
    HiddenField,
    IntegerField,
    SearchField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
)
from wtforms.validators import (
    AnyOf,
    DataRequired,
    Email,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from resolutions import labels
from resolutions.conferences.csv_import import MAX_WEIGHT
from resolutions.forms import LANGUAGE_CHOICES, select_choices


class SettingsForm(FlaskForm):
    title = StringField(
        _l("Full title"), validators=[DataRequired(_l("Enter the title.")), Length(max=300)]
    )
    short_name = StringField(
        _l("Short name"), validators=[DataRequired(_l("Enter a short name.")), Length(max=60)]
    )
    place = StringField(_l("Place"), validators=[Length(max=200)])
    start_date = DateField(
        _l("First day"), validators=[DataRequired(_l("Enter the date of the first day."))]
    )
    end_date = DateField(_l("Last day"), validators=[Optional()])
    language = SelectField(_l("Working language"), choices=select_choices(LANGUAGE_CHOICES))
    timezone = SelectField(_l("Time zone"), choices=[], validate_choice=False)
    state = SelectField(_l("Stage"), choices=select_choices(labels.CONFERENCE_STATE))
    majority_method = SelectField(
        _l("Majority method"), choices=select_choices(labels.MAJORITY_METHOD)
    )
    quorum = StringField(
        _l("Quorum"),
        validators=[DataRequired(_l("Enter the quorum (0 for none).")), Length(max=20)],
    )
    ballot_kind = SelectField(_l("Ballot by default"), choices=select_choices(labels.BALLOT_KIND))
    amendment_deadline = DateTimeLocalField(
        _l("Amendment deadline"),
        format="%Y-%m-%dT%H:%M",
        validators=[Optional()],
    )
    proxy_limit = IntegerField(
        _l("Proxies one delegate may hold"),
        validators=[
            InputRequired(_l("Enter a number from 0 to 10.")),
            NumberRange(0, 10, _l("Enter a number from 0 to 10.")),
        ],
    )
    submit = SubmitField(_l("Save settings"))

    def validate_end_date(self, field: DateField) -> None:
        if field.data and self.start_date.data and field.data < self.start_date.data:
            raise ValidationError(_l("The last day cannot be before the first day."))


ROLE_CHOICES = select_choices(labels.ROLE)


class ParticipantForm(FlaskForm):
    """Add a participant (``email`` is removed when editing: it names the account)."""

    name = StringField(_l("Name"), validators=[DataRequired(_l("Enter a name.")), Length(max=200)])
    email = EmailField(
        _l("E-mail"),
        validators=[
            DataRequired(_l("Enter an e-mail.")),
            Email(_l("Enter a valid e-mail.")),
            Length(max=254),
        ],
    )
    role = SelectField(_l("Role"), choices=ROLE_CHOICES, default="delegate")
    organisation = StringField(_l("Organisation"), validators=[Length(max=200)])
    country = StringField(_l("Country"), validators=[Length(max=100)])
    delegation = StringField(_l("Delegation"), validators=[Length(max=200)])
    voting_right = BooleanField(_l("Has a voting right"), default=True)
    weight = IntegerField(
        _l("Vote weight"),
        default=1,
        validators=[
            InputRequired(_l("Enter the weight (1 for one vote).")),
            NumberRange(
                1,
                MAX_WEIGHT,
                _l("The weight must be a whole number from 1 to %(max)s.", max=MAX_WEIGHT),
            ),
        ],
    )
    submit = SubmitField(_l("Save"))


class ParticipantEditForm(ParticipantForm):
    # WTForms drops an inherited field set to None; its stubs cannot say so.
    email = None  # type: ignore[assignment]


class ParticipantFilterForm(FlaskForm):
    """The list's search and filters, read from the query string (a GET form, no token)."""

    class Meta:
        csrf = False

    q = SearchField(_l("Search"), validators=[Optional(), Length(max=100)])
    role = SelectField(_l("Role"), choices=[], validate_choice=False)
    country = SelectField(_l("Country"), choices=[], validate_choice=False)
    delegation = SelectField(_l("Delegation"), choices=[], validate_choice=False)


class AuditFilterForm(FlaskForm):
    """The audit log's filters, read from the query string (a GET form, no token)."""

    class Meta:
        csrf = False

    action = SelectField(_l("Action"), choices=[], validate_choice=False)
    actor = SelectField(_l("Who"), choices=[], validate_choice=False)
    since = DateField(_l("From"), validators=[Optional()])
    until = DateField(_l("To"), validators=[Optional()])

    def validate_until(self, field: DateField) -> None:
        if field.data and self.since.data and field.data < self.since.data:
            raise ValidationError(_l("The end of the period is before its start."))


class ConfirmForm(FlaskForm):
    """A button that only needs the CSRF token (remove a participant)."""

    submit = SubmitField(_l("Remove"))


class AccessForm(FlaskForm):
    kind = HiddenField(validators=[AnyOf(("invitation", "password"))])


class PresenceForm(FlaskForm):
    present = HiddenField(validators=[AnyOf(("1", "0"))])
    back = HiddenField(default="card", validators=[Optional(), AnyOf(("card", "edit"))])


class InviteForm(FlaskForm):
    """E-mail invitations: to the ticked people, or to everyone without a password yet."""

    participant = SelectMultipleField(coerce=int, choices=[], validate_choice=False)
    invite_selected = SubmitField(_l("Send invitations to the selected"))
    invite_all = SubmitField(_l("Invite everyone without access"))


class ImportUploadForm(FlaskForm):
    file = FileField(
        _l("CSV file"), validators=[FileRequired(_l("Choose the CSV file to upload."))]
    )
    chair_votes = BooleanField(_l("The chair has a vote"), default=False)
    remove_missing = BooleanField(_l("Remove participants who are not in the file"))
    upload = SubmitField(_l("Check the file"))


class ImportConfirmForm(FlaskForm):
    payload = HiddenField(validators=[DataRequired()])
    confirm = SubmitField(_l("Import the participants"))


class StageForm(FlaskForm):
    """Move the conference on: start the sitting, or close it (``confirm`` ticked)."""

    stage = HiddenField(validators=[AnyOf(("voting", "closed"))])
    confirm = BooleanField(_l("Yes: closing is final, everything becomes read-only"))
    back = HiddenField(default="home", validators=[Optional(), AnyOf(("home", "console"))])

    def validate_confirm(self, field: BooleanField) -> None:
        if self.stage.data == "closed" and not field.data:
            raise ValidationError(_l("Tick the box to confirm that the conference closes."))
