"""Forms of the drafting pages: resolutions, clauses, the draft import and amendments.

Every POST form carries CSRF (FlaskForm). Forms that change an existing object also carry what
the user saw when the page was drawn (``expected_version`` of a clause, ``expected_state`` of an
amendment), so that a form left open while someone else changed the object is refused with a
clear message instead of silently overwriting their change.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    DateTimeLocalField,
    FieldList,
    FormField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import (
    AnyOf,
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)
from wtforms.widgets import HiddenInput

from resolutions.drafting.docx_import import MAX_DOCX_BYTES
from resolutions.forms import SelectChoice, select_choices
from resolutions.labels import AMENDMENT_KIND, AMENDMENT_STATE, CLAUSE_KIND
from resolutions.models import AmendmentKind, AmendmentState, ClauseKind, NumberingStyle

# A clause is a paragraph; 20,000 characters is already several pages. Longer input is a paste
# gone wrong, and the message says so rather than storing it.
MAX_CLAUSE_TEXT = 20_000
MAX_JUSTIFICATION = 5_000
MAX_REASON = 2_000
MAX_DRAFT_TEXT = 200_000
MAX_DEPTH = 2

NUMBERING_STYLES = {
    NumberingStyle.NUMBERED.value: _l("Preambular paragraphs, then numbered operative clauses"),
    NumberingStyle.PARAGRAPHS.value: _l("Plain unnumbered paragraphs"),
}
DEPTHS = {
    "0": _l("Clause"),
    "1": _l("Sub-clause (a)"),
    "2": _l("Sub-sub-clause (i)"),
}


def _clause_text_field(label: str, *, required: bool = True) -> TextAreaField:
    validators: list[Length | DataRequired] = [
        Length(
            max=MAX_CLAUSE_TEXT,
            message=_l(
                "The text is too long: at most %(max)s characters. Split it into several clauses.",
                max="20,000",
            ),
        )
    ]
    if required:
        validators.insert(0, DataRequired(_l("Enter the text of the clause.")))
    return TextAreaField(
        label,
        validators=validators,
        render_kw={"rows": 6, "maxlength": MAX_CLAUSE_TEXT},
    )


def _int_or_none(value: object) -> int | None:
    """Coerce a select's value; the empty "Choose…" option is None."""
    if value in (None, ""):
        return None
    return int(str(value))


def _strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


class ResolutionCreateForm(FlaskForm):
    title = StringField(
        _l("Title"),
        validators=[
            DataRequired(_l("Enter the title of the resolution.")),
            Length(
                max=300, message=_l("The title is too long: at most %(max)s characters.", max=300)
            ),
        ],
        filters=[_strip],
        description=_l('What the resolution is about, e.g. "On the freedom of association".'),
    )
    numbering_style = SelectField(
        _l("Numbering"),
        choices=select_choices(NUMBERING_STYLES),
        default=NumberingStyle.NUMBERED.value,
        validators=[AnyOf(list(NUMBERING_STYLES), _l("Choose a numbering style."))],
    )
    submit = SubmitField(_l("Create resolution"))


class ResolutionEditForm(ResolutionCreateForm):
    """The resolution's title and numbering style, while it is a draft."""

    submit = SubmitField(_l("Save"))


class ClauseEditForm(FlaskForm):
    text = _clause_text_field(_l("Text of the clause"))
    # In the second language; the view names the language (``translation_label``).
    translation = _clause_text_field(_l("Translation"), required=False)
    expected_version = IntegerField(
        widget=HiddenInput(), validators=[InputRequired(_l("The form is incomplete."))]
    )
    submit = SubmitField(_l("Save new version"))


class TranslationForm(FlaskForm):
    """One clause's text in the second language (the translations page): "" removes it."""

    translation = _clause_text_field(_l("Translation"), required=False)
    expected_version = IntegerField(
        widget=HiddenInput(), validators=[InputRequired(_l("The form is incomplete."))]
    )
    submit = SubmitField(_l("Save translation"))


