"""What each document says and who may have it.

The text comes from the drafting service (``numbered_text``: the same numbering the screen
shows) and the results from the voting service (``poll_result``: the numbers frozen at close);
this package only gathers them, decides what the reader may see, and hands them to a template.

By document: ``access`` (who may have what, and the access cards), ``resolution``, ``draft``
(the draft with amendments), ``record`` (the voting record), ``machine_readable`` (the
resolution as JSON and Akoma Ntoso, also attached to its PDF). Callers import from here
(``from resolutions.documents import content``).
"""

from resolutions.documents.content.access import (
    DocumentsOffer,
    ResolutionOffer,
    cards_pdf,
    deciding_poll,
    documents_on_offer,
    may_get_resolution,
    visible_polls,
)
from resolutions.documents.content.draft import (
    EXCERPT_LENGTH,
    SHOWN_STATES,
    DraftDocument,
    DraftEntry,
    clause_heading,
    draft_document,
    draft_pdf,
)
from resolutions.documents.content.machine_readable import (
    MachineFile,
    akn_file,
    json_file,
    resolution_data,
)
from resolutions.documents.content.record import (
    RecordEntry,
    record_csv,
    record_entries,
    record_pdf,
)
from resolutions.documents.content.resolution import (
    DocumentConference,
    VotingFigures,
    resolution_dateline,
    resolution_html_context,
    resolution_pdf,
    voting_figures,
)

__all__ = [
    "DocumentConference",
    "DocumentsOffer",
    "DraftDocument",
    "DraftEntry",
    "EXCERPT_LENGTH",
    "MachineFile",
    "RecordEntry",
    "ResolutionOffer",
    "SHOWN_STATES",
    "VotingFigures",
    "akn_file",
    "cards_pdf",
    "clause_heading",
    "deciding_poll",
    "documents_on_offer",
    "draft_document",
    "draft_pdf",
    "json_file",
    "may_get_resolution",
    "record_csv",
    "record_entries",
    "record_pdf",
    "resolution_data",
    "resolution_dateline",
    "resolution_html_context",
    "resolution_pdf",
    "visible_polls",
    "voting_figures",
]
