"""How much our export adds to WeasyPrint: the resolution PDF, demo-sized and 200 clauses.

For each resolution it times the whole export (GET ``documents.resolution_pdf`` through the
Flask test client: session, database, templates, WeasyPrint, PDF/A) and, side by side,
WeasyPrint alone rendering the same HTML already built (``html_to_pdf``, same fetcher, fonts
and PDF options). The ratio is our overhead (target under 1.2x). Times are medians of CPU
time (the wall clock, also printed, counts other processes' turns on a busy machine). A
1,000-clause export is timed once at the end. Then the Word exports: the 200-clause resolution
and the bench's 200-clause draft with 300 amendments (``build_large_draft``, the draft page's
benchmark) as the draft with its pending amendments as tracked changes: size and time.
Then the exports for machines of the 200-clause resolution (JSON and Akoma Ntoso
XML, also attached to every resolution PDF): size and time.
Run: ``.venv/bin/python bench/documents.py [runs]`` (``BENCH_WORD_ONLY=1``: the Word part alone).
"""

from __future__ import annotations

import io
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa
from pypdf import PdfReader

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask import url_for  # noqa: E402
from flask_login.utils import _create_identifier  # noqa: E402

from resolutions import create_app  # noqa: E402
from resolutions.demo import load_demo  # noqa: E402
from resolutions.documents import content  # noqa: E402
from resolutions.documents.render import build_html, html_to_pdf  # noqa: E402
from resolutions.drafting import service as drafting  # noqa: E402
from resolutions.drafting.text import parse_draft  # noqa: E402
from resolutions.extensions import db  # noqa: E402
from resolutions.models import (  # noqa: E402
    Conference,
    NumberingStyle,
    Participant,
    Resolution,
    Role,
)
from tests.objects.documents import TEXTS  # noqa: E402
from tests.objects.drafting import build_large_draft  # noqa: E402

TARGET_RATIO = 1.2


def _long_text(clauses: int) -> str:
    preamble = [
        "Ссылаясь на решения предыдущих конференций сети и на её устав,",
        "Обсудив доклады делегаций о положении с правом на объединение в странах региона,",
    ]
    operative = [
        f"{n}. Призывает организации — члены сети провести мероприятие номер {n} программы "
        "действий и сообщить секретариату о его результатах до следующей конференции;"
        for n in range(1, clauses - len(preamble) + 1)
    ]
    return "\n\n".join(preamble + operative)


def _build_amended() -> int:
    """The draft page benchmark's draft: 200 clauses, 300 amendments (about half pending)."""
    conference = db.session.scalars(sa.select(Conference)).first()
    secretariat = next(p for p in conference.participants if p.role == Role.SECRETARIAT)
    delegates = [p for p in conference.participants if p.role == Role.DELEGATE]
    resolution = build_large_draft(
        conference, secretariat.user, delegates, clauses=200, amendments=300
    )
    db.session.commit()
    return resolution.id


def _docx_figures(
    client: object,
    app: object,
    conference_id: int,
    resolutions: list[tuple[str, str, int, int]],
) -> None:
    """Size and time of each Word export through its route (CPU median, then wall)."""
    print()
    print(f"{'Word export':<42} {'size':>9} {'export (CPU)':>13}   wall")
    for name, endpoint, resolution_id, runs in resolutions:
        with app.test_request_context():  # type: ignore[attr-defined]
            url = url_for(endpoint, conference_id=conference_id, resolution_id=resolution_id)
        timings: list[tuple[float, float]] = []
        size = 0
        for _ in range(runs + 1):  # the first run warms up
            cpu, wall, answer = _timed(lambda url=url: client.get(url))  # type: ignore[attr-defined]
            if answer.status_code != 200:
                raise SystemExit(f"GET {url} answered {answer.status_code}")
            size = len(answer.data)
            timings.append((cpu, wall))
        cpu = statistics.median(c for c, _ in timings[1:])
        wall = statistics.median(w for _, w in timings[1:])
        print(f"{name:<42} {size / 1024:>7.0f} KB {cpu:>12.2f}s   {wall:.2f}s")


def _build() -> tuple[int, int, list[tuple[str, int]]]:
    """The demo conference, its secretariat, and the resolutions to export."""
    conference = load_demo()
    secretariat = next(p for p in conference.participants if p.role == Role.SECRETARIAT)
    actor = secretariat
    demo = conference.resolutions[0]
    if not drafting.numbered_text(demo):
        # The demo's draft is not filled in yet: use the demo-like text of the tests.
        drafting.import_draft(demo, actor, parse_draft(TEXTS["ru"]["draft"]))
    resolutions = [("demo resolution", demo.id)]
    for clauses in (200, 1000):
        resolution = drafting.create_resolution(
            conference, actor, f"Длинная резолюция ({clauses} пунктов)", NumberingStyle.NUMBERED
        )
        drafting.import_draft(resolution, actor, parse_draft(_long_text(clauses)))
        resolutions.append((f"{clauses} clauses", resolution.id))
    db.session.commit()
    return conference.id, secretariat.id, resolutions


