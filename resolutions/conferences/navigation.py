"""The conference navigation: only what the member's role may open.

Each entry names an endpoint and the roles that may use it; entries whose endpoint does not
exist are left out, so an area adds its pages by adding a line here.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, url_for
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext

from resolutions.models import Conference, Participant, Role
from resolutions.rules.roles import has_role

ALL = (Role.SECRETARIAT, Role.CHAIR, Role.DELEGATE, Role.OBSERVER)


@dataclass(frozen=True)
class NavItem:
    url: str
    label: str
    prefix: str
    hint: str = ""
    endpoint: str = ""


# (endpoint, label, hint, roles, prefix of endpoints that mark it current)
ENTRIES = [
    (
        "drafting.resolutions",
        _l("Resolution"),
        _l("The draft, amendments, history"),
        ALL,
        "drafting.",
    ),
    (
        "voting.ballot",
        lazy_pgettext("ballot page", "Vote"),
        _l("The open poll and your ballot"),
        (Role.DELEGATE,),
        "voting.ballot",
    ),
    ("voting.console", _l("Chair's console"), _l("Run the votes"), (Role.CHAIR,), "voting.console"),
    (
        "voting.attendance",
        _l("Attendance"),
        _l("Check-in and roll call"),
        (Role.CHAIR, Role.SECRETARIAT),
        "voting.attendance",
    ),
    # The tab says what the page's title says (issue 11: «Итоги» led to «Протокол голосований»).
    (
        "voting.record",
        _l("Voting record"),
        _l("Published results of every poll"),
        ALL,
        "voting.record",
    ),
    (
        "conferences.participants",
        _l("Participants"),
        _l("List, import, access"),
        (Role.SECRETARIAT,),
        "conferences.participant",
    ),
    (
        "conferences.settings",
        _l("Settings"),
        _l("Dates, place, rules of procedure"),
        (Role.SECRETARIAT,),
        "conferences.settings",
    ),
    ("documents.index", _l("Documents"), _l("PDF and CSV exports"), ALL, "documents."),
    (
        "conferences.audit_log",
        _l("Audit log"),
        _l("Every change, hash-chained"),
        (Role.SECRETARIAT,),
        "conferences.audit",
    ),
]


def conference_nav_items(conference: Conference, me: Participant | None) -> list[NavItem]:
    items = []
    for endpoint, label, hint, roles, prefix in ENTRIES:
        if endpoint not in current_app.view_functions or not has_role(me, *roles):
            continue
        items.append(
            NavItem(
                url=url_for(endpoint, conference_id=conference.id),
                label=str(label),
                prefix=prefix,
                hint=str(hint),
                endpoint=endpoint,
            )
        )
    return items
