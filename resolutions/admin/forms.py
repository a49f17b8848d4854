from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, EmailField, HiddenField, SelectField, StringField, SubmitField
from wtforms.validators import AnyOf, DataRequired, Email, Length, Optional, ValidationError

from resolutions.forms import LANGUAGE_CHOICES, select_choices


class ConferenceCreateForm(FlaskForm):
    title = StringField(
        _l("Full title"),
        validators=[DataRequired(_l("Enter the title.")), Length(max=300)],
    )
    short_name = StringField(
        _l("Short name"),
        validators=[DataRequired(_l("Enter a short name.")), Length(max=60)],
    )
    place = StringField(_l("Place"), validators=[Length(max=200)])
    start_date = DateField(
        _l("First day"), validators=[DataRequired(_l("Enter the date of the first day."))]
    )
    end_date = DateField(_l("Last day"), validators=[Optional()])
    language = SelectField(
        _l("Working language"), choices=select_choices(LANGUAGE_CHOICES), default="ru"
    )
    secretariat_name = StringField(
        _l("Secretariat member: name"),
        validators=[DataRequired(_l("Enter a name.")), Length(max=200)],
    )
    secretariat_email = EmailField(
        _l("Secretariat member: e-mail"),
        validators=[
            DataRequired(_l("Enter an e-mail.")),
            Email(_l("Enter a valid e-mail.")),
            Length(max=254),
        ],
    )
    submit = SubmitField(_l("Create conference"))

    def validate_end_date(self, field: DateField) -> None:
        if field.data and self.start_date.data and field.data < self.start_date.data:
            raise ValidationError(_l("The last day cannot be before the first day."))


class ArchiveForm(FlaskForm):
    archived = HiddenField(validators=[AnyOf(("1", "0"))])


class DeleteConferenceForm(FlaskForm):
    """Deleting needs the conference's short name typed in: a second look at which one it is."""

    short_name = StringField(
        _l("Short name of the conference"),
        validators=[DataRequired(_l("Type the short name exactly as shown."))],
    )
    submit = SubmitField(_l("Delete for good"))
