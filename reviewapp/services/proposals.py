"""Drafting, submitting and withdrawing proposals (the department's operations)."""

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, object_session

from .. import audit, compliance, documents
from ..models import (
    DataRecipient,
    Finding,
    Proposal,
    ProposalVersion,
    RecipientType,
    SensitiveLocation,
    Stage,
    StageChange,
    TechnologyCategory,
    Trigger,
    User,
)
from ..profiles import Profile
from ..workflow import Action
from .transitions import move, situation


@dataclass
class DraftData:
    """Everything a department may write into a draft; nothing else is ever applied."""

    title: str = ""
    trigger: str | None = None
    technology_category: str | None = None
    technology_name: str = ""
    vendor: str = ""
    product: str = ""
    acquisition_cost_cents: int | None = None
    annual_cost_cents: int | None = None
    funding_source: str = ""
    retention_days: int | None = None
    vendor_nda: bool | None = None
    access_log: bool | None = None
    sensitive_locations: list[str] = field(default_factory=list)
    sensitive_safeguards: str = ""
    impact_report: dict = field(default_factory=dict)
    use_policy: dict = field(default_factory=dict)
    particulars: dict = field(default_factory=dict)
    recipients: list[dict] = field(default_factory=list)


def next_file_number(session: Session, now: datetime) -> str:
    """Return the next file number of the year, e.g. 2026-0007."""
    prefix = f"{now.year}-"
    count = session.scalar(
        select(func.count()).select_from(Proposal).where(Proposal.file_number.startswith(prefix))
    )
    return f"{prefix}{count + 1:04d}"


def create_draft(session: Session, actor: User, now: datetime, data: DraftData) -> Proposal:
    """Start a proposal for the actor's department with its first (editable) version."""
    proposal = Proposal(
        file_number=next_file_number(session, now), title=data.title.strip() or "Untitled",
        department_id=actor.department_id, created_by_id=actor.id, stage=Stage.DRAFT,
        created_at=now,
    )
    session.add(proposal)
    session.flush()
    version = ProposalVersion(proposal=proposal, number=1, created_at=now, updated_at=now)
    session.add(version)
    _apply(version, data, now)
    session.add(StageChange(proposal_id=proposal.id, version_number=1, from_stage=None,
                            to_stage=Stage.DRAFT, actor_id=actor.id, created_at=now))
    session.flush()
    audit.record(session, actor, "create_draft", "proposal", proposal.file_number, now)
    return proposal


def save_draft(session: Session, proposal: Proposal, actor: User, now: datetime,
               data: DraftData) -> ProposalVersion:
    """Save the department's edits; a returned proposal gets a new version first."""
    version = proposal.current_version
    if version.is_frozen:
        version = _new_version_from(session, proposal, version, now)
    _apply(version, data, now)
    if not any(v.is_frozen for v in proposal.versions):
        # Never submitted, so not public: the title may follow the draft. Otherwise the
        # public title changes only when the new version is submitted.
        proposal.title = version.title
    session.flush()
    return version


def _new_version_from(session: Session, proposal: Proposal, previous: ProposalVersion,
                      now: datetime) -> ProposalVersion:
    """Copy a frozen version into a new editable one (the old one stays in the record)."""
    version = ProposalVersion(
        proposal=proposal, number=previous.number + 1, created_at=now, updated_at=now,
        title=previous.title or proposal.title, trigger=previous.trigger,
        technology_category=previous.technology_category,
        technology_name=previous.technology_name, vendor=previous.vendor,
        product=previous.product, acquisition_cost_cents=previous.acquisition_cents,
        annual_cost_cents=previous.annual_cents, funding_source=previous.funding_source,
        retention_days=previous.retention_days, vendor_nda=previous.vendor_nda,
        access_log=previous.access_log,
        sensitive_locations=list(previous.sensitive_locations),
        sensitive_safeguards=previous.sensitive_safeguards,
        impact_report=dict(previous.impact_report), use_policy=dict(previous.use_policy),
        particulars=dict(previous.particulars or {}),
    )
    session.add(version)
    for r in previous.recipients:
        version.recipients.append(DataRecipient(
            position=r.position, name=r.name, recipient_type=r.recipient_type,
            purpose=r.purpose, data_categories=r.data_categories, legal_basis=r.legal_basis,
        ))
    session.flush()
    return version


