"""Read side of the public data-sharing registry: who receives data, and from which proposals.

The registry lists the recipients in the latest *submitted* version of every proposal that
is approved or still under review (never a draft, a withdrawn or a denied proposal, and
never a department's unsubmitted revision). Which rows are listed, how names group and
which flags apply is worked out when the record changes (registry_store.py) and kept in
the derived tables of models/registry.py; the pages read them a page at a time, in a fixed
number of statements whatever the number of proposals or recipients.
"""

import csv
import hashlib
import io
import re
import unicodedata
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from itertools import groupby

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from . import paging, tally
from .compliance.agencies import effective_type
from .compliance.california import serves_immigration_enforcement
from .models import (
    DataRecipient,
    Decision,
    Proposal,
    ProposalVersion,
    RecipientType,
    RegistryRecipient,
    RegistryUse,
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
# The index names this many of a recipient's proposals; its own page lists them all.
USES_SHOWN = 5
CSV_BATCH = 500


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


def distinct(values) -> list[str]:
    """Return the non-empty values once each (case-insensitive), first spelling kept."""
    seen: dict[str, str] = {}
    for value in values:
        value = value.strip()
        if value and normalize_name(value) not in seen:
            seen[normalize_name(value)] = value
    return list(seen.values())


@dataclass
class Use:
    """One proposal's sharing with one recipient (its rows in that version, merged).

    `proposal`, `version` and `rows` are rows of columns (id, file_number, title;
    technology_name, technology_category; name, purpose, data_categories, legal_basis), so
    that a long export keeps no objects in the session.
    """

    proposal: object
    version: object | None
    decision: Decision | None
    rows: list = field(default_factory=list)

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
        return "; ".join(distinct(r.purpose for r in self.rows))

    @property
    def legal_basis(self) -> str:
        return "; ".join(distinct(r.legal_basis for r in self.rows))

    @property
    def categories(self) -> list[str]:
        return distinct(c for r in self.rows for c in split_categories(r.data_categories))

    @property
    def data_categories(self) -> str:
        return "; ".join(self.categories)


@dataclass
class Recipient:
    """Everyone's rows that name the same recipient, as summarized in the derived table."""

    row: RegistryRecipient
    uses: list[Use] = field(default_factory=list)

    key = property(lambda self: self.row.key)
    slug = property(lambda self: self.row.slug)
    name = property(lambda self: self.row.name)
    spellings = property(lambda self: self.row.spellings)
    categories = property(lambda self: self.row.categories)
    recipient_type = property(lambda self: self.row.recipient_type)

    @property
    def types(self) -> list[RecipientType]:
        """Every type of this recipient, most often given first (known agencies corrected)."""
        return [RecipientType(t) for t in self.row.types]

    @property
    def flags(self) -> list[Flag]:
        found = {FLAG_FOR_TYPE[t] for t in self.types if t in FLAG_FOR_TYPE}
        if self.row.immigration:
            found.add(IMMIGRATION)
        return [f for f in FLAGS if f in found]

    @property
    def technologies(self) -> int:
        """How many technologies (one per proposal) send data to this recipient."""
        return self.row.technologies

    @property
    def more_uses(self) -> int:
        """How many of its proposals the index does not name."""
        return self.technologies - len(self.uses)


@dataclass
class TypeGroup:
    """The recipients of one type, in RecipientType order."""

    recipient_type: RecipientType
    recipients: list[Recipient]


@dataclass(frozen=True)
class Summary:
    """The registry's counts, from its derived counters."""

    recipients: int
    proposals: int
    type_counts: list[tuple[RecipientType, int]]
    flag_counts: list[tuple[Flag, int]]


LISTED = RegistryRecipient.technologies > 0
# The registry's counters in the shared tally (tally.py), kept by registry_store.
TALLY_PREFIX = "registry:"
RECIPIENTS, PROPOSALS = "recipients", "proposals"
FLAG_COLUMNS = {IMMIGRATION: RegistryRecipient.immigration,
                OTHER_STATE: RegistryRecipient.other_state,
                PRIVATE: RegistryRecipient.private, VENDOR_POOL: RegistryRecipient.vendor_pool}


def summary(session: Session) -> Summary:
    """Count recipients by type and by flag, and the proposals they get data from.

    Read from the registry's counters, which registry_store keeps at each commit.
    """
    counts = tally.read(session, TALLY_PREFIX)
    return Summary(counts[RECIPIENTS], counts[PROPOSALS],
                   [(kind, counts[f"type:{kind.value}"]) for kind in RecipientType],
                   [(flag, counts[f"flag:{flag.key}"]) for flag in FLAG_COLUMNS])


def type_start(kind: RecipientType) -> str:
    """Return the cursor of the index page where recipients of this type begin."""
    return f"{list(RecipientType).index(kind):02d}"


def recipients_page(session: Session, args: Mapping[str, str], size: int) -> paging.Page:
    """Return a page of recipients in type then name order, each with its first proposals."""
    page = paging.keyset_page(session, select(RegistryRecipient).where(LISTED),
                              RegistryRecipient.sort_key, lambda r: r.sort_key, args, size,
                              parse=str)
    recipients = [Recipient(row) for row in page.items]
    shown = {(r.row.id, pid) for r in recipients for pid in r.row.shown}
    if shown:
        found: dict[int, list[Use]] = {}
        rows = session.execute(
            select(RegistryUse.recipient_id, RegistryUse.decision,
                   Proposal.id, Proposal.title, Proposal.file_number)
            .join(Proposal, Proposal.id == RegistryUse.proposal_id)
            .where(RegistryUse.proposal_id.in_({pid for _rid, pid in shown}),
                   RegistryUse.recipient_id.in_([r.row.id for r in recipients]))
            .order_by(RegistryUse.proposal_id)).all()
        for row in rows:
            if (row.recipient_id, row.id) in shown:
                found.setdefault(row.recipient_id, []).append(
                    Use(row, None, row.decision))
        for r in recipients:
            r.uses = found.get(r.row.id, [])
    return page.with_items(recipients)


def groups(recipients: list[Recipient]) -> list[TypeGroup]:
    """Return the recipients of a page grouped by type, in the page's order."""
    return [TypeGroup(kind, list(members))
            for kind, members in groupby(recipients, key=lambda r: r.recipient_type)]


def find(session: Session, slug: str) -> Recipient | None:
    """Return the listed recipient with this slug, if any."""
    row = session.scalar(select(RegistryRecipient).where(RegistryRecipient.slug == slug, LISTED))
    return Recipient(row) if row else None


def _use_query(recipient: RegistryRecipient):
    return (select(RegistryUse.proposal_id, RegistryUse.version_id, RegistryUse.decision,
                   Proposal.id, Proposal.file_number, Proposal.title,
                   ProposalVersion.technology_name, ProposalVersion.technology_category)
            .join(Proposal, Proposal.id == RegistryUse.proposal_id)
            .join(ProposalVersion, ProposalVersion.id == RegistryUse.version_id)
            .where(RegistryUse.recipient_id == recipient.id))


@dataclass(frozen=True)
class _Proposal:
    id: int
    file_number: str
    title: str


def _recipient_rows(session: Session, version_ids: set[int]) -> dict[tuple[int, str], list]:
    """Return the recipient rows of these versions by (version id, normalized name)."""
    rows: dict[tuple[int, str], list] = {}
    if version_ids:
        for row in session.execute(
                select(DataRecipient.version_id, DataRecipient.name, DataRecipient.purpose,
                       DataRecipient.data_categories, DataRecipient.legal_basis)
                .where(DataRecipient.version_id.in_(version_ids))
                .order_by(DataRecipient.version_id, DataRecipient.position)):
            rows.setdefault((row.version_id, normalize_name(row.name)), []).append(row)
    return rows


def _with_rows(session: Session, key: str, found: list) -> list[Use]:
    """Return a Use for each (use, proposal, version) row, with its recipient rows."""
    rows = _recipient_rows(session, {f.version_id for f in found})
    return [Use(f, f, f.decision, rows.get((f.version_id, key), [])) for f in found]


def uses_page(session: Session, recipient: Recipient, args: Mapping[str, str],
              size: int) -> paging.Page:
    """Return a page of the proposals that share data with this recipient, oldest first."""
    page = paging.keyset_page(session, _use_query(recipient.row), RegistryUse.proposal_id,
                              lambda row: row.proposal_id, args, size, scalars=False)
    return page.with_items(_with_rows(session, recipient.key, page.items))


def safe_cell(value: object) -> str:
    """Return a CSV cell a spreadsheet will show as text, never run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def csv_rows(session: Session, proposal_url: Callable[[int], str]) -> Iterator[list[str]]:
    """Yield the header and one row per (recipient, proposal), cells made safe.

    Read in batches of rows, not objects, so that a large registry streams in two
    statements a batch without being held in memory.
    """
    yield list(CSV_HEADER)
    r = RegistryRecipient
    query = (select(r.sort_key, r.key, r.name, r.recipient_type, r.types, r.immigration,
                    RegistryUse.proposal_id, RegistryUse.version_id, RegistryUse.decision,
                    Proposal.file_number, Proposal.title, ProposalVersion.technology_name,
                    ProposalVersion.technology_category)
             .join(RegistryUse, RegistryUse.recipient_id == r.id)
             .join(Proposal, Proposal.id == RegistryUse.proposal_id)
             .join(ProposalVersion, ProposalVersion.id == RegistryUse.version_id)
             .where(LISTED).order_by(r.sort_key, RegistryUse.proposal_id).limit(CSV_BATCH))
    after = query
    # Each batch reads in a transaction of its own, ended before the batch is sent: a slow
    # download holds no transaction open, and none is left open when the stream ends.
    while batch := _read(session, after):
        last = batch[-1]
        after = query.where(or_(r.sort_key > last.sort_key, and_(
            r.sort_key == last.sort_key, RegistryUse.proposal_id > last.proposal_id)))
        rows = _recipient_rows(session, {b.version_id for b in batch})
        session.rollback()
        for b in batch:
            recipient = Recipient(b)
            use = Use(_Proposal(b.proposal_id, b.file_number, b.title), b, b.decision,
                      rows.get((b.version_id, b.key), []))
            yield [safe_cell(c) for c in (
                recipient.name, recipient.recipient_type.label,
                "; ".join(f.label for f in recipient.flags), b.file_number, b.title,
                use.status_label, use.technology, use.data_categories, use.purpose,
                use.legal_basis, proposal_url(b.proposal_id))]


def _read(session: Session, query) -> list:
    """Return the rows of `query`, ending the transaction when there are none."""
    rows = session.execute(query).all()
    if not rows:
        session.rollback()
    return rows


def csv_text(session: Session, proposal_url: Callable[[int], str]) -> Iterator[str]:
    """Yield the registry as CSV text, a line at a time."""
    out = io.StringIO()
    writer = csv.writer(out)
    for row in csv_rows(session, proposal_url):
        writer.writerow(row)
        yield out.getvalue()
        out.seek(0)
        out.truncate()
