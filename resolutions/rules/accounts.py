"""Rules of accounts that hold without a database: how an e-mail address is compared."""

from __future__ import annotations


def normalise_email(email: str) -> str:
    """The form an address is stored and compared in: one account per address, whatever the
    case a person or a spreadsheet wrote it in."""
    return email.strip().lower()
