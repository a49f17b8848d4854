"""The audit log's head on paper: the adopted resolution and the voting record carry it, and
``flask audit-verify --head`` with the printed digest notices a log cut back afterwards."""

from __future__ import annotations

import csv
import io
import re

import sqlalchemy as sa

from resolutions import audit
from resolutions.drafting import service as drafting
from resolutions.extensions import db
from resolutions.models import AuditEntry
from tests.documents_support import flat, pdf_text
from tests.objects.app import url_path
from tests.objects.documents import hold_sitting
from tests.objects.drafting import make_draft

DIGEST = re.compile(r"Audit log head: ([0-9a-f]{4}(?:-[0-9a-f]{4}){3})\.")


def _csv_rows(data: bytes) -> list[list[str]]:
    text = data.decode("utf-8-sig")
    dialect = csv.Sniffer().sniff(text.splitlines()[0], delimiters=",;")
    return list(csv.reader(io.StringIO(text), dialect))


def _printed_head(text: str) -> str:
    found = DIGEST.findall(flat(text))
    assert len(found) == 1, text
    return found[0]


def test_adopted_resolution_carries_the_head_that_verifies_until_the_log_is_cut(
    world, as_user, runner
):
    sitting = hold_sitting(world)
    url = url_path(
        "documents.resolution_pdf",
        conference_id=world.conference.id,
        resolution_id=sitting.resolution.id,
        lang="en",
    )
    answer = as_user(world.delegate).get(url)
    assert answer.status_code == 200
    head = _printed_head(pdf_text(answer.data, layout=False))
    # The head as it stood when the text was frozen at adoption (the adopted text is a
    # record: later entries never change it).
    frozen = drafting.read_adopted_text(drafting.adopted_text(sitting.resolution))
    assert head == frozen.audit_digest
    assert "flask audit-verify --head" in flat(pdf_text(answer.data, layout=False))

    assert runner.invoke(args=["audit-verify", "--head", head]).exit_code == 0
    # Cut the log back to just before the printed head: the paper no longer matches it.
    printed = db.session.scalar(
        sa.select(AuditEntry.id).where(AuditEntry.entry_hash == frozen.audit_head)
    )
    db.session.execute(sa.delete(AuditEntry).where(AuditEntry.id >= printed))
    db.session.commit()
    result = runner.invoke(args=["audit-verify", "--head", head])
    assert result.exit_code == 1
    assert "does NOT contain the published head" in result.output


def test_a_draft_copy_carries_no_head(world, as_user):
    resolution = make_draft(world)
    db.session.commit()
    url = url_path(
        "documents.resolution_pdf",
        conference_id=world.conference.id,
        resolution_id=resolution.id,
        lang="en",
    )
    answer = as_user(world.secretariat).get(url)
    assert "Audit log head" not in flat(pdf_text(answer.data, layout=False))


def test_voting_record_pdf_and_csv_carry_the_head(world, as_user):
    hold_sitting(world)
    client = as_user(world.chair)
    pdf = client.get(url_path("documents.record_pdf", conference_id=world.conference.id, lang="en"))
    assert _printed_head(pdf_text(pdf.data, layout=False)) == audit.head_digest()
    answer = client.get(
        url_path("documents.record_csv", conference_id=world.conference.id, lang="en")
    )
    rows = _csv_rows(answer.data)
    assert rows[-1][1:4] == ["Audit log head", "", audit.head_digest()]
    assert len(rows[-1]) == len(rows[0])
