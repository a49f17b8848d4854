"""Hostile text in clauses, justifications and names: printed literally, nothing fetched.

WeasyPrint's risks (file disclosure, SSRF, ``<link rel=attachment>``) need markup in the HTML;
our templates escape user text, and the fetcher would refuse the URLs anyway. These tests put
the attacks where users can type and watch a listening socket, the PDF's attachments, the log
and the extracted text.
"""

from __future__ import annotations

import csv
import io
import logging
import time

import pytest

from resolutions.extensions import db
from tests.documents_support import (
    HOSTILE,
    Listener,
    embedded_files,
    flat,
    pdf_text,
    reader,
    squeezed,
)
from tests.objects.documents import hold_sitting
from tests.objects.drafting import make_draft


@pytest.fixture
def listener():
    listening = Listener()
    yield listening
    listening.close()


def test_every_document_prints_hostile_text_literally_and_fetches_nothing(
    world, as_user, listener, caplog
):
    hostile = HOSTILE.format(port=listener.port)
    sitting = hold_sitting(world, hostile=hostile)
    conference_id, resolution_id = world.conference.id, sitting.resolution.id
    client = as_user(world.secretariat)
    base = f"/c/{conference_id}/documents"
    documents = {
        "resolution": f"{base}/resolution/{resolution_id}.pdf?lang=en&votes=1",
        "draft": f"{base}/draft/{resolution_id}.pdf?lang=en",
        "record": f"{base}/record.pdf?lang=en",
        "cards": f"{base}/cards.pdf?lang=en",
    }
    # Where the hostile text was typed, and so where it must show: the clause, the
    # justification, the co-sponsor's and voter's name. (A card has room for the start of such
    # a long name only: its box has the fixed size of the card and clips the rest.)
    expected_copies = {"resolution": 1, "draft": 3, "record": 2, "cards": 1}
    pieces = [
        '<img src="file:///etc/passwd">',
        '<link rel="attachment" href="file:///etc/passwd">',
        f"<style>@import url(http://127.0.0.1:{listener.port}/x)</style>",
        f'<i style="background:url(http://127.0.0.1:{listener.port}/y)">css</i>',
    ]
    with caplog.at_level(logging.DEBUG, logger="weasyprint"):
        for name, url in documents.items():
            answer = client.get(url)
            assert answer.status_code == 200, name
            pdf = answer.data
            assert embedded_files(pdf) == {}, name
            text = squeezed(pdf_text(pdf, layout=False))
            for piece in pieces[:1] if name == "cards" else pieces:
                assert text.count(squeezed(piece)) >= expected_copies[name], (name, piece)
            assert "root:x:0:0" not in text  # /etc/passwd's first line
            # No link annotation either: the text is text, not a link.
            for page in reader(pdf).pages:
                annotations = page.get("/Annots") or []
                assert all(a.get_object().get("/Subtype") != "/FileAttachment" for a in annotations)
    csv_answer = client.get(f"{base}/record.csv?lang=en")
    rows = list(csv.reader(io.StringIO(csv_answer.data.decode("utf-8-sig"))))
    assert hostile in {row[16] for row in rows}  # the voter's name, as typed
    assert listener.connections == 0
    # Nothing was even attempted: the escaped text never became a URL to fetch.
    attempts = [r for r in caplog.records if "Failed to load" in r.getMessage()]
    assert attempts == []


def test_csv_neutralises_formula_names(world, as_user):
    world.delegates[1].user.name = '=HYPERLINK("http://evil.example","click")'
    world.delegates[0].user.name = "@SUM(1+1)"
    hold_sitting(world)
    answer = as_user(world.chair).get(f"/c/{world.conference.id}/documents/record.csv?lang=en")
    assert answer.status_code == 200
    assert answer.mimetype == "text/csv"
    assert answer.data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(answer.data.decode("utf-8-sig"))))
    voters = {row[16] for row in rows[1:] if row[1] == "Vote"}
    assert '\'=HYPERLINK("http://evil.example","click")' in voters
    assert "'@SUM(1+1)" in voters
    for row in rows:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell


@pytest.mark.slow
def test_a_thousand_clause_resolution_renders_in_reasonable_time(world, as_user):
    """Measured rather than moved to a worker: the figure is printed (-s) and bounded."""
    paragraphs = ["Recalling its earlier decisions on the matter before it,"] * 20
    paragraphs += [
        f"{n}. Calls upon the member organisations to carry out action number {n} of the "
        "programme and to report on its results to the secretariat;"
        for n in range(1, 981)
    ]
    resolution = make_draft(world, "\n\n".join(paragraphs), title="A very long resolution")
    db.session.commit()
    client = as_user(world.secretariat)
    started = time.perf_counter()
    answer = client.get(
        f"/c/{world.conference.id}/documents/resolution/{resolution.id}.pdf?lang=en"
    )
    elapsed = time.perf_counter() - started
    assert answer.status_code == 200
    pages = len(reader(answer.data).pages)
    print(f"\n1,000-clause resolution: {pages} pages in {elapsed:.1f} s")
    text = flat(pdf_text(answer.data))
    assert "980. Calls upon the member organisations to carry out action number 980" in text
    assert pages > 40
    # The request finishes: on a 2-core machine shared with the test suite it takes a few
    # seconds; the bound leaves room for a loaded machine while catching a hang.
    assert elapsed < 60
