"""Read side of the public data-sharing registry: who receives data, and from which proposals.

The registry lists the recipients in the latest *submitted* version of every proposal that
is approved or still under review (never a draft, a withdrawn or a denied proposal, and
never a department's unsubmitted revision). One load costs three statements whatever the
number of proposals or recipients, and feeds the index, every recipient page and the CSV.
"""

import csv
import hashlib
import io
import re
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session, contains_eager, selectinload

from .compliance.agencies import effective_type
from .compliance.california import serves_immigration_enforcement
from .models import (
    DataRecipient,
    Decision,
    Determination,
    Proposal,
    ProposalVersion,
    RecipientType,
    Stage,
)

APPROVING = frozenset({Decision.APPROVED, Decision.APPROVED_WITH_CONDITIONS})
# Stages whose proposals are never listed; a decided proposal is listed only if approved.
NOT_LISTED = (Stage.DRAFT, Stage.WITHDRAWN)
PENDING_LABEL = "Pending review"


@dataclass(frozen=True)
class Flag:
    """A warning shown beside a recipient, always as words (never colour alone)."""

    key: str
    label: str
    description: str


IMMIGRATION = Flag(
    "immigration", "Federal immigration agency",
    "The name or the stated purpose refers to a federal immigration agency or to "
    "immigration enforcement.")
OTHER_STATE = Flag(
    "other_state", "Another state's agency",
    "A government agency of another state, outside the reach of this state's laws.")
PRIVATE = Flag(
    "private", "Private company",
    "A business, not a government agency.")
VENDOR_POOL = Flag(
    "vendor_pool", "Vendor-pooled database",
    "A database run by a vendor that pools data from many customers; agencies elsewhere "
    "may be able to search it.")
FLAGS = (IMMIGRATION, OTHER_STATE, PRIVATE, VENDOR_POOL)
FLAG_FOR_TYPE = {RecipientType.OTHER_STATE: OTHER_STATE, RecipientType.PRIVATE: PRIVATE,
                 RecipientType.VENDOR_POOL: VENDOR_POOL}

CSV_HEADER = ("Recipient", "Recipient type", "Flags", "File number", "Proposal title",
              "Status", "Technology", "Data categories", "Purpose", "Legal basis",
              "Proposal URL")
# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def normalize_name(name: str) -> str:
    """Return the key recipients are grouped by: case-folded, trimmed, whitespace collapsed."""
    return " ".join(unicodedata.normalize("NFKC", name).split()).casefold()


def slugify(name: str) -> str:
    """Return a URL-safe form of a recipient name (ASCII letters, digits and hyphens)."""
    key = normalize_name(name)
    ascii_text = unicodedata.normalize("NFKD", key).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")[:80].rstrip("-")
    if not slug:  # a name in a non-Latin script: a stable slug from its key
        slug = "recipient-" + hashlib.sha256(key.encode()).hexdigest()[:10]
    return slug


def mentions_immigration(row: DataRecipient) -> bool:
    """Say whether sharing with this row serves immigration enforcement (the SB 54 test)."""
    return serves_immigration_enforcement(row.name, row.recipient_type.value, row.purpose,
                                          row.data_categories)


def real_type(row: DataRecipient) -> RecipientType:
    """Return the recipient's type, corrected when its name is a known agency."""
    return RecipientType(effective_type(row.name, row.recipient_type.value))


def split_categories(text: str) -> list[str]:
    """Split a free-text list of data categories on commas, semicolons and new lines."""
    parts = (re.sub(r"^(?:and|or)\s+", "", p.strip(), flags=re.IGNORECASE)
             for p in re.split(r"[,;\n]+", text))
    return [p for p in parts if p]


def _distinct(values) -> list[str]:
    """Return the non-empty values once each (case-insensitive), first spelling kept."""
    seen: dict[str, str] = {}
    for value in values:
        value = value.strip()
        if value and normalize_name(value) not in seen:
            seen[normalize_name(value)] = value
    return list(seen.values())


@dataclass
class Use:
    """One proposal's sharing with one recipient (its rows in that version, merged)."""

    proposal: Proposal
    version: ProposalVersion
    decision: Decision | None
    rows: list[DataRecipient] = field(default_factory=list)

    @property
    def approved(self) -> bool:
        return self.decision in APPROVING

    @property
    def status(self) -> str:
        """Return 'approved' or 'pending'."""
        return "approved" if self.approved else "pending"

    @property
    def status_label(self) -> str:
        return self.decision.label if self.approved else PENDING_LABEL

    @property
    def technology(self) -> str:
        v = self.version
        if v.technology_name and v.technology_category:
            return f"{v.technology_name} ({v.technology_category.label})"
        return v.technology_name or (v.technology_category.label if v.technology_category
                                     else self.proposal.title)

    @property
    def purpose(self) -> str:
        return "; ".join(_distinct(r.purpose for r in self.rows))

    @property
    def legal_basis(self) -> str:
        return "; ".join(_distinct(r.legal_basis for r in self.rows))

    @property
    def categories(self) -> list[str]:
        return _distinct(c for r in self.rows for c in split_categories(r.data_categories))

    @property
    def data_categories(self) -> str:
        return "; ".join(self.categories)


