from tests.authz_rules import ALL, SECRETARIAT

RULES = {
    "documents.index": ALL,
    # Delegates and observers get the adopted text; before adoption they are sent back to the
    # documents page (302), the secretariat and the chair get the copy marked DRAFT.
    "documents.resolution_pdf": ALL,
    # The same text for machines, under the same rule as the PDF.
    "documents.resolution_json": ALL,
    "documents.resolution_akn": ALL,
    "documents.draft_pdf": ALL,
    # The same texts as Word files, under the same rules.
    "documents.resolution_docx": ALL,
    "documents.draft_docx": ALL,
    # The record lists what the reader may see: published polls for delegates and observers.
    "documents.record_pdf": ALL,
    "documents.record_csv": ALL,
    "documents.cards_pdf": SECRETARIAT,
}
