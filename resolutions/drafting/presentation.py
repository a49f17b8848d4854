"""How the drafting pages (and the PDF documents) present the text: the heading block, the
places a new clause may go, the projector preview, labels of history and audit entries.

No rule of the domain lives here (those are in ``service`` and ``text``); these functions turn
what the service returns into what a page shows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from flask import request, session, url_for
from flask_babel import force_locale, get_timezone, ngettext
from flask_babel import gettext as _

from resolutions.documents.heading import dateline
from resolutions.drafting import service
from resolutions.drafting.docx_import import Dropped
from resolutions.drafting.text import DiffSegment, NumberedClause, excerpt, word_diff
from resolutions.extensions import db
from resolutions.labels import AMENDMENT_STATE, LANGUAGE, label
from resolutions.models import (
    Amendment,
    AmendmentKind,
    AmendmentState,
    Clause,
    ClauseKind,
    Conference,
    NumberingStyle,
    Resolution,
)
from resolutions.rules.languages import first_language, second_language

# --- the document heading ---------------------------------------------------------------------


@dataclass(frozen=True)
class DocumentHeading:
    conference: str
    kind: str  # "Resolution" in the document's language
    dateline: str  # "30 November 2026, Bishkek" / "30 ноября 2026 года, Бишкек"


def document_heading(conference: Conference) -> DocumentHeading:
    """The heading block of a resolution, in the conference's working language (the PDF
    documents use the same words): the conference, "Resolution", the date and place line."""
    language = conference.language if conference.language in ("ru", "en") else "ru"
    with force_locale(language):
        return DocumentHeading(
            conference=conference.title,
            kind=_("Resolution"),
            dateline=dateline(
                conference.start_date, conference.end_date, conference.place, language
            ),
        )


# Which language(s) the draft page shows; the choice is kept in the URL (``?text=``) and
# remembered in the reader's session, so the page works without JavaScript.
TEXT_MODES = ("first", "second", "both")
_SESSION_KEY = "draft_text"


def draft_text_mode() -> str:
    """The draft page's language choice: from the URL when given (then remembered), else the
    one remembered, else the first language."""
    asked = request.args.get("text")
    if asked in TEXT_MODES:
        session[_SESSION_KEY] = asked
        return asked
    remembered = session.get(_SESSION_KEY)
    return remembered if remembered in TEXT_MODES else "first"


def language_names(conference: Conference) -> dict[str, str]:
    """The two working languages in the reader's words: {"first": "Russian", ...}."""
    return {
        "first": label(LANGUAGE, first_language(conference)),
        "second": label(LANGUAGE, second_language(conference)),
    }


def translation_label(conference: Conference) -> str:
    return _("Text in %(language)s", language=label(LANGUAGE, second_language(conference)))


def draft_languages(conference: Conference, clauses: list[NumberedClause]) -> dict[str, Any]:
    """What the draft page needs to show the text in the chosen language(s): the choice, the
    languages' names and codes, how many clauses lack a current translation, and the
    page's filters to keep in the switch's links."""
    return {
        "text_mode": draft_text_mode(),
        "names": language_names(conference),
        "first_language": first_language(conference),
        "second_language": second_language(conference),
        "translation_gaps": len(service.translation_gaps(clauses)),
        "filter_args": {k: v for k, v in request.args.items() if k in ("state", "proposer")},
    }


# --- where a new clause may go ----------------------------------------------------------------


def clause_options(numbered: list[NumberedClause], style: NumberingStyle) -> list[tuple[str, str]]:
    """Every clause of the text as (id, "operative clause 2: calls upon…") for a select."""
    return [
        (str(c.clause_id), f"{service.clause_reference(c, style)}: {excerpt(c.text, 50)}")
        for c in numbered
    ]


def position_choices(
    numbered: list[NumberedClause], style: NumberingStyle
) -> list[tuple[str, str]]:
    """Where a new clause may go, in document order.

    Values: ``first:preambular`` and ``first:operative`` (first of its kind), ``after:<id>``
    (the next sibling of that clause, after its sub-clauses) and ``sub:<id>`` (its first
    sub-clause).
    """

    def ref(clause: NumberedClause) -> str:
        return service.clause_reference(clause, style)

    choices: list[tuple[str, str]] = [("", _("Choose a place…"))]
    choices.append(("first:preambular", _("At the start of the preamble")))
    for c in numbered:
        if c.kind == ClauseKind.PREAMBULAR:
            label = _("After %(ref)s", ref=ref(c)) + f" ({excerpt(c.text, 40)})"
            choices.append((f"after:{c.clause_id}", label))
    choices.append(("first:operative", _("As the first operative clause")))
    open_chain: list[NumberedClause] = []  # clauses whose sub-clauses are still being listed

    def close(down_to: int) -> None:
        while open_chain and open_chain[-1].depth >= down_to:
            done = open_chain.pop()
            choices.append((f"after:{done.clause_id}", _("After %(ref)s", ref=ref(done))))

    for c in numbered:
        if c.kind != ClauseKind.OPERATIVE:
            continue
        close(c.depth)
        if c.depth < service.MAX_DEPTH:
            label = _("As the first sub-clause of %(ref)s", ref=ref(c))
            choices.append((f"sub:{c.clause_id}", label + f" ({excerpt(c.text, 40)})"))
        open_chain.append(c)
    close(0)
    return choices


