"""All tables of the product, one module per area. Import from here.

The enumerations are defined in ``resolutions.enums`` (pure, for the rules) and re-exported.
"""

from resolutions.enums import (
    AmendmentKind,
    AmendmentState,
    BallotKind,
    Choice,
    ClauseKind,
    ConferenceState,
    MajorityMethod,
    NumberingStyle,
    PollOutcome,
    PollState,
    PollSubject,
    ResolutionState,
    Role,
    SponsorStatus,
)
from resolutions.models.accounts import LoginToken, TokenPurpose, User
from resolutions.models.audit import AuditCheckpoint, AuditEntry
from resolutions.models.common import utcnow
from resolutions.models.conferences import (
    Conference,
    Participant,
    Proxy,
)
from resolutions.models.drafting import (
    AdoptedText,
    Amendment,
    AmendmentSponsor,
    Clause,
    ClauseVersion,
    Resolution,
)
from resolutions.models.voting import (
    BallotChoice,
    Poll,
    PollEntitlement,
    VoteRecord,
)

__all__ = [
    "AdoptedText",
    "Amendment",
    "AmendmentKind",
    "AmendmentSponsor",
    "AmendmentState",
    "AuditCheckpoint",
    "AuditEntry",
    "BallotChoice",
    "BallotKind",
    "Choice",
    "Clause",
    "ClauseKind",
    "ClauseVersion",
    "Conference",
    "ConferenceState",
    "LoginToken",
    "MajorityMethod",
    "NumberingStyle",
    "Participant",
    "Poll",
    "PollEntitlement",
    "PollOutcome",
    "PollState",
    "PollSubject",
    "Proxy",
    "Resolution",
    "ResolutionState",
    "Role",
    "SponsorStatus",
    "TokenPurpose",
    "User",
    "VoteRecord",
    "utcnow",
]
