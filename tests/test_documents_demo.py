"""The demo conference's documents, kept as PNG pages in test-artifacts/ to look at.

The demo (``resolutions.demo.load_demo``: Russian, its draft and amendments) is loaded once,
its draft with amendments exported as delegates hold it during the sitting; then the chair
puts A-1 and the resolution as a whole to named votes, and the adopted resolution (Russian and
English, with the voting figures), the voting record and the access cards are exported. Every
page is rendered with ``pdftoppm -png -r 60``.
"""

from __future__ import annotations

from resolutions.demo import load_demo
from resolutions.drafting import service as drafting
from resolutions.extensions import db
from resolutions.models import Choice, Participant, PollSubject, Role
from resolutions.voting import service as voting
from resolutions.voting.attendance import set_presence
from tests.documents_support import flat, pdf_text, reader, save_pngs
from tests.objects.app import url_path


def _named_vote(conference, chair, voters, **poll) -> None:
    created = voting.create_poll(conference, chair, **poll)
    voting.open_poll(created, chair)
    db.session.commit()
    for number, voter in enumerate(voters):
        choice = (
            Choice.NO if number % 7 == 3 else Choice.ABSTAIN if number % 11 == 5 else Choice.YES
        )
        voting.cast_ballot(created.id, voter, choice)
    voting.close_poll(created, chair)
    voting.publish_poll(created, chair)
    db.session.commit()


def test_demo_documents_render_to_png(app, as_user):
    conference = load_demo()
    members = {p.role: p for p in conference.participants}
    secretariat, chair = members[Role.SECRETARIAT], members[Role.CHAIR]
    resolution = conference.resolutions[0]
    client = as_user(secretariat)
    base = url_path("documents.index", conference_id=conference.id)

    def export(name: str, url: str) -> bytes:
        answer = client.get(url)
        assert answer.status_code == 200, name
        pngs = save_pngs(answer.data, name)
        assert len(pngs) == len(reader(answer.data).pages) >= 1
        return answer.data

    draft = export("documents-demo-draft", f"{base}/draft/{resolution.id}.pdf")
    assert "A-1" in flat(pdf_text(draft))

    voters: list[Participant] = [p for p in conference.participants if p.voting_right]
    for voter in voters:
        set_presence(conference, voter, True, secretariat)
    db.session.commit()
    first = next(a for a in drafting.voting_queue(resolution) if a.number == 1)
    _named_vote(conference, chair, voters, subject=PollSubject.AMENDMENT, amendment=first)
    _named_vote(conference, chair, voters, subject=PollSubject.RESOLUTION, resolution=resolution)
    db.session.refresh(resolution)
    assert resolution.state.value == "adopted"

    ru = export("documents-demo-resolution-ru", f"{base}/resolution/{resolution.id}.pdf?votes=1")
    export("documents-demo-resolution-en", f"{base}/resolution/{resolution.id}.pdf?lang=en&votes=1")
    export("documents-demo-record", f"{base}/record.pdf")
    export("documents-demo-cards", f"{base}/cards.pdf")
    text = flat(pdf_text(ru))
    assert "г. Бишкек" in text and "1. " in text
