"""The draft page's data comes in a constant number of queries, however big the draft."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import sqlalchemy as sa

from resolutions.drafting import service
from resolutions.models import (
    Amendment,
    AmendmentSponsor,
    Clause,
    Conference,
    Participant,
    Resolution,
    User,
)
from tests.objects.drafting import build_large_draft


@contextmanager
def counting(engine: sa.Engine) -> Iterator[list[str]]:
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)


def _page_queries(
    db, conference_id: int, viewer_id: int, resolution_id: int
) -> tuple[int, service.DraftPage]:
    """Queries of ``draft_page_data`` in a fresh session, as in a request that has loaded
    the conference, the viewer and the resolution."""
    db.session.remove()
    conference = db.session.get(Conference, conference_id)
    viewer = db.session.get(Participant, viewer_id)
    resolution = db.session.get(Resolution, resolution_id)
    assert conference is not None and viewer is not None and resolution is not None
    with counting(db.engine) as statements:
        page = service.draft_page_data(resolution, viewer)
        # What a template reads of every amendment must already be there.
        for views in (*page.amendments_to.values(), *page.inserts_before.values()):
            for view in views:
                _ = view.amendment.proposer.user.name
                _ = [p.user.name for p in view.confirmed_sponsors]
                _ = view.amendment.target_clause, view.amendment.after_clause
                _ = view.amendment.resolution.conference.title
    return len(statements), page


@pytest.mark.slow
def test_draft_page_data_query_count_does_not_grow(db, world):
    conference_id, viewer_id = world.conference.id, world.delegate.id
    proposer_ids = [p.id for p in (*world.delegates, world.chair)]
    author_id = world.secretariat.user.id
    sizes = {}
    for clauses, amendments in [(10, 0), (10, 300), (200, 0), (200, 300)]:
        db.session.remove()
        proposers = [db.session.get(Participant, i) for i in proposer_ids]
        author = db.session.get(User, author_id)
        conference = db.session.get(Conference, conference_id)
        resolution = build_large_draft(
            conference, author, proposers, clauses=clauses, amendments=amendments
        )
        db.session.commit()
        resolution_id = resolution.id
        count, page = _page_queries(db, conference_id, viewer_id, resolution_id)
        assert len(page.clauses) == clauses
        shown = sum(len(v) for v in (*page.amendments_to.values(), *page.inserts_before.values()))
        drafts_of_others = db.session.scalar(
            sa.select(sa.func.count(Amendment.id)).where(
                Amendment.resolution_id == resolution_id,
                Amendment.state == "draft",
                Amendment.proposer_id != viewer_id,
                ~sa.exists().where(  # drafts they were invited to co-sponsor they see
                    AmendmentSponsor.amendment_id == Amendment.id,
                    AmendmentSponsor.participant_id == viewer_id,
                ),
            )
        )
        assert shown == amendments - drafts_of_others
        if amendments:
            assert any(v.is_stale for vs in page.amendments_to.values() for v in vs)
            assert any(v.confirmed_sponsors for vs in page.amendments_to.values() for v in vs)
        sizes[(clauses, amendments)] = count
    assert len(set(sizes.values())) == 1, sizes
    assert sizes[(200, 300)] <= 5
    assert db.session.scalar(sa.select(sa.func.count(Clause.id))) == 420
