"""One ballot per vote, whatever the clicks, retries, tabs and threads; refusals refuse.

The unique constraint on (poll, participant) is what holds: the concurrent tests make two
requests pass the Python check together, and the database still keeps one row.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from resolutions.errors import DomainError, PermissionDenied
from resolutions.extensions import db as _db
from resolutions.models import (
    BallotKind,
    Choice,
    Participant,
    Poll,
    PollState,
    VoteRecord,
)
from resolutions.voting import service
from tests.objects.app import sign_in, url_path
from tests.objects.voting import check_in, give_proxy, procedural_poll, secret_units
from tests.objects.world import make_conference

YES, NO = Choice.YES, Choice.NO


def ballot_url(poll: Poll) -> str:
    return url_path("voting.cast", conference_id=poll.conference_id, poll_id=poll.id)


def post_ballot(client, poll: Poll, choice: str, key: str | None, **extra: Any):
    data = {"choice": choice, **extra}
    if key is not None:
        data["idempotency_key"] = key
    return client.post(ballot_url(poll), data=data, headers={"Accept": "application/json"})


def records(poll_id: int) -> list[VoteRecord]:
    return list(_db.session.scalars(sa.select(VoteRecord).where(VoteRecord.poll_id == poll_id)))


def choice_rows(poll_id: int) -> int:
    return sum(secret_units(poll_id).values())


@pytest.fixture
def present(db, world):
    check_in(world.chair, *world.delegates)
    return world


# --- double clicks, retries, tabs ---------------------------------------------------------


@pytest.mark.parametrize("kind", [BallotKind.NAMED, BallotKind.SECRET])
def test_a_double_submit_records_one_ballot_and_answers_the_same_receipt(app, present, kind):
    poll = procedural_poll(present, ballot_kind=kind)
    client = sign_in(app.test_client(), present.delegate)
    first = post_ballot(client, poll, "yes", "form-1")
    again = post_ballot(client, poll, "yes", "form-1")
    assert first.status_code == again.status_code == 200
    assert first.get_json()["already_recorded"] is False
    assert again.get_json()["already_recorded"] is True
    assert again.get_json()["receipt"] == first.get_json()["receipt"]
    assert len(records(poll.id)) == 1
    assert choice_rows(poll.id) == (1 if kind == BallotKind.SECRET else 0)


def test_a_retried_call_after_a_lost_answer_gets_the_same_receipt(db, present):
    poll = procedural_poll(present, ballot_kind=BallotKind.SECRET)
    first = service.cast_ballot(poll.id, present.delegate, YES, idempotency_key="k")
    # The answer never reached the phone; it sends the same form again, twice.
    for _ in range(2):
        retry = service.cast_ballot(poll.id, present.delegate, YES, idempotency_key="k")
        assert retry.already_recorded and retry.receipt == first.receipt
    assert choice_rows(poll.id) == 1


def test_a_different_second_ballot_is_refused_with_a_clear_message(app, present):
    poll = procedural_poll(present)
    client = sign_in(app.test_client(), present.delegate)
    assert post_ballot(client, poll, "yes", "tab-1").status_code == 200
    refused = post_ballot(client, poll, "no", "tab-2")
    assert refused.status_code == 409
    assert refused.get_json()["ok"] is False
    assert "already recorded" in refused.get_json()["message"]
    assert [r.choice for r in records(poll.id)] == [YES]


def test_the_same_ballot_from_a_second_tab_in_a_named_poll_is_already_recorded(app, present):
    poll = procedural_poll(present)
    tab1 = sign_in(app.test_client(), present.delegate)
    tab2 = sign_in(app.test_client(), present.delegate)
    one = post_ballot(tab1, poll, "no", "tab-1").get_json()
    two = post_ballot(tab2, poll, "no", "tab-2").get_json()
    assert two["already_recorded"] and two["receipt"] == one["receipt"]
    assert len(records(poll.id)) == 1


def test_without_javascript_the_ballot_redirects_and_a_resubmit_changes_nothing(app, present):
    poll = procedural_poll(present)
    client = sign_in(app.test_client(), present.delegate)
    for _ in range(2):
        answer = client.post(ballot_url(poll), data={"choice": "yes", "idempotency_key": "f"})
        assert answer.status_code in (302, 303)
    assert len(records(poll.id)) == 1


# --- the database holds the line ------------------------------------------------------------


def test_the_database_refuses_a_second_row_for_the_same_vote(db, present):
    poll = procedural_poll(present)
    service.cast_ballot(poll.id, present.delegate, YES)
    db.session.add(
        VoteRecord(
            poll_id=poll.id,
            participant_id=present.delegate.id,
            cast_by_id=present.delegate.id,
            receipt="FORGED",
            choice=NO,
            weight=1,
        )
    )
    with pytest.raises(sa.exc.IntegrityError):
        db.session.commit()
    db.session.rollback()
    assert len(records(poll.id)) == 1


class FlushGate:
    """Holds every cast at its first flush until ``parties`` casts got there: each of them
    has passed the Python "already voted?" check before any of them writes."""

    def __init__(self, parties: int) -> None:
        self.barrier = threading.Barrier(parties, timeout=20)
        self.local = threading.local()
        self.arrived = 0
        self.lock = threading.Lock()

    def __call__(self, session: Session, flush_context: Any, instances: Any) -> None:
        if not getattr(self.local, "armed", False) or getattr(self.local, "passed", False):
            return
        if not any(isinstance(o, VoteRecord) for o in session.new):
            return
        self.local.passed = True
        with self.lock:
            self.arrived += 1
        self.barrier.wait()


def run_together(app, gate: FlushGate | None, jobs: list[Callable[[], Any]]) -> list[Any]:
    """Run each job in its own thread, app context and database session."""
    results: list[Any] = [None] * len(jobs)

    def worker(index: int, job: Callable[[], Any]) -> None:
        with app.app_context():
            if gate is not None:
                gate.local.armed = True
            try:
                results[index] = job()
            except Exception as error:  # collected and asserted on by the test
                results[index] = error

    threads = [threading.Thread(target=worker, args=(i, job)) for i, job in enumerate(jobs)]
    if gate is not None:
        sa.event.listen(Session, "before_flush", gate)
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    finally:
        if gate is not None:
            sa.event.remove(Session, "before_flush", gate)
    assert not any(t.is_alive() for t in threads)
    return results


def cast_job(poll_id: int, participant_id: int, choice: Choice, key: str | None, **kw: Any):
    def job() -> service.Receipt:
        caster = _db.session.get(Participant, participant_id)
        return service.cast_ballot(poll_id, caster, choice, idempotency_key=key, **kw)

    return job


@pytest.mark.parametrize("kind", [BallotKind.NAMED, BallotKind.SECRET])
def test_two_requests_at_once_with_the_same_form_record_one_ballot(app, present, kind):
    poll = procedural_poll(present, ballot_kind=kind)
    gate = FlushGate(2)
    job = cast_job(poll.id, present.delegate.id, YES, "same-form")
    results = run_together(app, gate, [job, job])
    assert gate.arrived == 2  # both passed the Python check: only the database refused one
    assert all(isinstance(r, service.Receipt) for r in results), results
    assert sorted(r.already_recorded for r in results) == [False, True]
    assert results[0].receipt == results[1].receipt
    assert len(records(poll.id)) == 1
    assert choice_rows(poll.id) == (1 if kind == BallotKind.SECRET else 0)


def test_two_different_ballots_at_once_record_one_and_refuse_the_other(app, present):
    poll = procedural_poll(present, ballot_kind=BallotKind.SECRET)
    gate = FlushGate(2)
    results = run_together(
        app,
        gate,
        [
            cast_job(poll.id, present.delegate.id, YES, "tab-1"),
            cast_job(poll.id, present.delegate.id, NO, "tab-2"),
        ],
    )
    assert gate.arrived == 2
    receipts = [r for r in results if isinstance(r, service.Receipt)]
    refusals = [r for r in results if isinstance(r, DomainError)]
    assert len(receipts) == 1 and len(refusals) == 1, results
    assert "first ballot stands" in refusals[0].message
    assert len(records(poll.id)) == 1
    assert choice_rows(poll.id) == 1


def test_many_voters_at_once_each_once(app, db):
    world = make_conference("Crowd", delegates=12)
    check_in(*world.delegates)
    poll = procedural_poll(world, ballot_kind=BallotKind.SECRET)
    jobs = []
    for delegate in world.delegates:
        jobs += [cast_job(poll.id, delegate.id, YES, f"k{delegate.id}")] * 2
    results = run_together(app, None, jobs)
    assert all(isinstance(r, service.Receipt) for r in results), results
    assert sum(not r.already_recorded for r in results) == 12
    assert len(records(poll.id)) == 12
    assert choice_rows(poll.id) == 12


def test_a_ballot_in_flight_when_the_chair_closes_is_counted_not_lost(app, present):
    """The cast has written its rows and not committed yet; the close waits for it."""
    poll = procedural_poll(present)
    written = threading.Event()
    release = threading.Event()
    caster_thread: dict[str, int] = {}

    def pause(session: Session) -> None:
        if threading.get_ident() == caster_thread.get("id") and not written.is_set():
            written.set()
            release.wait(timeout=20)

    def cast() -> Any:
        caster_thread["id"] = threading.get_ident()
        return cast_job(poll.id, present.delegate.id, YES, "k")()

    def close() -> Any:
        written.wait(timeout=20)
        timer = threading.Timer(0.5, release.set)  # the close is waiting on the lock by now
        timer.start()
        locked = _db.session.get(Poll, poll.id)
        service.close_poll(locked, _db.session.get(Participant, present.chair.id))
        _db.session.commit()
        return locked.ballots_cast

    sa.event.listen(Session, "before_commit", pause)
    try:
        results = run_together(app, None, [cast, close])
    finally:
        sa.event.remove(Session, "before_commit", pause)
    assert isinstance(results[0], service.Receipt), results
    assert results[1] == 1, results
    _db.session.expire_all()
    poll = _db.session.get(Poll, poll.id)
    assert (poll.state, poll.ballots_cast, poll.yes_weight) == (PollState.CLOSED, 1, 1)


# --- refusals ---------------------------------------------------------------------------------


def test_voting_after_the_close_is_refused(app, present):
    poll = procedural_poll(present)
    service.close_poll(poll, present.chair)
    _db.session.commit()
    answer = post_ballot(sign_in(app.test_client(), present.delegate), poll, "yes", "k")
    assert answer.status_code == 409
    assert "closed" in answer.get_json()["message"]
    assert records(poll.id) == []


def test_voting_without_the_right_or_absent_at_opening_is_refused(app, world):
    check_in(world.chair, world.delegates[0])
    poll = procedural_poll(world)
    check_in(world.delegates[1])  # arrives after the opening
    world.delegates[0].voting_right = False  # losing the right later changes nothing...
    _db.session.commit()
    late = post_ballot(sign_in(app.test_client(), world.delegates[1]), poll, "yes", "k")
    assert late.status_code == 403
    assert "not entitled" in late.get_json()["message"]
    # ...the list was frozen when the poll opened.
    frozen = post_ballot(sign_in(app.test_client(), world.delegates[0]), poll, "yes", "k")
    assert frozen.status_code == 200
    # Observers and the secretariat hold no ballot at all.
    for member in (world.observer, world.secretariat):
        answer = post_ballot(sign_in(app.test_client(), member), poll, "yes", "k")
        assert answer.status_code == 403
    assert len(records(poll.id)) == 1


def test_voting_in_another_conferences_poll_is_refused(app, present, other_world):
    check_in(other_world.chair, *other_world.delegates)
    foreign = procedural_poll(other_world)
    client = sign_in(app.test_client(), present.delegate)
    # Through my conference's URL: the service refuses the other conference's poll.
    wrong = url_path("voting.cast", conference_id=present.conference.id, poll_id=foreign.id)
    answer = client.post(wrong, data={"choice": "yes"}, headers={"Accept": "application/json"})
    assert answer.status_code in (403, 404)
    if answer.status_code == 403:
        assert "does not belong to your conference" in answer.get_json()["message"]
    # Through the other conference's URL: I am no member there.
    assert post_ballot(client, foreign, "yes", "k").status_code in (403, 404)
    # And the service refuses it whatever the view does.
    with pytest.raises(PermissionDenied, match="does not belong to your conference"):
        service.cast_ballot(foreign.id, present.delegate, YES)
    assert records(foreign.id) == []


def test_a_proxy_vote_without_a_valid_proxy_is_refused(app, world):
    d1, d2, d3 = world.delegates
    check_in(world.chair, d1)
    give_proxy(d2, d1)
    proxy_after = None
    poll = procedural_poll(world)
    client = sign_in(app.test_client(), world.chair)
    # The chair holds no proxy for d2.
    answer = post_ballot(client, poll, "yes", "k", **{"for": [str(d2.id)]})
    assert answer.status_code == 403
    assert "no proxy" in answer.get_json()["message"]
    # A proxy given after the opening does not count in this poll (and is refused anyway).
    with pytest.raises(DomainError):
        proxy_after = give_proxy(d3, world.chair)
    assert proxy_after is None
    _db.session.rollback()
    # The holder's frozen proxy works; the principal cannot vote over it.
    holder = sign_in(app.test_client(), d1)
    assert post_ballot(holder, poll, "no", "h", **{"for": [str(d2.id)]}).status_code == 200
    principal = post_ballot(sign_in(app.test_client(), d2), poll, "yes", "p")
    assert principal.status_code == 403
    assert [(r.participant_id, r.cast_by_id) for r in records(poll.id)] == [(d2.id, d1.id)]