@dataclass(frozen=True)
class Position:
    kind: ClauseKind
    parent: Clause | None
    after: Clause | None


def parse_position(value: str, resolution: Resolution) -> Position | None:
    """The place a ``position_choices`` value names; None when it names no clause of this
    resolution. (A deleted clause is returned: the service refuses it with its own message.)"""
    if value in ("first:preambular", "first:operative"):
        return Position(ClauseKind(value.split(":")[1]), None, None)
    how, _sep, raw_id = value.partition(":")
    if how not in ("after", "sub") or not raw_id.isdigit():
        return None
    clause = db.session.get(Clause, int(raw_id))
    if clause is None or clause.resolution_id != resolution.id:
        return None
    if how == "sub":
        return Position(ClauseKind.OPERATIVE, clause, None)
    parent = db.session.get(Clause, clause.parent_id) if clause.parent_id else None
    return Position(clause.kind, parent, clause)


def position_value(amendment: Amendment) -> str:
    """The ``position_choices`` value of an insert amendment's place."""
    if amendment.after_clause_id:
        return f"after:{amendment.after_clause_id}"
    if amendment.parent_clause_id:
        return f"sub:{amendment.parent_clause_id}"
    kind = amendment.new_clause_kind or ClauseKind.OPERATIVE
    return f"first:{kind.value}"


# --- the projector preview --------------------------------------------------------------------


@dataclass(frozen=True)
class PreviewRow:
    mode: str  # "same", "changed" (replace: shown as a diff), "new" (insert), "deleted"
    clause: NumberedClause
    diff: list[DiffSegment] | None = None


def preview_rows(
    amendment: Amendment, current: list[NumberedClause], preview: list[NumberedClause]
) -> list[PreviewRow]:
    """The text as it would read if ``amendment`` were adopted (``preview``, numbered anew),
    with the change marked: a replaced clause as a diff, an inserted one as new, and a deleted
    one struck through where it stood (before the first clause after it that remains)."""
    by_id = {c.clause_id: c for c in current}
    rows: list[PreviewRow] = []
    for c in preview:
        if (
            amendment.kind == AmendmentKind.REPLACE
            and c.clause_id == amendment.target_clause_id
            and c.clause_id in by_id
            and by_id[c.clause_id].text != c.text
        ):
            rows.append(PreviewRow("changed", c, word_diff(by_id[c.clause_id].text, c.text)))
        elif amendment.kind == AmendmentKind.INSERT and c.clause_id is None:
            rows.append(PreviewRow("new", c))
        else:
            rows.append(PreviewRow("same", c))
    target = amendment.target_clause_id
    kept = {c.clause_id for c in preview}
    if amendment.kind == AmendmentKind.DELETE and target in by_id and target not in kept:
        ids = [c.clause_id for c in current]
        following = ids[ids.index(target) + 1 :]
        anchor = next((i for i in following if i in kept), None)
        at = next((n for n, row in enumerate(rows) if row.clause.clause_id == anchor), len(rows))
        rows.insert(at, PreviewRow("deleted", by_id[target]))
    return rows


# --- labels -----------------------------------------------------------------------------------


def version_reason(reason: str) -> str:
    """Why a clause version was written, in words."""
    labels = {
        "create": _("Created"),
        "import": _("Imported"),
        "edit": _("Edited by the secretariat"),
        "translation": _("Translation changed by the secretariat"),
        "move": _("Moved"),
        "delete": _("Deleted"),
        "amendment": _("Changed by an adopted amendment"),
        "vote": _("Rejected in a separate vote"),
    }
    return labels.get(reason, reason)


def local_to_utc(moment: datetime) -> datetime:
    """A naive date-time typed in the app's time zone → naive UTC, as the database keeps it."""
    zone = get_timezone() or UTC
    # Flask-Babel's zones are pytz's, which must localize (replace would take the zone's LMT).
    localize = getattr(zone, "localize", None)
    aware: datetime = localize(moment) if localize else moment.replace(tzinfo=zone)
    return aware.astimezone(UTC).replace(tzinfo=None)


def utc_now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


# --- what the draft page repeats for every clause and amendment --------------------------------

_MARK = 2_147_483_599  # an id no row has; replaced by the real one in each link


