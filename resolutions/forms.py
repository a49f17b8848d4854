"""Form pieces shared by every area."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

# types-WTForms (3.2) predates SelectChoice, which WTForms 3.3 added.
from wtforms.fields.choices import SelectChoice as SelectChoice  # type: ignore[attr-defined]

LANGUAGE_CHOICES = (("ru", "Русский"), ("en", "English"))


def select_choices(
    options: Mapping[str, object] | Iterable[tuple[str, object]],
) -> list[SelectChoice]:
    """SelectField choices from {value: label} or (value, label) pairs (labels may be lazy)."""
    pairs = options.items() if isinstance(options, Mapping) else options
    return [SelectChoice(value, label) for value, label in pairs]