@dataclass
class Recipient:
    """Everyone's rows that name the same recipient, grouped by normalized name."""

    key: str
    slug: str
    name: str
    uses: list[Use] = field(default_factory=list)

    @property
    def rows(self) -> list[DataRecipient]:
        return [r for use in self.uses for r in use.rows]

    @property
    def types(self) -> list[RecipientType]:
        """Every type of this recipient, most often given first (known agencies corrected)."""
        counts = Counter(real_type(r) for r in self.rows)  # insertion order: first seen
        return sorted(counts, key=lambda t: -counts[t])  # stable: ties keep the first seen

    @property
    def recipient_type(self) -> RecipientType:
        return self.types[0]

    @property
    def spellings(self) -> list[str]:
        """Other ways departments wrote the name (exact strings, after the first)."""
        return [s for s in dict.fromkeys(r.name for r in self.rows) if s != self.name]

    @property
    def flags(self) -> list[Flag]:
        found = {FLAG_FOR_TYPE[t] for t in self.types if t in FLAG_FOR_TYPE}
        if any(mentions_immigration(r) for r in self.rows):
            found.add(IMMIGRATION)
        return [f for f in FLAGS if f in found]

    @property
    def technologies(self) -> int:
        """How many technologies (one per proposal) send data to this recipient."""
        return len(self.uses)

    @property
    def categories(self) -> list[str]:
        return _distinct(c for use in self.uses for c in use.categories)


@dataclass
class TypeGroup:
    """The recipients of one type, in RecipientType order."""

    recipient_type: RecipientType
    recipients: list[Recipient]


@dataclass
class Registry:
    """Every recipient, by type, with the summary counts."""

    recipients: list[Recipient]

    @property
    def groups(self) -> list[TypeGroup]:
        """Return the non-empty groups, recipients by name within each."""
        groups = []
        for kind in RecipientType:
            members = sorted((r for r in self.recipients if r.recipient_type is kind),
                             key=lambda r: r.key)
            if members:
                groups.append(TypeGroup(kind, members))
        return groups

    @property
    def type_counts(self) -> list[tuple[RecipientType, int]]:
        """Return (type, number of recipients) for every type, zeros included."""
        counts = Counter(r.recipient_type for r in self.recipients)
        return [(kind, counts[kind]) for kind in RecipientType]

    @property
    def flag_counts(self) -> list[tuple[Flag, int]]:
        """Return (flag, number of recipients with it) for every flag."""
        return [(flag, sum(flag in r.flags for r in self.recipients)) for flag in FLAGS]

    @property
    def proposal_count(self) -> int:
        return len({use.proposal.id for r in self.recipients for use in r.uses})

    def find(self, slug: str) -> Recipient | None:
        """Return the recipient with this slug, if any."""
        return next((r for r in self.recipients if r.slug == slug), None)


def load_registry(session: Session) -> Registry:
    """Load every listed recipient in three statements."""
    latest = (
        select(ProposalVersion.proposal_id, func.max(ProposalVersion.number).label("number"))
        .where(ProposalVersion.submitted_at.is_not(None))
        .group_by(ProposalVersion.proposal_id).subquery()
    )
    versions = list(session.scalars(
        select(ProposalVersion)
        .join(latest, and_(ProposalVersion.proposal_id == latest.c.proposal_id,
                           ProposalVersion.number == latest.c.number))
        .join(ProposalVersion.proposal)
        .where(Proposal.stage.not_in(NOT_LISTED))
        .options(contains_eager(ProposalVersion.proposal),
                 selectinload(ProposalVersion.recipients))
        .order_by(Proposal.id)
    ))
    decided = [v.proposal_id for v in versions if v.proposal.stage is Stage.DECIDED]
    decisions = {proposal_id: decision for proposal_id, decision in session.execute(
        select(Determination.proposal_id, Determination.decision)
        .where(Determination.proposal_id.in_(decided)).order_by(Determination.id)
    )}  # ordered by id: a proposal's latest determination wins
    return build_registry(versions, decisions)


def build_registry(versions: list[ProposalVersion],
                   decisions: dict[int, Decision]) -> Registry:
    """Group the recipients of listed versions by normalized name."""
    by_key: dict[str, Recipient] = {}
    slugs: set[str] = set()
    for version in versions:
        decision = decisions.get(version.proposal_id)
        if version.proposal.stage is Stage.DECIDED and decision not in APPROVING:
            continue  # denied (or decided without a determination): not in the registry
        uses: dict[str, Use] = {}
        for row in version.recipients:
            key = normalize_name(row.name)
            if not key:
                continue
            recipient = by_key.get(key)
            if recipient is None:
                recipient = by_key[key] = Recipient(key, _unique_slug(row.name, slugs), row.name)
            if key not in uses:
                uses[key] = Use(version.proposal, version, decision)
                recipient.uses.append(uses[key])
            uses[key].rows.append(row)
    return Registry(list(by_key.values()))


def _unique_slug(name: str, taken: set[str]) -> str:
    """Return the name's slug, numbered if another name already has it (first come first)."""
    base = slug = slugify(name)
    number = 1
    while slug in taken:
        number += 1
        slug = f"{base}-{number}"
    taken.add(slug)
    return slug


def safe_cell(value: object) -> str:
    """Return a CSV cell a spreadsheet will show as text, never run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def csv_rows(registry: Registry, proposal_url: Callable[[int], str]) -> list[list[str]]:
    """Return the header and one row per (recipient, proposal), cells made safe."""
    rows = [list(CSV_HEADER)]
    for group in registry.groups:
        for r in group.recipients:
            flags = "; ".join(f.label for f in r.flags)
            for use in r.uses:
                p = use.proposal
                rows.append([safe_cell(c) for c in (
                    r.name, r.recipient_type.label, flags, p.file_number, p.title,
                    use.status_label, use.technology, use.data_categories, use.purpose,
                    use.legal_basis, proposal_url(p.id))])
    return rows


def to_csv(registry: Registry, proposal_url: Callable[[int], str]) -> str:
    """Return the registry as CSV text."""
    out = io.StringIO()
    csv.writer(out).writerows(csv_rows(registry, proposal_url))
    return out.getvalue()