def _apply(version: ProposalVersion, data: DraftData, now: datetime) -> None:
    """Write the draft data onto an editable version."""
    if version.is_frozen:
        raise ValueError("a submitted version cannot change")
    version.title = data.title.strip() or version.title or version.proposal.title
    version.trigger = Trigger(data.trigger) if data.trigger else None
    version.technology_category = (
        TechnologyCategory(data.technology_category) if data.technology_category else None
    )
    version.technology_name = data.technology_name.strip()
    version.vendor = data.vendor.strip()
    version.product = data.product.strip()
    version.acquisition_cost_cents = data.acquisition_cost_cents
    version.annual_cost_cents = data.annual_cost_cents
    version.funding_source = data.funding_source.strip()
    version.retention_days = data.retention_days
    version.vendor_nda = data.vendor_nda
    version.access_log = data.access_log
    version.sensitive_locations = [SensitiveLocation(p).value for p in data.sensitive_locations]
    version.sensitive_safeguards = data.sensitive_safeguards.strip()
    version.impact_report = {s.key: (data.impact_report.get(s.key) or "").strip()
                             for s in documents.IMPACT_REPORT}
    version.use_policy = {s.key: (data.use_policy.get(s.key) or "").strip()
                          for s in documents.USE_POLICY}
    version.particulars = documents.known_particulars(data.particulars)
    version.recipients.clear()
    session = object_session(version)
    if session is not None:
        session.flush()  # delete the old rows before new ones reuse their positions
    position = 0
    for row in data.recipients:
        if not (row.get("name") or "").strip():
            continue  # an empty row the form offered but nobody filled
        position += 1
        version.recipients.append(DataRecipient(
            position=position, name=row["name"].strip(),
            recipient_type=RecipientType(row["recipient_type"]),
            purpose=(row.get("purpose") or "").strip(),
            data_categories=(row.get("data_categories") or "").strip(),
            legal_basis=(row.get("legal_basis") or "").strip(),
        ))
    version.updated_at = now


def submit(session: Session, proposal: Proposal, actor: User, now: datetime,
           profile: Profile) -> ProposalVersion:
    """Freeze the current version, fingerprint its documents and compute its findings."""
    version = proposal.current_version
    missing_sections = documents.missing_for_submission(version)
    move(session, proposal, Action.SUBMIT, actor, now,
         situation(session, proposal, profile, now, documents_complete=not missing_sections,
                   missing_sections=missing_sections))
    impact_sha, policy_sha = documents.document_hashes(version)
    version.impact_report_sha256, version.use_policy_sha256 = impact_sha, policy_sha
    version.submitted_at = now
    if version.title:
        proposal.title = version.title  # the filed title is the public one from now on
    store_findings(session, version, profile)
    session.flush()
    return version


def compliance_settings(profile: Profile) -> dict:
    """Return what the rules read of a profile (compliance.evaluate's settings)."""
    return {
        "banned_technologies": profile.banned_technologies,
        "max_retention_days": profile.max_retention_days,
        # The CCOPS rules cite the jurisdiction's own ordinance.
        "ordinance": profile.ordinance, "ordinance_url": profile.ordinance_url,
        "state": profile.state,
        "retention_limits": profile.retention_limits or {},
        "retention_limit_citation": profile.sources.get("retention_limits", ""),
        "ban_exceptions": {e.key: e for e in profile.ban_exceptions},
    }


def store_findings(session: Session, version: ProposalVersion, profile: Profile) -> list[Finding]:
    """Run the profile's rule packs over a frozen version and store the findings."""
    settings = compliance_settings(profile)
    results = compliance.evaluate(documents.facts_for(version), profile.rule_packs, settings)
    rows = [
        Finding(version_id=version.id, rule_id=r.rule_id, severity=r.severity, title=r.title,
                message=r.message, citation=r.citation, citation_url=r.citation_url,
                evidence=r.evidence)
        for r in results
    ]
    session.add_all(rows)
    session.flush()
    return rows


def withdraw(session: Session, proposal: Proposal, actor: User, now: datetime,
             profile: Profile, reason: str) -> None:
    """Withdraw a proposal before decision; it stays in the public record."""
    move(session, proposal, Action.WITHDRAW, actor, now,
         situation(session, proposal, profile, now), reason=reason)
