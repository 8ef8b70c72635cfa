"""Annual surveillance reports: filing (with the checks run and stored) and review.

Reports, their sharing lines, findings and reviews are public records: rows are only ever
added. Functions here flush and audit; the view commits.
"""

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from forms.report import REPORT_SECTIONS

from .. import audit
from ..compliance import reports as checks
from ..deadlines.reports import ReportPeriod, local_today, period_number
from ..models import (
    AnnualReport,
    Decision,
    Determination,
    Hearing,
    Motion,
    Obligation,
    Proposal,
    ProposalVersion,
    RecipientType,
    ReportFinding,
    ReportReview,
    ReportSharing,
    User,
)
from ..profiles import Profile
from ..workflow import TransitionNotAllowed

# Structured answers that make a report incomplete when left empty (attribute, label).
REQUIRED_NUMBERS = (("retention_days_reported", "Longest time data was actually kept"),
                    ("audits_conducted", "Audits conducted in the period"))


class ReportNotAllowed(TransitionNotAllowed):
    """The report cannot be filed now (already filed, or its period has not begun): 409."""


@dataclass
class ReportData:
    """Everything a department writes in an annual report; nothing else is applied."""

    sections: dict = field(default_factory=dict)
    retention_days_reported: int | None = None
    audits_conducted: int | None = None
    last_audit_on: date | None = None
    deployment_areas: list[str] = field(default_factory=list)
    annual_cost_cents: int | None = None
    funding_next_year: str = ""
    sharing: list[dict] = field(default_factory=list)


@dataclass(frozen=True)
class Approval:
    """What a technology's reports are scheduled by and checked against."""

    first: Determination  # sets the schedule
    latest: Determination  # its conditions are in force
    obligations: tuple[Obligation, ...]
    version: ProposalVersion  # the approved version (its use policy and recipients)


def approval_for(session: Session, proposal_id: int) -> Approval | None:
    """Return the approval of a technology, or None if it was never approved."""
    approvals = session.scalars(
        select(Determination).where(Determination.proposal_id == proposal_id,
                                    Determination.decision.in_((Decision.APPROVED,
                                                                Decision.APPROVED_WITH_CONDITIONS)))
        .order_by(Determination.id)).all()
    if not approvals:
        return None
    latest = approvals[-1]
    obligations = tuple(session.scalars(
        select(Obligation).where(Obligation.determination_id == latest.id)
        .order_by(Obligation.number)))
    version = session.scalar(
        select(ProposalVersion).join(Hearing, Hearing.version_id == ProposalVersion.id)
        .join(Motion, Motion.hearing_id == Hearing.id).where(Motion.id == latest.motion_id)
        .options(selectinload(ProposalVersion.recipients)))
    return Approval(approvals[0], latest, obligations, version)


def next_period(session: Session, proposal: Proposal, profile: Profile,
                approval: Approval) -> ReportPeriod:
    """Return the first period without a filed report."""
    filed = session.scalar(select(func.max(AnnualReport.period_number))
                           .where(AnnualReport.proposal_id == proposal.id)) or 0
    return period_number(approval.first.effective_date, approval.first.review_date, profile,
                         filed + 1)


def check_period(session: Session, proposal: Proposal, profile: Profile, approval: Approval,
                 now: datetime, requested: int | None = None) -> ReportPeriod:
    """Return the period to file for, or refuse (already filed, or not begun)."""
    period = next_period(session, proposal, profile, approval)
    if requested is not None and requested < period.number:
        filed = session.scalar(select(AnnualReport).where(
            AnnualReport.proposal_id == proposal.id, AnnualReport.period_number == requested))
        on = f" on {local_today(profile, filed.filed_at):%B %-d, %Y}" if filed else ""
        raise ReportNotAllowed(f"Annual report {requested} for this technology was already "
                               f"filed{on}. A filed report cannot be replaced.")
    if requested is not None and requested != period.number:
        raise ReportNotAllowed(f"The next report to file is report {period.number}.")
    if local_today(profile, now) < period.start:
        raise ReportNotAllowed(f"Report {period.number} covers the period starting "
                               f"{period.start:%B %-d, %Y}; it can be filed from that day.")
    return period