class ClauseNewForm(FlaskForm):
    position = SelectField(
        _l("Where"), validators=[DataRequired(_l("Choose where the clause goes."))]
    )
    text = _clause_text_field(_l("Text of the clause"))
    submit = SubmitField(_l("Add clause"))


class ClauseChangeForm(FlaskForm):
    """Delete or move a clause: a button that remembers the version the user saw."""

    expected_version = IntegerField(
        widget=HiddenInput(), validators=[InputRequired(_l("The form is incomplete."))]
    )
    direction = HiddenField(validators=[Optional(), AnyOf(["up", "down"])])


class ImportTextForm(FlaskForm):
    text = TextAreaField(
        _l("The draft as plain text"),
        validators=[
            DataRequired(_l("Paste the text of the draft.")),
            Length(
                max=MAX_DRAFT_TEXT,
                message=_l("The draft is too long: at most %(max)s characters.", max="200,000"),
            ),
        ],
        render_kw={"rows": 18},
        description=_l(
            "One paragraph per clause, separated by a blank line. Paragraphs before the first "
            'numbered one ("1.", "2)") are preambular; "(a)" and "(i)" make sub-clauses.'
        ),
    )
    preview = SubmitField(_l("Preview"))


class ImportDocxForm(FlaskForm):
    """The draft as a Word file: read into the same preview as the pasted text."""

    file = FileField(
        _l("The draft as a Word file (.docx)"),
        validators=[FileRequired(_l("Choose the Word file to upload."))],
        description=_l(
            "Word's numbering and levels, literal numbers and bold or italic lead words are "
            "read; tables, pictures, headers, footers and comments are left out and named in "
            "the preview. At most %(max)s MB.",
            max=MAX_DOCX_BYTES // 2**20,
        ),
        render_kw={
            "accept": ".docx,application/vnd.openxmlformats-officedocument"
            ".wordprocessingml.document"
        },
    )
    upload = SubmitField(_l("Read the Word file"))


class ImportParagraphForm(FlaskForm):
    """One paragraph of the import preview (a sub-form, so no CSRF of its own)."""

    class Meta:
        csrf = False

    text = HiddenField(
        validators=[
            DataRequired(_l("An empty paragraph.")),
            Length(max=MAX_CLAUSE_TEXT, message=_l("This paragraph is too long.")),
        ]
    )
    kind = SelectField(
        _l("Kind"),
        choices=select_choices(CLAUSE_KIND),
        validators=[AnyOf([k.value for k in ClauseKind], _l("Choose preambular or operative."))],
    )
    depth = SelectField(
        _l("Level"),
        choices=select_choices(DEPTHS),
        validators=[AnyOf(list(DEPTHS), _l("Choose a level."))],
    )


class ImportPreviewForm(FlaskForm):
    """The preview step: the pasted text travels in the form itself, never in the session."""

    text = HiddenField(validators=[Length(max=MAX_DRAFT_TEXT)])
    # From a Word file: what was left out (docx_import.dropped_to_json), shown again each step.
    dropped = HiddenField(validators=[Length(max=4000)])
    paragraphs = FieldList(FormField(ImportParagraphForm), min_entries=0)
    confirm = SubmitField(_l("Import these clauses"))
    back = SubmitField(_l("Back to the text"))

    def validate_paragraphs(self, field: FieldList[FormField[ImportParagraphForm]]) -> None:
        if not field.entries:
            raise ValidationError(_l("There is nothing to import."))
        previous_operative_depth: int | None = None
        for number, entry in enumerate(field.entries, start=1):
            kind, depth = entry.form.kind.data, entry.form.depth.data
            if kind not in {k.value for k in ClauseKind} or depth not in DEPTHS:
                continue  # the entry's own validators report it
            depth_n = int(depth)
            if kind == ClauseKind.PREAMBULAR.value:
                if previous_operative_depth is not None:
                    raise ValidationError(
                        _l(
                            "Paragraph %(n)s is preambular but follows an operative clause: "
                            "preambular paragraphs come first.",
                            n=number,
                        )
                    )
                if depth_n:
                    raise ValidationError(
                        _l("Paragraph %(n)s: preambular paragraphs have no sub-clauses.", n=number)
                    )
                continue
            if (
                depth_n
                > (previous_operative_depth if previous_operative_depth is not None else -1) + 1
            ):
                raise ValidationError(
                    _l(
                        "Paragraph %(n)s is a sub-clause but has no clause above it to belong to.",
                        n=number,
                    )
                )
            previous_operative_depth = depth_n


