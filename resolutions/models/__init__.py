"""All tables of the product, one module per area. Import from here."""

from resolutions.models.accounts import LoginToken, TokenPurpose, User
from resolutions.models.audit import AuditCheckpoint, AuditEntry
from resolutions.models.common import utcnow
from resolutions.models.conferences import (
    BallotKind,
    Conference,
    ConferenceState,
    MajorityMethod,
    NumberingStyle,
    Participant,
    Proxy,
    Role,
)
from resolutions.models.drafting import (
    AdoptedText,
    Amendment,
    AmendmentKind,
    AmendmentSponsor,
    AmendmentState,
    Clause,
    ClauseKind,
    ClauseVersion,
    Resolution,
    ResolutionState,
    SponsorStatus,
)
from resolutions.models.voting import (
    BallotChoice,
    Choice,
    Poll,
    PollEntitlement,
    PollOutcome,
    PollState,
    PollSubject,
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
