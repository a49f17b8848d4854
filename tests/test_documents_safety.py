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
import threading
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
from tests.objects.app import url_path
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
    base = url_path("documents.index", conference_id=conference_id)
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
            # Only our own files: the resolution carries itself for machines (JSON, Akoma
            # Ntoso), no document anything the hostile text named.
            attached = {
                "resolution": {
                    f"resolution-{resolution_id}.json",
                    f"resolution-{resolution_id}-{world.conference.language}.akn.xml",
                }
            }
            assert set(embedded_files(pdf)) == attached.get(name, set()), name
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
    answer = as_user(world.chair).get(
        url_path("documents.record_csv", conference_id=world.conference.id, lang="en")
    )
    assert answer.status_code == 200
    assert answer.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert answer.data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(answer.data.decode("utf-8-sig"))))
    voters = {row[16] for row in rows[1:] if row[1] == "Vote"}
    assert '\'=HYPERLINK("http://evil.example","click")' in voters
    assert "'@SUM(1+1)" in voters
    for row in rows:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell


@pytest.mark.slow
def test_a_thousand_clause_resolution_renders_while_other_requests_are_served(app, world, as_user):
    """Measured rather than moved to another process: the export of a 1,000-clause
    resolution finishes, and while it renders in one thread another thread's requests are
    answered (the figures are printed with -s)."""
    world.conference.language = "en"  # the text is English: its first language
    paragraphs = ["Recalling its earlier decisions on the matter before it,"] * 20
    paragraphs += [
        f"{n}. Calls upon the member organisations to carry out action number {n} of the "
        "programme and to report on its results to the secretariat;"
        for n in range(1, 981)
    ]
    resolution = make_draft(world, "\n\n".join(paragraphs), title="A very long resolution")
    db.session.commit()
    url = url_path(
        "documents.resolution_pdf",
        conference_id=world.conference.id,
        resolution_id=resolution.id,
        lang="en",
    )
    exporter, reader_client = as_user(world.secretariat), as_user(world.delegate)
    result: dict[str, object] = {}

    def export() -> None:
        started, cpu = time.perf_counter(), time.thread_time()
        with app.app_context():  # the test client expires this thread's session afterwards
            result["answer"] = exporter.get(url)
        result["elapsed"] = time.perf_counter() - started
        result["cpu"] = time.thread_time() - cpu

    worker = threading.Thread(target=export)
    worker.start()
    time.sleep(0.5)
    meanwhile = []
    while worker.is_alive() and len(meanwhile) < 5:
        started = time.perf_counter()
        page = reader_client.get(url_path("documents.index", conference_id=world.conference.id))
        meanwhile.append(time.perf_counter() - started)
        assert page.status_code == 200
    worker.join(timeout=300)
    assert not worker.is_alive(), "the export did not finish"
    answer = result["answer"]
    assert answer.status_code == 200
    pages = len(reader(answer.data).pages)
    print(
        f"\n1,000-clause resolution: {pages} pages in {result['elapsed']:.1f} s "
        f"({result['cpu']:.1f} s CPU); meanwhile {len(meanwhile)} documents pages answered "
        f"in {max(meanwhile, default=0):.2f} s at most"
    )
    text = flat(pdf_text(answer.data))
    assert "980. Calls upon the member organisations to carry out action number 980" in text
    assert pages > 40
    # Other requests were answered during the export, each in well under its duration.
    assert meanwhile, "the export ended before a second request could be timed"
    assert max(meanwhile) < 3
    # The request finishes: a few seconds on a 2-core machine shared with the test suite;
    # the bound leaves room for a loaded machine while catching a hang.
    assert result["elapsed"] < 90