class AmendmentForm(FlaskForm):
    """Propose or edit an amendment. Which fields matter depends on ``kind``."""

    kind = HiddenField(
        validators=[AnyOf([k.value for k in AmendmentKind], _l("Choose the kind of amendment."))]
    )
    target = IntegerField(widget=HiddenInput(), validators=[Optional()])
    expected_version = IntegerField(widget=HiddenInput(), validators=[Optional()])
    position = SelectField(_l("Where the new clause goes"), validate_choice=False)
    text = _clause_text_field(_l("Text"), required=False)
    # The same text in the second language, if the proposer has it (optional).
    translation = _clause_text_field(_l("Translation"), required=False)
    justification = TextAreaField(
        _l("Justification"),
        validators=[
            Length(
                max=MAX_JUSTIFICATION,
                message=_l(
                    "The justification is too long: at most %(max)s characters.", max="5,000"
                ),
            )
        ],
        render_kw={"rows": 3, "maxlength": MAX_JUSTIFICATION},
        description=_l("Why the conference should adopt it (optional, shown to everyone)."),
    )
    preview = SubmitField(_l("Preview the change"))
    save = SubmitField(_l("Save as draft"))

    def validate_target(self, field: IntegerField) -> None:
        needs_target = self.kind.data in (AmendmentKind.REPLACE.value, AmendmentKind.DELETE.value)
        if needs_target and not field.data:
            raise ValidationError(_l("Choose the clause to amend."))

    def validate_position(self, field: SelectField) -> None:
        if self.kind.data == AmendmentKind.INSERT.value and not field.data:
            raise ValidationError(_l("Choose where the new clause goes."))

    def validate_text(self, field: TextAreaField) -> None:
        needs_text = self.kind.data in (AmendmentKind.INSERT.value, AmendmentKind.REPLACE.value)
        if needs_text and not (field.data or "").strip():
            raise ValidationError(_l("Enter the text of the clause."))


class AmendmentActionForm(FlaskForm):
    """A button that moves an amendment on (submit, withdraw, admit, adopt)."""

    expected_state = HiddenField(
        validators=[
            DataRequired(_l("The form is incomplete.")),
            AnyOf([s.value for s in AmendmentState], _l("The form is incomplete.")),
        ]
    )


class OutOfOrderForm(AmendmentActionForm):
    reason = TextAreaField(
        _l("Reason"),
        validators=[
            DataRequired(_l("Give the reason for ruling the amendment out of order.")),
            Length(max=MAX_REASON, message=_l("At most %(max)s characters.", max="2,000")),
        ],
        filters=[_strip],
        render_kw={"rows": 2},
    )
    submit = SubmitField(_l("Rule out of order"))


class InviteSponsorForm(FlaskForm):
    participant = SelectField(
        _l("Invite a co-sponsor"),
        coerce=_int_or_none,
        validators=[DataRequired(_l("Choose a delegate to invite."))],
        validate_choice=False,
    )
    submit = SubmitField(_l("Invite"))

    def validate_participant(self, field: SelectField) -> None:
        # types-WTForms (3.2) types choices as tuples; WTForms 3.3 holds SelectChoice objects.
        choices: list[SelectChoice] = field.choices or []  # type: ignore[assignment]
        allowed = {str(choice.value) for choice in choices if choice.value}
        if field.data is not None and str(field.data) not in allowed:
            raise ValidationError(_l("This delegate cannot be invited."))