def _timed(action: object) -> tuple[float, float, object]:
    """(CPU seconds, wall seconds, result) of ``action()``."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = action()  # type: ignore[operator]
    return time.process_time() - cpu, time.perf_counter() - wall, result


def main(runs: int = 5) -> None:
    with tempfile.TemporaryDirectory() as folder:
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.sqlite",
                "SECRET_KEY": "bench",
                "RATELIMIT_STORAGE_URI": "memory://",
                "SERVER_NAME": "localhost",
            }
        )
        with app.app_context():
            db.create_all()
            conference_id, secretariat_id, resolutions = _build()
            amended_id = _build_amended()
            user_key = db.session.get(Participant, secretariat_id).user.get_id()

        client = app.test_client()
        with app.test_request_context(environ_base=client.environ_base):
            identifier = _create_identifier()
        with client.session_transaction() as session:
            session["_user_id"] = user_key
            session["_fresh"] = True
            session["_id"] = identifier

        print(
            f"{'document':<18} {'pages':>5} {'export (CPU)':>13} {'WeasyPrint (CPU)':>17} "
            f"{'ratio':>6}   wall: export / WeasyPrint"
        )
        # BENCH_WORD_ONLY=1: only the Word exports (they take seconds, the PDFs minutes).
        for name, resolution_id in [] if os.environ.get("BENCH_WORD_ONLY") else resolutions:
            repeat = 1 if name.startswith("1000") else runs
            with app.test_request_context():
                url = url_for(
                    "documents.resolution_pdf",
                    conference_id=conference_id,
                    resolution_id=resolution_id,
                )
            exports: list[tuple[float, float]] = []
            pages = 0
            for _ in range(repeat + 1):  # the first run warms up fonts and templates
                cpu, wall, answer = _timed(lambda url=url: client.get(url))
                exports.append((cpu, wall))
                if answer.status_code != 200:
                    raise SystemExit(f"GET {url} answered {answer.status_code}")
                pages = len(PdfReader(io.BytesIO(answer.data)).pages)
            with app.test_request_context():
                resolution = db.session.get(Resolution, resolution_id)
                conference = db.session.get(Conference, conference_id)
                me = db.session.get(Participant, secretariat_id)
                html = build_html(
                    "documents/resolution.html",
                    conference.language,
                    **content.resolution_html_context(
                        resolution, me, language=conference.language, include_votes=False
                    ),
                )
                alone: list[tuple[float, float]] = []
                for _ in range(repeat + 1):
                    cpu, wall, _pdf = _timed(lambda html=html: html_to_pdf(html))
                    alone.append((cpu, wall))
            export_cpu = statistics.median(c for c, _ in exports[1:])
            export_wall = statistics.median(w for _, w in exports[1:])
            alone_cpu = statistics.median(c for c, _ in alone[1:])
            alone_wall = statistics.median(w for _, w in alone[1:])
            ratio = export_cpu / alone_cpu
            mark = "" if ratio < TARGET_RATIO else f" over the {TARGET_RATIO}x target"
            print(
                f"{name:<18} {pages:>5} {export_cpu:>12.2f}s {alone_cpu:>16.2f}s {ratio:>5.2f}x"
                f"   {export_wall:.2f}s / {alone_wall:.2f}s{mark}"
            )
        long_id = dict(resolutions)["200 clauses"]
        _docx_figures(
            client,
            app,
            conference_id,
            [
                ("resolution, 200 clauses (.docx)", "documents.resolution_docx", long_id, runs),
                (
                    "draft, 200 clauses, 300 amendments (.docx)",
                    "documents.draft_docx",
                    amended_id,
                    runs,
                ),
                ("the same draft as PDF (one run)", "documents.draft_pdf", amended_id, 1),
            ],
        )
        _machine_figures(client, app, conference_id, long_id, runs)


def _machine_figures(
    client: object, app: object, conference_id: int, resolution_id: int, runs: int
) -> None:
    """Size and time of the JSON and Akoma Ntoso exports through their routes (CPU median,
    then wall)."""
    print()
    print(f"{'machine-readable (200 clauses)':<32} {'size':>9} {'export (CPU)':>13}   wall")
    for name, endpoint in (
        ("JSON", "documents.resolution_json"),
        ("Akoma Ntoso XML", "documents.resolution_akn"),
    ):
        with app.test_request_context():  # type: ignore[attr-defined]
            url = url_for(endpoint, conference_id=conference_id, resolution_id=resolution_id)
        timings: list[tuple[float, float]] = []
        size = 0
        for _ in range(runs + 1):  # the first run warms up
            cpu, wall, answer = _timed(lambda url=url: client.get(url))  # type: ignore[attr-defined]
            if answer.status_code != 200:
                raise SystemExit(f"GET {url} answered {answer.status_code}")
            size = len(answer.data)
            timings.append((cpu, wall))
        cpu = statistics.median(c for c, _ in timings[1:])
        wall = statistics.median(w for _, w in timings[1:])
        print(f"{name:<32} {size / 1024:>7.0f} KB {cpu:>12.3f}s   {wall:.3f}s")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
