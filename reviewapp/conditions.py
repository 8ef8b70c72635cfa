"""Conditions of approval as typed obligations: built from the motion form, worded for the
determination, and stored so that annual reports can be checked against them."""

from dataclasses import asdict, dataclass, field

from .models.vocab import ObligationKind, RecipientType


@dataclass(frozen=True)
class Condition:
    """One condition: its kind, a number or a list of values, and its wording."""

    kind: str
    text: str
    number: int | None = None
    values: tuple[str, ...] = field(default_factory=tuple)

    def as_dict(self) -> dict:
        """Return the JSON form kept on the motion."""
        data = asdict(self)
        data["values"] = list(self.values)
        return data


def from_stored(item) -> Condition:
    """Read a stored condition (a dict, or plain text from before typed conditions)."""
    if isinstance(item, str):
        return Condition(kind=ObligationKind.OTHER.value, text=item)
    return Condition(kind=item["kind"], text=item["text"], number=item.get("number"),
                     values=tuple(item.get("values") or ()))


def _listed(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split(",") if part.strip())


def build(*, retention_days: int | None = None, no_sharing_types=(), no_sharing_names: str = "",
          audit_every_months: int | None = None, deployment_areas: str = "",
          other_lines=()) -> list[Condition]:
    """Turn the motion form's typed fields and free-text lines into numbered conditions."""
    conditions = []
    if retention_days is not None:
        conditions.append(Condition(
            ObligationKind.MAX_RETENTION_DAYS.value,
            f"Retain data no longer than {retention_days} days.", number=retention_days))
    types = tuple(RecipientType(t).value for t in no_sharing_types)
    if types:
        labels = " or ".join(_plural(RecipientType(t)) for t in types)
        conditions.append(Condition(ObligationKind.NO_SHARING_WITH_TYPE.value,
                                    f"Do not share data with {labels}.", values=types))
    names = _listed(no_sharing_names)
    if names:
        conditions.append(Condition(ObligationKind.NO_SHARING_WITH.value,
                                    f"Do not share data with {', '.join(names)}.",
                                    values=names))
    if audit_every_months is not None:
        conditions.append(Condition(
            ObligationKind.AUDIT_EVERY_MONTHS.value,
            f"Have the use of the system audited at least every {audit_every_months} months.",
            number=audit_every_months))
    areas = _listed(deployment_areas)
    if areas:
        conditions.append(Condition(ObligationKind.DEPLOYMENT_LIMITED_TO.value,
                                    f"Deploy only in: {', '.join(areas)}.", values=areas))
    for line in other_lines:
        if line.strip():
            conditions.append(Condition(ObligationKind.OTHER.value, line.strip()))
    return conditions


def _plural(kind: RecipientType) -> str:
    return {
        RecipientType.CITY: "other city departments",
        RecipientType.COUNTY: "county agencies",
        RecipientType.CA_STATE: "California state agencies",
        RecipientType.OTHER_STATE: "other states' agencies",
        RecipientType.FEDERAL: "federal agencies",
        RecipientType.PRIVATE: "private companies",
        RecipientType.VENDOR_POOL: "vendor-pooled databases",
    }[kind]
