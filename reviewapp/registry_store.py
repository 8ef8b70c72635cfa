"""Keep the derived registry tables (models/registry.py) in step with the record.

A proposal's place in the registry changes only when its stage changes, when one of its
versions is submitted, or when a determination is issued. A session listener notes those
proposals at each flush and, just before the transaction commits, replaces their rows and
re-summarizes the recipients they touch: the same transaction, so the registry never shows
a state the record does not have. Each recipient name is matched against the known
agencies once, here, instead of several times on every page view.
"""

from collections import Counter
from collections.abc import Iterable

from sqlalchemy import delete, event, func, inspect, select, update
from sqlalchemy.orm import Session

from . import tally as counters
from .compliance.agencies import effective_type
from .compliance.california import serves_immigration_enforcement
from .models import (
    DataRecipient,
    Decision,
    Determination,
    Proposal,
    ProposalVersion,
    RecipientType,
    RegistryRecipient,
    RegistryUse,
    Stage,
)
from .registry import (
    APPROVING,
    FLAG_COLUMNS,
    NOT_LISTED,
    PROPOSALS,
    RECIPIENTS,
    TALLY_PREFIX,
    USES_SHOWN,
    distinct,
    normalize_name,
    slugify,
    split_categories,
)

STALE = "registry_stale_proposals"
FLAG_NAMES = tuple(flag.key for flag in FLAG_COLUMNS)  # each a boolean column
BATCH = 500
TYPE_RANK = {kind: rank for rank, kind in enumerate(RecipientType)}


def _note_changes(session: Session, _context) -> None:
    """Remember the proposals whose place in the registry this flush may have changed."""
    stale = session.info.setdefault(STALE, set())
    for obj in (*session.new, *session.dirty):
        if isinstance(obj, Proposal):
            if obj in session.new or inspect(obj).attrs.stage.history.has_changes():
                stale.add(obj.id)
        elif isinstance(obj, ProposalVersion):
            if obj.submitted_at is not None and (
                    obj in session.new or inspect(obj).attrs.submitted_at.history.has_changes()):
                stale.add(obj.proposal_id)
        elif isinstance(obj, Determination) and obj in session.new:
            stale.add(obj.proposal_id)
    if not stale:
        session.info.pop(STALE)


def _refresh_before_commit(session: Session) -> None:
    """Bring the registry rows of the noted proposals up to date, in this transaction."""
    if not session.info.get(STALE):
        return
    session.flush()  # changes not yet flushed may note more proposals
    stale = session.info.pop(STALE, set())
    if stale:
        refresh(session, stale)


def _forget(session: Session) -> None:
    session.info.pop(STALE, None)


event.listen(Session, "after_flush", _note_changes)
event.listen(Session, "before_commit", _refresh_before_commit)
event.listen(Session, "after_rollback", _forget)


def refresh(session: Session, proposal_ids: Iterable[int], counts: bool = True) -> None:
    """Replace the registry rows of these proposals and re-summarize their recipients.

    The registry's counters (tally.py, under "registry:") change by the difference between
    these proposals' and recipients' parts before and after (unless `counts` is false:
    migration 0007 runs before the tally exists).
    """
    # Two transactions re-summarizing one recipient must not both miss the other's rows.
    counters.lock(session)
    ids = sorted(set(proposal_ids))
    touched: set[int] = set()
    change: Counter = Counter()
    for start in range(0, len(ids), BATCH):
        batch = ids[start:start + BATCH]
        change[PROPOSALS] -= _proposals_listed(session, batch)
        touched |= _replace_uses(session, batch)
        change[PROPOSALS] += _proposals_listed(session, batch)
    change.subtract(_recipient_counts(session, touched))
    summarize(session, touched)
    change.update(_recipient_counts(session, touched))
    if counts:
        counters.add(session, Counter({TALLY_PREFIX + key: n for key, n in change.items()}))


def _proposals_listed(session: Session, ids: list[int]) -> int:
    """Count the proposals among these that send data to at least one recipient."""
    return session.scalar(select(func.count(func.distinct(RegistryUse.proposal_id)))
                          .where(RegistryUse.proposal_id.in_(ids)))


