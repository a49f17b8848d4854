"""The audit log: hash chain, the secretariat's page, ``flask audit-verify``."""

from __future__ import annotations

import sqlalchemy as sa

from resolutions import audit
from resolutions.models import AuditEntry
from tests.objects.app import url_path


def _record_three(db, world) -> list[AuditEntry]:
    entries = [
        audit.record(
            f"test.step{i}",
            actor=world.secretariat.user,
            conference_id=world.conference.id,
            obj=world.delegate,
            details={"step": i},
        )
        for i in range(3)
    ]
    db.session.commit()
    return entries


def test_chain_verifies_and_detects_a_changed_entry(db, world):
    entries = _record_three(db, world)
    assert audit.verify_chain().ok
    db.session.execute(
        sa.update(AuditEntry).where(AuditEntry.id == entries[1].id).values(details='{"step":9}')
    )
    db.session.commit()
    report = audit.verify_chain()
    assert (report.broken_at, report.reason) == (
        entries[1].id,
        "entry changed after it was written",
    )


def test_chain_detects_a_deleted_entry(db, world):
    entries = _record_three(db, world)
    db.session.execute(sa.delete(AuditEntry).where(AuditEntry.id == entries[1].id))
    db.session.commit()
    report = audit.verify_chain()
    assert report.broken_at == entries[2].id
    assert report.reason == "previous entry missing or changed"


def test_audit_verify_command_reports_intact_chain(db, world, runner):
    _record_three(db, world)
    result = runner.invoke(args=["audit-verify"])
    assert result.exit_code == 0
    assert "Audit log intact: 3 entries verified." in result.output


def test_audit_verify_command_names_a_changed_entry(db, world, runner):
    entries = _record_three(db, world)
    db.session.execute(
        sa.update(AuditEntry).where(AuditEntry.id == entries[0].id).values(actor_name="Mallory")
    )
    db.session.commit()
    result = runner.invoke(args=["audit-verify"])
    assert result.exit_code == 1
    assert f"BROKEN at entry {entries[0].id}" in result.output
    assert "changed after it was written" in result.output


def test_audit_verify_command_names_the_entry_after_a_deleted_one(db, world, runner):
    entries = _record_three(db, world)
    db.session.execute(sa.delete(AuditEntry).where(AuditEntry.id == entries[1].id))
    db.session.commit()
    result = runner.invoke(args=["audit-verify"])
    assert result.exit_code == 1
    assert f"BROKEN at entry {entries[2].id}" in result.output
    assert "previous entry missing" in result.output


def test_secretariat_sees_the_log_newest_first_with_the_chain_status(db, world, as_user):
    entries = _record_three(db, world)
    client = as_user(world.secretariat)
    html = client.get(
        url_path("conferences.audit_log", conference_id=world.conference.id)
    ).get_data(as_text=True)
    assert "Chain verified: 3 entries intact" in html
    positions = [html.index(f"Entry {e.id} ") for e in entries]
    assert positions == sorted(positions, reverse=True)
    assert "Sec Retary" in html
    db.session.execute(
        sa.update(AuditEntry).where(AuditEntry.id == entries[2].id).values(details="{}")
    )
    db.session.commit()
    html = client.get(
        url_path("conferences.audit_log", conference_id=world.conference.id)
    ).get_data(as_text=True)
    assert f"Chain broken at entry {entries[2].id}" in html


def test_log_shows_only_this_conference_in_pages_of_100(db, world, other_world, as_user):
    for i in range(105):
        audit.record("test.here", actor=None, conference_id=world.conference.id, details={"i": i})
    audit.record("test.elsewhere", actor=None, conference_id=other_world.conference.id)
    db.session.commit()
    client = as_user(world.secretariat)
    first = client.get(
        url_path("conferences.audit_log", conference_id=world.conference.id)
    ).get_data(as_text=True)
    assert "Page 1 of 2" in first
    assert "test.elsewhere" not in first
    assert first.count('<li class="audit-entry') == 100
    second = client.get(
        url_path("conferences.audit_log", conference_id=world.conference.id, page="2")
    ).get_data(as_text=True)
    assert second.count('<li class="audit-entry') == 5


def test_settings_change_appears_in_the_log_with_old_and_new_values(db, world, as_user):
    client = as_user(world.secretariat)
    conf = world.conference
    client.post(
        url_path("conferences.settings", conference_id=conf.id),
        data={
            "title": conf.title,
            "short_name": conf.short_name,
            "place": "Osh",
            "start_date": conf.start_date.isoformat(),
            "language": conf.language,
            "state": conf.state.value,
            "majority_method": conf.majority_method.value,
            "quorum": "1/2",
            "ballot_kind": conf.ballot_kind.value,
            "proxy_limit": "1",
        },
    )
    html = client.get(url_path("conferences.audit_log", conference_id=conf.id)).get_data(
        as_text=True
    )
    assert "Settings changed" in html
    assert "<dt>Place</dt><dd><del>Bishkek</del> → <ins>Osh</ins>" in html
    assert "<dt>Quorum by default</dt><dd><del>none</del> → <ins>1/2</ins>" in html


def test_only_the_secretariat_reads_the_log(world, as_user):
    for member in (world.chair, world.delegate, world.observer):
        assert (
            as_user(member)
            .get(url_path("conferences.audit_log", conference_id=world.conference.id))
            .status_code
            == 403
        )


