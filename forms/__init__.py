"""WTForms classes, one module per subject. Nothing here imports from reviewapp."""

from wtforms.fields.choices import SelectChoice


def options(pairs) -> list[SelectChoice]:
    """Turn (value, label) pairs into WTForms choices (tuples are deprecated in 3.3)."""
    return [SelectChoice(value, label) for value, label in pairs]
