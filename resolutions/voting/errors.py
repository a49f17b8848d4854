"""TODO(rules): gone once the voting views (being split into a package) use resolutions.errors."""

from resolutions.errors import DomainError, PermissionDenied

VotingError = DomainError

__all__ = ["PermissionDenied", "VotingError"]
