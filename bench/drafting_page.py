"""How fast the draft page of a big resolution answers: 200 clauses, 300 amendments.

Builds the draft in a temporary SQLite database, signs in as a delegate and times the GET of
the draft page (``drafting.resolution``) through the Flask test client, each request in its
own app context and database session as on a server. Prints the median and the 95th
percentile in milliseconds (target: median under 150 ms), and the same for the page's data
alone (``draft_page_data``). Run: ``.venv/bin/python bench/drafting_page.py [runs]``.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask import url_for  # noqa: E402
from flask_login.utils import _create_identifier  # noqa: E402

from resolutions import create_app  # noqa: E402
from resolutions.drafting import service  # noqa: E402
from resolutions.extensions import db  # noqa: E402
from resolutions.models import (  # noqa: E402
    Conference,
    ConferenceState,
    Participant,
    Resolution,
    Role,
    User,
)
from tests.objects.drafting import build_large_draft  # noqa: E402

CLAUSES, AMENDMENTS = 200, 300
TARGET_MS = 150.0


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def _figures(wall: list[float], cpu: list[float]) -> str:
    # CPU time too: on a busy machine the wall clock also counts other processes' turns.
    return (
        f"median {statistics.median(wall):.1f} ms, p95 {_percentile(wall, 0.95):.1f} ms "
        f"(CPU median {statistics.median(cpu):.1f} ms)"
    )


def _build() -> tuple[int, int, int]:
    """The conference, its members and the big draft; returns conference, delegate and
    resolution ids."""
    conference = Conference(
        title="Bench Conference",
        short_name="Bench",
        place="Бишкек",
        start_date=date(2026, 11, 30),
        state=ConferenceState.DRAFTING,
    )
    db.session.add(conference)
    db.session.flush()

    def member(role: Role, number: int) -> Participant:
        user = User(email=f"{role.value}{number}@bench.example", name=f"{role.value} {number}")
        db.session.add(user)
        db.session.flush()
        participant = Participant(
            conference_id=conference.id, user_id=user.id, role=role, voting_right=True
        )
        db.session.add(participant)
        db.session.flush()
        return participant

    secretariat = member(Role.SECRETARIAT, 1)
    delegates = [member(Role.DELEGATE, n) for n in range(1, 13)]
    resolution = build_large_draft(
        conference, secretariat.user, delegates, clauses=CLAUSES, amendments=AMENDMENTS
    )
    db.session.commit()
    return conference.id, delegates[0].id, resolution.id


def main(runs: int = 30) -> None:
    with tempfile.TemporaryDirectory() as folder:
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.sqlite",
                "SECRET_KEY": "bench",
                "WTF_CSRF_ENABLED": False,
                "RATELIMIT_STORAGE_URI": "memory://",
                "SERVER_NAME": "localhost",
            }
        )
        with app.app_context():
            db.create_all()
            conference_id, delegate_id, resolution_id = _build()
            user_key = db.session.get(Participant, delegate_id).user.get_id()
            has_route = "drafting.resolution" in app.view_functions
            url = ""
            if has_route:
                with app.test_request_context():
                    url = url_for(
                        "drafting.resolution",
                        conference_id=conference_id,
                        resolution_id=resolution_id,
                    )

        data_times: list[float] = []
        data_cpu: list[float] = []
        for _ in range(runs + 3):
            with app.app_context():
                resolution = db.session.get(Resolution, resolution_id)
                viewer = db.session.get(Participant, delegate_id)
                started, cpu = time.perf_counter(), time.process_time()
                page = service.draft_page_data(resolution, viewer)
                data_times.append((time.perf_counter() - started) * 1000)
                data_cpu.append((time.process_time() - cpu) * 1000)
                assert len(page.clauses) == CLAUSES
        print(
            f"draft_page_data ({CLAUSES} clauses, {AMENDMENTS} amendments, {runs} runs): "
            + _figures(data_times[3:], data_cpu[3:])  # the first three warm up
        )

        if not has_route:
            print("The route drafting.resolution does not exist yet: timed the data alone.")
            return
        client = app.test_client()
        with app.test_request_context(environ_base=client.environ_base):
            identifier = _create_identifier()  # what Flask-Login's session protection checks
        with client.session_transaction() as session:
            session["_user_id"] = user_key
            session["_fresh"] = True
            session["_id"] = identifier
        page_times: list[float] = []
        page_cpu: list[float] = []
        size = 0
        for _ in range(runs + 3):
            started, cpu = time.perf_counter(), time.process_time()
            response = client.get(url)
            page_times.append((time.perf_counter() - started) * 1000)
            page_cpu.append((time.process_time() - cpu) * 1000)
            if response.status_code != 200:
                raise SystemExit(f"GET {url} answered {response.status_code}")
            size = len(response.data)
        median = statistics.median(page_times[3:])
        verdict = "within" if median < TARGET_MS else "OVER"
        print(
            f"GET {url} as a delegate ({size // 1024} KiB, {runs} runs): "
            + _figures(page_times[3:], page_cpu[3:])
            + f"; {verdict} the {TARGET_MS:.0f} ms target"
        )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 30)