class SponsorResponseForm(FlaskForm):
    accept = SubmitField(_l("Confirm co-sponsorship"))
    decline = SubmitField(_l("Decline"))

    def validate(self, extra_validators: Mapping[str, Sequence[Any]] | None = None) -> bool:
        if not super().validate(extra_validators):
            return False
        if not (self.accept.data or self.decline.data):
            self.form_errors.append(str(_l("Choose to confirm or to decline.")))
            return False
        return True


class VoteOrderEntryForm(FlaskForm):
    class Meta:
        csrf = False

    amendment_id = IntegerField(widget=HiddenInput(), validators=[InputRequired()])
    order = IntegerField(
        _l("Order"),
        validators=[
            InputRequired(_l("Give each amendment a place.")),
            NumberRange(min=1, max=999, message=_l("A whole number from 1.")),
        ],
    )


class VoteOrderForm(FlaskForm):
    entries = FieldList(FormField(VoteOrderEntryForm), min_entries=0)
    submit = SubmitField(_l("Save the voting order"))

    def validate_entries(self, field: FieldList[FormField[VoteOrderEntryForm]]) -> None:
        if not field.entries:
            raise ValidationError(_l("There are no amendments to order."))


class DiffPreviewForm(FlaskForm):
    clause = IntegerField(validators=[InputRequired()])
    text = TextAreaField(validators=[Length(max=MAX_CLAUSE_TEXT)])


class TextAtForm(FlaskForm):
    """GET form: the moment to show, or a poll."""

    class Meta:
        csrf = False

    at = DateTimeLocalField(
        _l("Date and time"),
        format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"],
        validators=[Optional()],
    )
    poll = SelectField(_l("Or as it stood when a poll opened"), validate_choice=False)


class AmendmentFilterForm(FlaskForm):
    """GET form above the draft: which amendments to show."""

    class Meta:
        csrf = False

    state = SelectField(
        _l("State"),
        choices=select_choices({"": _l("All states"), **AMENDMENT_STATE}),
        validate_choice=False,
    )
    proposer = SelectField(_l("Proposer"), validate_choice=False)


TRIAGE_SORTS = ("number", "target", "kind", "author", "state", "deadline")


class TriageFilterForm(FlaskForm):
    """GET form above the secretariat's table of amendments: filters and the sort order."""

    class Meta:
        csrf = False

    state = SelectField(
        _l("State"),
        choices=select_choices(
            {"": _l("All states"), **{k: v for k, v in AMENDMENT_STATE.items() if k != "draft"}}
        ),
        validate_choice=False,
    )
    kind = SelectField(
        _l("Kind"),
        choices=select_choices({"": _l("All kinds"), **AMENDMENT_KIND}),
        validate_choice=False,
    )
    proposer = SelectField(_l("Author"), validate_choice=False)
    sort = HiddenField(default="number")
    order = HiddenField(default="asc")


class TriageRulingForm(FlaskForm):
    """The secretariat's ruling on the ticked amendments (ids in ``amendments``)."""

    decision = RadioField(
        _l("Ruling"),
        choices=select_choices({"admit": _l("Admit"), "out_of_order": _l("Rule out of order")}),
        validators=[InputRequired(_l("Choose a ruling."))],
    )
    reason = TextAreaField(
        _l("Reason (required to rule out of order)"),
        validators=[
            Optional(),
            Length(max=MAX_REASON, message=_l("At most %(max)s characters.", max="2,000")),
        ],
        filters=[_strip],
        render_kw={"rows": 2},
    )
    submit = SubmitField(_l("Apply to the ticked amendments"))
