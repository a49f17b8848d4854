"""Conferences and their participants: the rules and transactions, no HTTP.

Every function takes plain arguments, checks the rules, changes rows, records an audit entry
and flushes; the view commits once. A refused change raises ``resolutions.errors.DomainError``
(the one hierarchy of every service) with a message for the user (and the form field it
belongs to, if any). The actor of a conference's change is the ``Participant`` seat the view
hands over (``me``; a site administrator's stand-in secretariat seat included); only creating,
archiving and deleting a conference, which no seat can sit in yet or any more, take the
site administrator's ``User``.

The package, by topic:

- ``_common``: the voting roles, the closed-conference check.
- ``conferences``: whose conferences, creating, archiving, deleting, the secretariat.
- ``stages``: preparation → drafting → sitting → closed.
- ``settings``: the conference's settings.
- ``participants``: adding, editing, removing, listing participants.
- ``access``: invitation links, generated passwords, access cards.
- ``importing``: the CSV import of participants (plan, then apply).

Callers import from here (``from resolutions.conferences import service``).
"""

from resolutions.conferences.service._common import (
    VOTING_ROLES,
)
from resolutions.conferences.service.access import (
    access_can_be_reset,
    card_signs_in,
    create_access_invitation,
    find_card,
    generate_password,
    new_one_time_password,
    set_password_from_card,
)
from resolutions.conferences.service.conferences import (
    admin_conferences,
    conferences_of,
    create_conference,
    delete_conference,
    find_conference,
    find_or_create_user,
    has_polls,
    membership,
    secretariat_members,
    set_archived,
)
from resolutions.conferences.service.importing import (
    IMPORT_FIELDS,
    FieldChange,
    ImportPlan,
    RowUpdate,
    apply_import,
    default_voting_right,
    plan_import,
)
from resolutions.conferences.service.participants import (
    ParticipantFields,
    ParticipantPage,
    ParticipantQuery,
    ParticipantSummary,
    add_participant,
    filter_choices,
    has_taken_part,
    list_participants,
    name_is_editable,
    participant_summary,
    remove_participant,
    update_participant,
)
from resolutions.conferences.service.settings import (
    SETTINGS_FIELDS,
    ConferenceSettings,
    settings_of,
    time_zone_names,
    update_settings,
)
from resolutions.conferences.service.stages import (
    STAGES,
    all_resolutions_decided,
    move_stage,
    sitting_started,
    stage_offer,
)

__all__ = [
    "ConferenceSettings",
    "FieldChange",
    "IMPORT_FIELDS",
    "ImportPlan",
    "ParticipantFields",
    "ParticipantPage",
    "ParticipantQuery",
    "ParticipantSummary",
    "RowUpdate",
    "SETTINGS_FIELDS",
    "STAGES",
    "VOTING_ROLES",
    "access_can_be_reset",
    "add_participant",
    "admin_conferences",
    "all_resolutions_decided",
    "apply_import",
    "card_signs_in",
    "conferences_of",
    "find_conference",
    "create_access_invitation",
    "create_conference",
    "default_voting_right",
    "delete_conference",
    "filter_choices",
    "find_card",
    "find_or_create_user",
    "generate_password",
    "has_polls",
    "has_taken_part",
    "list_participants",
    "membership",
    "move_stage",
    "name_is_editable",
    "new_one_time_password",
    "participant_summary",
    "plan_import",
    "remove_participant",
    "secretariat_members",
    "set_archived",
    "set_password_from_card",
    "settings_of",
    "sitting_started",
    "stage_offer",
    "time_zone_names",
    "update_participant",
    "update_settings",
]