class DraftLinks:
    """The links a page repeats for every clause and amendment, each built once with
    ``url_for`` and then filled in: a draft of 200 clauses and 300 amendments has over a
    thousand of them, and ``url_for`` per link was a good part of the page's time.

    ``links("amendment", 7)`` → "/c/1/amendments/7".
    """

    def __init__(self, conference_id: int, resolution_id: int) -> None:
        def build(endpoint: str, **values: Any) -> str:
            return url_for(endpoint, conference_id=conference_id, **values)

        amendment = {"amendment_id": _MARK}
        new = {"resolution_id": resolution_id}
        self._patterns = {
            "amendment": build("drafting.amendment", **amendment),
            "amendment_edit": build("drafting.amendment_edit", **amendment),
            "amendment_preview": build("drafting.amendment_preview", **amendment),
            "amendment_submit": build("drafting.amendment_submit", **amendment),
            "amendment_discard": build("drafting.amendment_discard", **amendment),
            "amendment_withdraw": build("drafting.amendment_withdraw", **amendment),
            "amendment_admit": build("drafting.amendment_admit", **amendment),
            "amendment_adopt": build("drafting.amendment_adopt", **amendment),
            "amendment_respond": build("drafting.amendment_respond", **amendment),
            "history": build("drafting.history", clause_id=_MARK),
            "clause_edit": build("drafting.clause_edit", clause_id=_MARK),
            "clause_add_after": build("drafting.clause_new", **new, position=f"after:{_MARK}"),
            "amend": build("drafting.amendment_new", **new, kind="replace", clause=_MARK),
            "propose_deletion": build("drafting.amendment_new", **new, kind="delete", clause=_MARK),
            "insert_after": build(
                "drafting.amendment_new", **new, kind="insert", position=f"after:{_MARK}"
            ),
        }

    def __call__(self, name: str, object_id: int) -> str:
        return self._patterns[name].replace(str(_MARK), str(object_id))


class PageText:
    """The words the draft page repeats for every clause and amendment, translated once per
    request (``_()`` per card and per clause menu was the other part of the page's time).
    Strings with placeholders are filled in the template: ``t.proposed_by|format(name=…)``."""

    def __init__(self, style: NumberingStyle) -> None:
        self.state = {s.value: label(AMENDMENT_STATE, s) for s in AmendmentState}
        self.proposed_by = _("Proposed by %(name)s", name="%(name)s")
        self.co_sponsored_by = _("co-sponsored by %(names)s", names="%(names)s")
        self.stale = _("Written against an older version")
        self.as_written = _("As written, against version %(v)s of the clause:", v="%(v)s")
        self.against_current = _("Against the current text:")
        self.replace_with = _("Replace the text with:")
        self.proposed_text = _("Proposed text:")
        self.delete_clause = _("Delete the clause:")
        self.inserted = _("Inserted this clause:")
        self.insert_here = _("Insert a new clause here:")
        self.justification = _("Justification")
        self.text_if_adopted = _("Text if adopted")
        self.edit = _("Edit")
        self.submit = _("Submit")
        self.admit = _("Admit")
        self.rule_out_of_order = _("Rule out of order…")
        self.adopt = _("Adopt by general consent")
        self.adopt_confirm = _(
            "Adopt this amendment now, without a vote? The text changes at once."
        )
        self.withdraw = _("Withdraw")
        self.withdraw_confirm = _("Withdraw this amendment? This cannot be undone.")
        self.invite = _("Invite co-sponsors")
        self.confirm_sponsorship = _("Confirm co-sponsorship")
        self.decline = _("Decline")
        self.amend = _("Amend")
        self.propose_deletion = _("Propose deletion")
        self.insert_after = _("Insert after")
        self.edit_clause = _("Edit, move or delete")
        self.add_after = _("Add a clause after")
        self.history = _("History")
        self.actions = _("Actions: %(ref)s", ref="%(ref)s")
        # "operative clause %s": the service's wording, asked once per kind.
        self._references = {
            kind: service.clause_reference(
                NumberedClause(
                    None,
                    kind,
                    0,
                    "",
                    "P\x00" if kind == ClauseKind.PREAMBULAR else "\x00",
                    "",
                    None,
                    0,
                ),
                style,
            )
            for kind in ClauseKind
        }

    def reference(self, clause: NumberedClause) -> str:
        """How a clause is named ("operative clause 2(a)"), as ``service.clause_reference``."""
        number = clause.number_path
        if clause.kind == ClauseKind.PREAMBULAR:
            number = number.removeprefix("P")
        return self._references[clause.kind].replace("\x00", number)


# --- the Word import's preview ------------------------------------------------------------


def dropped_line(item: Dropped) -> str:
    """ "2 tables" and so on, in words, for the preview."""
    n = item.count
    words = {
        "heading": ngettext("%(num)s heading", "%(num)s headings", n),
        "table": ngettext("%(num)s table", "%(num)s tables", n),
        "image": ngettext("%(num)s picture or drawing", "%(num)s pictures or drawings", n),
        "header": ngettext("%(num)s page header", "%(num)s page headers", n),
        "footer": ngettext("%(num)s page footer", "%(num)s page footers", n),
        "comment": ngettext("%(num)s comment", "%(num)s comments", n),
        "footnote": ngettext("%(num)s footnote", "%(num)s footnotes", n),
        "empty": ngettext("%(num)s empty paragraph", "%(num)s empty paragraphs", n),
        "tracked": ngettext(
            "%(num)s tracked deletion (changes read as accepted)",
            "%(num)s tracked deletions (changes read as accepted)",
            n,
        ),
    }
    line = words[item.kind]
    if item.examples:
        line = _("%(what)s: %(examples)s", what=line, examples="; ".join(item.examples))
    return line
