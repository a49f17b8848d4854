"""The audit log in words: the one home of the names of recorded actions, of the details they
carry and of how each detail's value reads.

Pure: lazy translated strings and functions of plain values, no database. The audit page and
an amendment's history both read their labels here. Whoever records a new action or a new
detail key adds its words here (``tests/test_audit_log.py`` fails on any action without a
label, and the Russian page test on any key or value shown raw).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo
from typing import Any

from babel.dates import get_timezone_location
from flask_babel import format_date, format_datetime, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from resolutions import labels

ACTION = {
    "conference.created": _l("Conference created"),
    "conference.settings_changed": _l("Settings changed"),
    "conference.archived": _l("Conference archived"),
    "conference.unarchived": _l("Conference restored from the archive"),
    "conference.deleted": _l("Conference deleted"),
    "participant.added": _l("Participant added"),
    "participant.changed": _l("Participant changed"),
    "participant.removed": _l("Participant removed"),
    "participants.imported": _l("Participants imported"),
    "participant.checked_in": _l("Checked in"),
    "participant.checked_out": _l("Marked absent"),
    "participant.invitation_created": _l("Invitation link created"),
    "participant.password_generated": _l("Password generated"),
    "participant.password_set_from_card": _l("Password set from the access card"),
    "user.invitation_redeemed": _l("Password set from an invitation"),
    "user.password_changed": _l("Password changed"),
    "user.made_admin": _l("Made site administrator"),
    "resolution.created": _l("Resolution created"),
    "resolution.updated": _l("Resolution changed"),
    "resolution.imported": _l("Draft imported"),
    "resolution.adopted": _l("Resolution adopted"),
    "resolution.rejected": _l("Resolution rejected"),
    "clause.added": _l("Clause added"),
    "clause.edited": _l("Clause edited"),
    "clause.translated": _l("Translation of a clause edited"),
    "clause.moved": _l("Clause moved"),
    "clause.deleted": _l("Clause deleted"),
    "clause.rejected_by_vote": _l("Clause rejected in a separate vote"),
    "amendment.drafted": _l("Amendment drafted"),
    "amendment.updated": _l("Amendment changed"),
    "amendment.discarded": _l("Draft amendment discarded"),
    "amendment.submitted": _l("Amendment submitted"),
    "amendment.withdrawn": _l("Amendment withdrawn"),
    "amendment.admitted": _l("Amendment admitted"),
    "amendment.out_of_order": _l("Amendment ruled out of order"),
    "amendment.adopted": _l("Amendment adopted"),
    "amendment.rejected": _l("Amendment rejected"),
    "amendment.obsolete": _l("Amendment became obsolete"),
    "amendment.reanchored": _l("Amendment moved to a new place"),
    "amendment.sponsor_invited": _l("Co-sponsor invited"),
    "amendment.sponsor_confirmed": _l("Co-sponsorship confirmed"),
    "amendment.sponsor_declined": _l("Co-sponsorship declined"),
    "amendments.ordered": _l("Voting order set"),
    "poll.created": _l("Poll prepared"),
    "poll.opened": _l("Poll opened"),
    "poll.closed": _l("Poll closed"),
    "poll.cancelled": _l("Poll cancelled"),
    "poll.voided": _l("Poll void (ballots lost in a database restart)"),
    "poll.published": _l("Result published"),
    "roll_call.opened": _l("Roll call opened"),
    "roll_call.closed": _l("Roll call closed"),
    "proxy.given": _l("Proxy given"),
    "proxy.revoked": _l("Proxy revoked"),
}

# The names of the details entries record. Some read differently for one action.
DETAIL = {
    "user": _l("Person"),
    "participant_id": _l("Person"),
    "principal": _l("Principal"),
    "holder": _l("Proxy holder"),
    "email": _l("E-mail"),
    "name": _l("Name"),
    "role": _l("Role"),
    "organisation": _l("Organisation"),
    "country": _l("Country"),
    "delegation": _l("Delegation"),
    "voting_right": _l("Voting right"),
    "weight": _l("Vote weight"),
    "title": _l("Title"),
    "short_name": _l("Short name"),
    "place": _l("Place"),
    "start_date": _l("First day"),
    "end_date": _l("Last day"),
    "language": _l("Working language"),
    "timezone": _l("Time zone"),
    "state": _l("Stage"),
    "majority_method": _l("Majority"),
    "quorum": _l("Quorum"),
    "ballot_kind": _l("Ballot"),
    "amendment_deadline": _l("Amendment deadline"),
    "proxy_limit": _l("Proxies one delegate may hold"),
    "count": _l("Participants"),
    "updated": _l("Updated"),
    "removed": _l("Removed"),
    "new_accounts": _l("New accounts"),
    "file": _l("File"),
    "encoding": _l("Encoding"),
    "days": _l("Valid for (days)"),
    "number": _l("Number"),
    "kind": _l("Kind"),
    "reason": _l("Reason"),
    "clauses": _l("Clauses"),
    "numbering_style": _l("Numbering"),
    "version": _l("Version"),
    "from": _l("Was"),
    "to": _l("Now"),
    "order": _l("Order"),
    "obsolete": _l("Amendments made obsolete"),
    "poll": _l("Poll"),
    "poll_id": _l("Poll"),
    "subject": _l("Subject"),
    "outcome": _l("Outcome"),
    "yes_weight": _l("Yes"),
    "no_weight": _l("No"),
    "abstain_weight": _l("Abstain"),
    "ballots": _l("Ballots"),
    "participating_weight": _l("Weight participating"),
    "entitled": _l("Voters entitled"),
    "entitled_weight": _l("Weight entitled"),
    "quorum_weight": _l("Quorum (weight)"),
    "present_weight": _l("Weight present"),
    "total_weight": _l("Total weight"),
    "by_consent": _l("By general consent"),
    "translation_needed": _l("Translation needed"),
    "details": _l("Details"),
}
# Details are shown in the order of the table above (the log stores them sorted by key).
_ORDER = {key: index for index, key in enumerate(DETAIL)}
DETAIL_FOR_ACTION = {
    ("conference.created", "title"): _l("Full title"),
    ("conference.settings_changed", "title"): _l("Full title"),
    ("conference.settings_changed", "majority_method"): _l("Majority by default"),
    ("conference.settings_changed", "quorum"): _l("Quorum by default"),
    ("conference.settings_changed", "ballot_kind"): _l("Ballot by default"),
    ("clause.translated", "language"): _l("Language"),
    ("clause.translated", "removed"): _l("Translation removed"),
}
# Internal ids of clauses an insert was re-anchored between: the action and its amendment
# say what happened; the ids mean nothing to a reader.
HIDDEN = frozenset({"after_was", "after_now"})
# Details naming a person (an e-mail or a participant id) and a poll (its id).
PEOPLE = frozenset({"user", "principal", "holder", "participant_id"})
POLLS = frozenset({"poll", "poll_id"})
DATES = frozenset({"start_date", "end_date"})
MOMENTS = frozenset({"amendment_deadline"})

VALUES: dict[str, Mapping[str, object]] = {
    "role": labels.ROLE,
    "state": labels.CONFERENCE_STATE,
    "majority_method": labels.MAJORITY_METHOD,
    "ballot_kind": labels.BALLOT_KIND,
    "subject": labels.POLL_SUBJECT,
    "outcome": labels.POLL_OUTCOME,
    "numbering_style": labels.NUMBERING_STYLE,
    "language": labels.LANGUAGE,
}

# How the chain's checks name a break (``resolutions.audit``), in words.
BREAK_REASON = {
    "previous entry missing or changed": _l("the entry before it is missing or was changed"),
    "entry changed after it was written": _l("the entry was changed after it was written"),
    "verified entry missing or changed": _l("an entry verified earlier is missing or was changed"),
}


def action_label(action: str) -> str:
    return str(ACTION.get(action, action))


def break_reason(reason: str) -> str:
    return str(BREAK_REASON.get(reason, reason))


@dataclass(frozen=True)
class Names:
    """What the ids and e-mails recorded in a page of entries stand for, and the time zone
    recorded moments are shown in (the conference's)."""

    people_by_email: Mapping[str, str]
    people_by_id: Mapping[int, str]
    polls: Mapping[int, str]
    zone: tzinfo = UTC


@dataclass(frozen=True)
class DetailLine:
    key: str
    label: str
    value: str
    new: str | None = None  # set for a change: ``value`` → ``new``


def _kind_table(action: str) -> Mapping[str, object]:
    return labels.CLAUSE_KIND if action.startswith("clause.") else labels.AMENDMENT_KIND


def in_zone(moment: datetime, zone: tzinfo) -> datetime:
    """A stored (naive UTC) moment as the time in ``zone``."""
    return moment.replace(tzinfo=UTC).astimezone(zone)


def _moment(value: str, zone: tzinfo, *, with_time: bool) -> str:
    """An ISO date or date-time as recorded (naive UTC), in the reader's words."""
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return value
    if with_time:
        return format_datetime(in_zone(parsed, zone), "short", rebase=False)
    return format_date(date(parsed.year, parsed.month, parsed.day), "long")


def zone_in_words(zone: str) -> str:
    """A time zone as people know it, in the reader's language ("Бишкек"), not its IANA id."""
    try:
        return get_timezone_location(zone, locale=str(get_locale() or "en"), return_city=True)
    except LookupError:  # zoneinfo knows a few names Babel does not ("Factory", "localtime")
        return zone


def value_text(action: str, key: str, value: Any, names: Names) -> str:
    """One recorded value in words."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if key in PEOPLE:
        found = (
            names.people_by_id.get(value)
            if isinstance(value, int)
            else names.people_by_email.get(str(value))
        )
        return found or _("a person no longer in the list")
    if key in POLLS and isinstance(value, int):
        return names.polls.get(value) or _("a poll since removed")
    if key == "kind":
        return labels.label(_kind_table(action), value)
    if key in VALUES:
        return labels.label(VALUES[key], value)
    if key == "timezone" and isinstance(value, str):
        return zone_in_words(value)
    if key == "quorum" and str(value) == "0":
        return _("none")
    if key in DATES and isinstance(value, str):
        return _moment(value, names.zone, with_time=False)
    if key in MOMENTS and isinstance(value, str):
        return _moment(value, names.zone, with_time=True)
    if isinstance(value, list):
        return ", ".join(value_text(action, key, item, names) for item in value)
    if isinstance(value, dict):
        return "; ".join(
            f"{detail_label(action, k)}: {value_text(action, k, v, names)}"
            for k, v in value.items()
        )
    return str(value)


def detail_label(action: str, key: str) -> str:
    return str(DETAIL_FOR_ACTION.get((action, key)) or DETAIL.get(key, key))


def describe(action: str, details: Mapping[str, Any], names: Names) -> list[DetailLine]:
    """Each recorded detail as (label, value), the "changed" pairs unfolded into old → new."""

    def line(key: str, value: Any) -> DetailLine:
        return DetailLine(key, detail_label(action, key), value_text(action, key, value, names))

    lines: list[DetailLine] = []
    for key, value in details.items():
        if key in HIDDEN:
            continue
        if key == "changed" and isinstance(value, dict):
            for name, pair in value.items():
                if isinstance(pair, list) and len(pair) == 2:
                    old, new = (value_text(action, name, v, names) for v in pair)
                    lines.append(DetailLine(name, detail_label(action, name), old, new))
                else:
                    lines.append(line(name, pair))
        else:
            lines.append(line(key, value))
    return sorted(lines, key=lambda found: _ORDER.get(found.key, len(_ORDER)))


def people_in(details: Mapping[str, Any]) -> tuple[set[str], set[int]]:
    """The e-mails and participant ids ``details`` names (to look their names up at once)."""
    emails: set[str] = set()
    ids: set[int] = set()

    def add(key: str, value: Any) -> None:
        if key not in PEOPLE or value is None:
            return
        if isinstance(value, int) and not isinstance(value, bool):
            ids.add(value)
        else:
            emails.add(str(value))

    for key, value in details.items():
        if key == "changed" and isinstance(value, dict):
            for name, pair in value.items():
                for item in pair if isinstance(pair, list) else [pair]:
                    add(name, item)
        else:
            add(key, value)
    return emails, ids


def polls_in(details: Mapping[str, Any]) -> set[int]:
    return {
        value
        for key, value in details.items()
        if key in POLLS and isinstance(value, int) and not isinstance(value, bool)
    }