def test_drafting_and_voting_entries_read_in_words_not_codes(db, world, as_user):
    from resolutions.audit_labels import ACTION as ACTION_LABELS
    from tests.objects.drafting import make_draft

    make_draft(world)
    db.session.commit()
    page = (
        as_user(world.secretariat)
        .get(url_path("conferences.audit_log", conference_id=world.conference.id))
        .get_data(as_text=True)
    )
    assert "Resolution created" in page
    listed = page[page.index('<ol class="audit-list">') :]
    assert "resolution.created" not in listed
    # Every action the product records has words of its own.
    recorded = set(db.session.scalars(sa.select(AuditEntry.action)))
    assert recorded <= set(ACTION_LABELS), recorded - set(ACTION_LABELS)


def test_every_action_written_in_the_code_has_a_label():
    import re
    from pathlib import Path

    from resolutions.audit_labels import ACTION as ACTION_LABELS

    source = Path(__file__).resolve().parent.parent / "resolutions"
    written: set[str] = set()
    for path in source.rglob("*.py"):
        text = path.read_text()
        written |= set(re.findall(r'(?:record|_record)\(\s*"([a-z_]+\.[a-z_]+)"', text))
    written |= {"resolution.adopted", "resolution.rejected"}  # f"resolution.{state.value}"
    assert len(written) > 30
    assert written <= set(ACTION_LABELS), sorted(written - set(ACTION_LABELS))


# --- the anchor: a head published outside the database ----------------------------------------


def _rewrite_from(db, entry_id: int, **changes) -> None:
    """What someone with write access to the database can do: change an entry and recompute
    every hash after it, so that the links alone no longer tell."""
    db.session.execute(sa.update(AuditEntry).where(AuditEntry.id == entry_id).values(**changes))
    prev = audit.GENESIS
    for entry in db.session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id)):
        entry.prev_hash = prev
        entry.entry_hash = audit._digest(entry)
        prev = entry.entry_hash
        db.session.flush()
    db.session.commit()


def test_a_published_head_passes_while_the_chain_only_grows(db, world, runner):
    _record_three(db, world)
    head = audit.head_digest()
    assert len(head) == 19 and head.count("-") == 3
    _record_three(db, world)  # later entries appended after the head was printed
    result = runner.invoke(args=["audit-verify", "--head", head])
    assert result.exit_code == 0, result.output
    assert f"Head {head} is in place" in result.output
    assert "3 entries appended after it" in result.output
    assert "Audit log intact: 6 entries verified." in result.output
    # The full hash and the digest without dashes name the same head.
    full = runner.invoke(args=["audit-verify", "--head", audit.head_hash()])
    assert full.exit_code == 0, full.output
    bare = runner.invoke(args=["audit-verify", "--head", head.replace("-", "").upper()])
    assert bare.exit_code == 0, bare.output


def test_a_truncated_chain_fails_against_the_published_head(db, world, runner):
    entries = _record_three(db, world)
    head = audit.head_digest()
    db.session.execute(sa.delete(AuditEntry).where(AuditEntry.id == entries[2].id))
    db.session.commit()
    # The links alone still hold: the cut is invisible without the anchor.
    assert runner.invoke(args=["audit-verify"]).exit_code == 0
    result = runner.invoke(args=["audit-verify", "--head", head])
    assert result.exit_code == 1
    assert f"does NOT contain the published head {head}" in result.output
    assert "deleted" in result.output


def test_a_rewritten_chain_fails_against_the_published_head(db, world, runner):
    entries = _record_three(db, world)
    head = audit.head_digest()
    _rewrite_from(db, entries[1].id, details='{"step": 99}')
    assert runner.invoke(args=["audit-verify"]).exit_code == 0  # recomputed: links hold
    result = runner.invoke(args=["audit-verify", "--head", head])
    assert result.exit_code == 1
    assert f"does NOT contain the published head {head}" in result.output
    assert "rewritten" in result.output


def test_a_rewrite_after_the_head_is_not_caught_by_that_head(db, world, runner):
    """What the anchor does not promise: entries written after the head was published can be
    rewritten without touching it; only a head published later would tell."""
    _record_three(db, world)
    head = audit.head_digest()
    later = _record_three(db, world)
    _rewrite_from(db, later[0].id, details='{"step": 42}')
    assert runner.invoke(args=["audit-verify", "--head", head]).exit_code == 0


def test_audit_verify_refuses_a_malformed_head(db, world, runner):
    _record_three(db, world)
    result = runner.invoke(args=["audit-verify", "--head", "not-a-digest"])
    assert result.exit_code == 2
    assert "is not a head digest" in result.output


def test_times_and_the_period_follow_the_conference_time_zone(db, world, as_user):
    from datetime import datetime

    world.conference.timezone = "Asia/Bishkek"  # UTC+6, no summer time
    entry = audit.record(
        "conference.settings_changed", actor=None, conference_id=world.conference.id
    )
    entry.created_at = datetime(2026, 11, 30, 20, 30)  # 1 December, 02:30 in Bishkek
    entry.entry_hash = audit._digest(entry)  # the newest entry: nothing chains after it yet
    db.session.commit()
    client = as_user(world.secretariat)
    url = url_path("conferences.audit_log", conference_id=world.conference.id)
    page = client.get(url).get_data(as_text=True)
    assert "Chain verified: 1 entry intact" in page
    assert "01.12.2026, 02:30" in page  # the conference works in Russian
    assert "Dates and times in the time zone Бишкек." in page  # the city, in the reader's language
    on_the_day = client.get(f"{url}?since=2026-12-01&until=2026-12-01").get_data(as_text=True)
    assert on_the_day.count('<li class="audit-entry') == 1
    day_before = client.get(f"{url}?until=2026-11-30").get_data(as_text=True)
    assert day_before.count('<li class="audit-entry') == 0
    assert "No entry matches these filters." in day_before