def report_facts(report: AnnualReport, approval: Approval, profile: Profile) -> checks.ReportFacts:
    """Return the plain data the checks read for a report."""
    version = approval.version
    missing = [s.label for s in REPORT_SECTIONS
               if s.required and not (report.sections.get(s.key) or "").strip()]
    missing += [label for attr, label in REQUIRED_NUMBERS if getattr(report, attr) is None]
    return checks.ReportFacts(
        document_number=approval.latest.document_number,
        obligations=tuple(checks.ObligationFacts(
            number=o.number, kind=o.kind.value, text=o.text, number_value=o.number_value,
            values=checks.obligation_values(o.text_value)) for o in approval.obligations),
        approved_retention_days=version.retention_days if version else None,
        approved_recipients=tuple(r.name for r in version.recipients) if version else (),
        approved_version_number=version.number if version else 0,
        period_end=report.period_end, due_date=report.due_date,
        filed_on=local_today(profile, report.filed_at),
        retention_days_reported=report.retention_days_reported,
        last_audit_on=report.last_audit_on,
        deployment_areas=tuple(report.deployment_areas),
        sharing=tuple(checks.SharingFacts(s.recipient_name, s.recipient_type.value,
                                          s.times_shared) for s in report.sharing),
        missing_sections=tuple(missing),
        approved_locations=(version.impact_report.get("locations") or "") if version else "",
        outside_policy=report.sections.get("outside_policy") or "",
        ordinance=profile.ordinance,
    )


def file_report(session: Session, proposal: Proposal, actor: User, now: datetime,
                profile: Profile, data: ReportData,
                requested_period: int | None = None) -> AnnualReport:
    """Store the report for the next unfiled period, check it, store the findings."""
    approval = approval_for(session, proposal.id)
    if approval is None:
        raise ReportNotAllowed("This technology has not been approved; no report is due.")
    period = check_period(session, proposal, profile, approval, now, requested_period)
    sections = {s.key: (data.sections.get(s.key) or "").strip() for s in REPORT_SECTIONS}
    sections["funding_next_year"] = data.funding_next_year.strip()
    report = AnnualReport(
        proposal_id=proposal.id, period_number=period.number, period_start=period.start,
        period_end=period.due, due_date=period.due, filed_at=now, filed_by_id=actor.id,
        sections=sections, retention_days_reported=data.retention_days_reported,
        audits_conducted=data.audits_conducted, last_audit_on=data.last_audit_on,
        deployment_areas=[a.strip() for a in data.deployment_areas if a.strip()],
        annual_cost_cents=data.annual_cost_cents,
    )
    lines = [row for row in data.sharing if (row.get("recipient_name") or "").strip()]
    for position, row in enumerate(lines):
        report.sharing.append(ReportSharing(
            position=position, recipient_name=row["recipient_name"].strip(),
            recipient_type=RecipientType(row["recipient_type"]),
            times_shared=row.get("times_shared") or 0,
            data_categories=(row.get("data_categories") or "").strip(),
            legal_standard=(row.get("legal_standard") or "").strip()))
    session.add(report)
    session.flush()
    results = checks.check_report(report_facts(report, approval, profile))
    session.add_all(ReportFinding(report_id=report.id, rule_id=r.rule_id, severity=r.severity,
                                  title=r.title, message=r.message, citation=r.citation,
                                  evidence=r.evidence) for r in results)
    session.flush()
    audit.record(session, actor, "file_annual_report", "annual_report", report.id, now,
                 proposal=proposal.file_number, period=period.number,
                 findings=[r.rule_id for r in results])
    return report


def review_report(session: Session, report: AnnualReport, actor: User, now: datetime,
                  memo: str) -> ReportReview:
    """Record the clerk's or advisory member's review of a report, with the memo."""
    review = ReportReview(report_id=report.id, reviewer_id=actor.id, memo=memo.strip(),
                          created_at=now)
    session.add(review)
    session.flush()
    audit.record(session, actor, "review_annual_report", "annual_report", report.id, now,
                 review=review.id)
    return review


def split_areas(text: str) -> list[str]:
    """Split comma-separated deployment areas."""
    return [part.strip() for part in (text or "").split(",") if part.strip()]


__all__ = ["Approval", "ReportData", "ReportNotAllowed", "approval_for", "check_period",
           "file_report", "next_period", "report_facts", "review_report", "split_areas"]
