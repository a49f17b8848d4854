from __future__ import annotations

import sqlalchemy as sa
from flask_login import LoginManager

from resolutions.extensions import db
from resolutions.models import User


def init_login(manager: LoginManager) -> None:
    @manager.user_loader
    def load_user(session_id: str) -> User | None:
        # The id carries the session version: a changed password ends older sessions.
        user_id, _, version = session_id.partition(":")
        if not user_id.isdigit() or not version.isdigit():
            return None
        return db.session.scalar(
            sa.select(User).where(User.id == int(user_id), User.session_version == int(version))
        )
