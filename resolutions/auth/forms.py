from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, PasswordField, SubmitField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from resolutions.auth.service import MIN_PASSWORD_LENGTH

MAX_PASSWORD_LENGTH = 200


class SignInForm(FlaskForm):
    email = EmailField(
        _l("E-mail"),
        validators=[
            DataRequired(_l("Enter your e-mail.")),
            Email(_l("Enter a valid e-mail.")),
            Length(max=254),
        ],
    )
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(_l("Enter your password.")), Length(max=MAX_PASSWORD_LENGTH)],
    )
    next = HiddenField()
    submit = SubmitField(_l("Sign in"))


def _new_password_fields() -> tuple[PasswordField, PasswordField]:
    return (
        PasswordField(
            _l("New password"),
            validators=[
                DataRequired(_l("Enter a password.")),
                Length(
                    min=MIN_PASSWORD_LENGTH,
                    max=MAX_PASSWORD_LENGTH,
                    message=_l("The password must be at least %(n)s characters.", n=10),
                ),
            ],
        ),
        PasswordField(
            _l("Repeat the new password"),
            validators=[
                DataRequired(_l("Repeat the password.")),
                EqualTo("password", _l("The passwords do not match.")),
            ],
        ),
    )


class SetPasswordForm(FlaskForm):
    password, confirm = _new_password_fields()
    submit = SubmitField(_l("Set password"))


class CardSignInForm(FlaskForm):
    """The access card's own sign-in: the card link is the credential, so only the CSRF
    token and a button (a POST, so that a link preview or a page on another site cannot sign
    anybody in)."""

    sign_in = SubmitField(_l("Sign in"))


class ChangePasswordForm(FlaskForm):
    current = PasswordField(
        _l("Current password"), validators=[DataRequired(_l("Enter your current password."))]
    )
    password, confirm = _new_password_fields()
    submit = SubmitField(_l("Change password"))


class LanguageForm(FlaskForm):
    """Only the CSRF token; the language comes from the URL."""