def recipient_keys(recipient_type: str, flags: dict[str, bool]) -> list[str]:
    """Return the counters one listed recipient adds one to."""
    return [RECIPIENTS, f"type:{recipient_type}",
            *(f"flag:{name}" for name, on in flags.items() if on)]


def _recipient_counts(session: Session, ids: Iterable[int]) -> Counter:
    """Return what these recipients, as now summarized, add to the counters."""
    counts: Counter = Counter()
    ids = sorted(ids)
    for start in range(0, len(ids), BATCH):
        for row in session.execute(
                select(RegistryRecipient.recipient_type,
                       *(getattr(RegistryRecipient, name) for name in FLAG_NAMES))
                .where(RegistryRecipient.id.in_(ids[start:start + BATCH]),
                       RegistryRecipient.technologies > 0)):
            kind, *flags = row
            counts.update(recipient_keys(kind.value, dict(zip(FLAG_NAMES, flags, strict=True))))
    return counts


def recount(session: Session) -> None:
    """Count the registry's counters again from its derived rows (migration 0008 does)."""
    counters.reset(session, TALLY_PREFIX)
    counts = _recipient_counts(session, session.scalars(select(RegistryRecipient.id)).all())
    counts[PROPOSALS] = session.scalar(select(func.count(func.distinct(RegistryUse.proposal_id))))
    counters.add(session, Counter({TALLY_PREFIX + key: n for key, n in counts.items()}))


def rebuild(session: Session, counts: bool = True) -> int:
    """Work the whole registry out again from the record; return the recipients listed."""
    session.execute(delete(RegistryUse))
    if counts:
        counters.reset(session, TALLY_PREFIX)
    # Every recipient is re-summarized below; none may count as it was before.
    session.execute(update(RegistryRecipient).values(technologies=0))
    refresh(session, session.scalars(select(Proposal.id)).all(), counts)
    return session.scalar(select(func.count()).select_from(RegistryRecipient)
                          .where(RegistryRecipient.technologies > 0))


def _replace_uses(session: Session, ids: list[int]) -> set[int]:
    """Replace the uses of these proposals; return every recipient id before or after."""
    touched = set(session.scalars(select(RegistryUse.recipient_id)
                                  .where(RegistryUse.proposal_id.in_(ids))))
    session.execute(delete(RegistryUse).where(RegistryUse.proposal_id.in_(ids)))
    recipients: dict[str, int] = {}
    for use in _listed_uses(session, ids):
        key = use.pop("key")
        if key not in recipients:
            recipients[key] = _recipient_id(session, key, use["name"])
        session.add(RegistryUse(recipient_id=recipients[key], **use))
    session.flush()
    return touched | set(recipients.values())


def _listed_uses(session: Session, ids: list[int]) -> list[dict]:
    """Return the registry uses of these proposals, worked out from the record."""
    latest = (select(ProposalVersion.proposal_id, func.max(ProposalVersion.number).label("n"))
              .where(ProposalVersion.submitted_at.is_not(None),
                     ProposalVersion.proposal_id.in_(ids))
              .group_by(ProposalVersion.proposal_id).subquery())
    versions = dict(session.execute(
        select(ProposalVersion.id, Proposal.stage)
        .join(latest, (ProposalVersion.proposal_id == latest.c.proposal_id)
              & (ProposalVersion.number == latest.c.n))
        .join(Proposal, Proposal.id == ProposalVersion.proposal_id)
        .where(Proposal.stage.not_in(NOT_LISTED))).all())
    decisions: dict[int, Decision] = dict(session.execute(
        select(Determination.proposal_id, Determination.decision)
        .where(Determination.proposal_id.in_(ids)).order_by(Determination.id)).all())
    rows = session.execute(
        select(DataRecipient, ProposalVersion.proposal_id)
        .join(ProposalVersion, ProposalVersion.id == DataRecipient.version_id)
        .where(DataRecipient.version_id.in_(list(versions)))
        .order_by(ProposalVersion.proposal_id, DataRecipient.position)).all()
    uses: dict[tuple[int, str], list[DataRecipient]] = {}
    for row, proposal_id in rows:
        decision = decisions.get(proposal_id)
        if versions[row.version_id] is Stage.DECIDED and decision not in APPROVING:
            continue  # denied (or decided without a determination): not in the registry
        key = normalize_name(row.name)
        if key:
            uses.setdefault((proposal_id, key), []).append(row)
    types: dict[tuple[str, str], str] = {}  # each distinct name is matched once
    result = []
    for (proposal_id, key), grouped in uses.items():
        for r in grouped:
            types.setdefault((r.name, r.recipient_type.value),
                             effective_type(r.name, r.recipient_type.value))
        result.append({
            "key": key, "proposal_id": proposal_id, "version_id": grouped[0].version_id,
            "decision": decisions.get(proposal_id), "name": grouped[0].name,
            "types": [types[(r.name, r.recipient_type.value)] for r in grouped],
            "spellings": list(dict.fromkeys(r.name for r in grouped)),
            "categories": distinct(c for r in grouped for c in split_categories(r.data_categories)),
            "immigration": any(serves_immigration_enforcement(
                r.name, r.recipient_type.value, r.purpose, r.data_categories) for r in grouped),
        })
    return result


