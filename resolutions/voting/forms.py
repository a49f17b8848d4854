"""Forms of the sitting: ballots, the chair's poll controls, attendance and proxies."""

from __future__ import annotations

import secrets
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    Field,
    HiddenField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import AnyOf, DataRequired, Length, Optional, ValidationError

from resolutions import labels
from resolutions.forms import SelectChoice, select_choices
from resolutions.models import BallotKind, Choice, MajorityMethod, PollSubject
from resolutions.voting.majority import QuorumError, parse_quorum
from resolutions.voting.quorum_words import quorum_problem

DEFAULT = ""  # "use the conference's rule" in the override selects


def new_idempotency_key() -> str:
    """A random key rendered into each ballot form, so that a resubmission is recognised."""
    return secrets.token_urlsafe(18)


class IdListField(Field):
    """Zero or more participant ids sent under one name (checkboxes or hidden inputs)."""

    data: list[int]

    def process_formdata(self, valuelist: list[str]) -> None:
        ids: list[int] = []
        for value in valuelist:
            try:
                ids.append(int(value))
            except ValueError as error:
                self.data = []
                raise ValueError(str(_l("Choose whom you vote for."))) from error
        self.data = list(dict.fromkeys(ids))

    def _value(self) -> str:
        return ""


class CastForm(FlaskForm):
    """One ballot (yes / no / abstain) for the caster and/or the principals they hold."""

    choice = StringField(
        _l("Your vote"),
        validators=[
            DataRequired(_l("Choose yes, no or abstain.")),
            AnyOf([c.value for c in Choice], message=_l("Choose yes, no or abstain.")),
        ],
    )
    for_ = IdListField(_l("Vote for"), name="for", default=list)
    # Set by the page's script when it built the form itself: "every ballot I hold".
    for_all = HiddenField(default="0")
    idempotency_key = HiddenField(
        validators=[Optional(), Length(max=64, message=_l("The form is damaged; reload it."))]
    )


def _override_choices(table: dict[str, Any]) -> list[SelectChoice]:
    return select_choices([(DEFAULT, _l("Conference default")), *table.items()])


def _valid_quorum(form: FlaskForm, field: Field) -> None:
    if field.data:
        try:
            parse_quorum(field.data)
        except QuorumError as error:
            raise ValidationError(quorum_problem(error)) from error


class PollRulesForm(FlaskForm):
    """The chair's overrides of the conference's rules for one poll (empty = the default)."""

    ballot_kind = SelectField(
        _l("Ballot"), choices=_override_choices(labels.BALLOT_KIND), default=DEFAULT
    )
    majority_method = SelectField(
        _l("Majority"), choices=_override_choices(labels.MAJORITY_METHOD), default=DEFAULT
    )
    quorum = StringField(
        _l("Quorum"),
        validators=[Optional(), Length(max=20), _valid_quorum],
        description=_l("Empty for the conference's rule; 0 for none, 25 or 1/2 of the entitled."),
    )
    allow_change = BooleanField(_l("Voters may change their ballot while the poll is open"))

    def overrides(self) -> dict[str, Any]:
        """Keyword arguments for ``service.create_poll``: None where the default applies."""
        return {
            "ballot_kind": BallotKind(self.ballot_kind.data) if self.ballot_kind.data else None,
            "majority_method": (
                MajorityMethod(self.majority_method.data) if self.majority_method.data else None
            ),
            "quorum": (self.quorum.data or "").strip() or None,
            "allow_change": bool(self.allow_change.data),
        }


class QueuePollForm(PollRulesForm):
    """Create (and open) a poll on an item of the queue: an amendment, a clause, a resolution."""

    subject = SelectField(
        choices=select_choices(
            [(s.value, s.value) for s in PollSubject if s != PollSubject.PROCEDURAL]
        ),
        validators=[DataRequired(_l("Choose what to vote on."))],
    )
    object_id = HiddenField(validators=[DataRequired(_l("Choose what to vote on."))])
    open_now = HiddenField(default="1")

    def validate_object_id(self, field: Field) -> None:
        if not str(field.data or "").isdigit():
            raise ValidationError(str(_l("Choose what to vote on.")))


class ProceduralPollForm(PollRulesForm):
    """A procedural question with its own text."""

    title = StringField(
        _l("Question"),
        validators=[DataRequired(_l("Enter the question.")), Length(max=300)],
        description=_l("For example: “Shall the debate be closed?”"),
    )
    question = TextAreaField(_l("Explanation (optional)"), validators=[Length(max=4000)])
    open_now = BooleanField(_l("Open the vote at once"), default=True)


class ClosePollForm(FlaskForm):
    publish = BooleanField(_l("Publish the result at once"), default=True)


class CancelPollForm(FlaskForm):
    reason = StringField(
        _l("Reason"),
        validators=[DataRequired(_l("Say why the poll is cancelled.")), Length(max=500)],
    )


class ActionForm(FlaskForm):
    """A bare button (open, publish, check in, roll call): CSRF only."""


class PresenceForm(FlaskForm):
    present = HiddenField(validators=[AnyOf(["1", "0"], message=_l("Choose present or absent."))])
    q = HiddenField()  # keeps the list's search after the redirect


class RollCallForm(FlaskForm):
    open = HiddenField(validators=[AnyOf(["1", "0"], message=_l("Open or close the roll call."))])


class ProxyForm(FlaskForm):
    holder = SelectField(
        _l("Give my vote to"),
        coerce=int,
        validate_choice=False,
        validators=[DataRequired(_l("Choose the delegate who will vote for you."))],
    )