def _recipient_id(session: Session, key: str, name: str) -> int:
    """Return the recipient for this key, giving a new one its lasting slug."""
    found = session.scalar(select(RegistryRecipient.id).where(RegistryRecipient.key == key))
    if found is not None:
        return found
    base = slug = slugify(name)
    number = 1
    while session.scalar(select(RegistryRecipient.id).where(RegistryRecipient.slug == slug)):
        number += 1
        slug = f"{base}-{number}"
    recipient = RegistryRecipient(key=key, slug=slug, name=name,
                                  recipient_type=RecipientType.CITY, sort_key=f"99 {key}")
    session.add(recipient)
    session.flush()
    return recipient.id


def summarize(session: Session, recipient_ids: Iterable[int]) -> None:
    """Re-summarize these recipients from their uses (type, flags, spellings, counts)."""
    ids = sorted(recipient_ids)
    for start in range(0, len(ids), BATCH):
        batch = ids[start:start + BATCH]
        uses: dict[int, list] = {i: [] for i in batch}
        for use in session.execute(
                select(RegistryUse.recipient_id, RegistryUse.proposal_id, RegistryUse.name,
                       RegistryUse.types,
                       RegistryUse.spellings, RegistryUse.categories, RegistryUse.immigration)
                .where(RegistryUse.recipient_id.in_(batch)).order_by(RegistryUse.proposal_id)):
            uses[use.recipient_id].append(use)
        for recipient in session.scalars(select(RegistryRecipient)
                                         .where(RegistryRecipient.id.in_(batch))):
            _summarize_one(recipient, uses[recipient.id])
    session.flush()


def _summarize_one(recipient: RegistryRecipient, uses: list) -> None:
    """Set the recipient's summary from its uses, oldest proposal first."""
    recipient.technologies = len(uses)
    recipient.shown = [use.proposal_id for use in uses[:USES_SHOWN]]
    if not uses:
        return  # kept, unlisted, so that its slug stays its own
    recipient.name = uses[0].name
    counts = Counter(t for use in uses for t in use.types)  # insertion order: first seen
    types = sorted(counts, key=lambda t: -counts[t])  # stable: ties keep the first seen
    kind = RecipientType(types[0])
    recipient.types = types
    recipient.recipient_type = kind
    recipient.sort_key = f"{TYPE_RANK[kind]:02d} {recipient.key}"
    recipient.spellings = [s for s in dict.fromkeys(s for use in uses for s in use.spellings)
                           if s != recipient.name]
    recipient.categories = distinct(c for use in uses for c in use.categories)
    recipient.immigration = any(use.immigration for use in uses)
    recipient.other_state = RecipientType.OTHER_STATE.value in types
    recipient.private = RecipientType.PRIVATE.value in types
    recipient.vendor_pool = RecipientType.VENDOR_POOL.value in types
