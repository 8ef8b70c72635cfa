"""The filed documents of a proposal version: completeness, fingerprints, facts for rules."""

import hashlib
import json

from sqlalchemy import select
from sqlalchemy.orm import object_session

from forms.documents import IMPACT_REPORT, USE_POLICY, Section
from forms.particulars import BAN_EXCEPTION_KEYS, QUESTIONS

from .compliance import RecipientFacts, VersionFacts
from .compliance.placeholders import is_placeholder
from .models import CommentPeriod, ProposalVersion

BASICS = (
    ("trigger", "What triggers review"),
    ("technology_category", "Kind of technology"),
    ("technology_name", "Technology name"),
)


def missing(sections: tuple[Section, ...], document: dict) -> list[str]:
    """Return the labels of required sections left empty."""
    return [s.label for s in sections if s.required and not (document.get(s.key) or "").strip()]


def placeholders(sections: tuple[Section, ...], document: dict) -> list[tuple[str, str]]:
    """Return (label, text) of the sections filled with only a placeholder ("TBD")."""
    return [(s.label, document[s.key].strip()) for s in sections
            if is_placeholder(document.get(s.key))]


def missing_for_submission(version: ProposalVersion) -> list[str]:
    """Return everything that must be filled before the department can submit."""
    basics = [label for attr, label in BASICS if not getattr(version, attr)]
    return (
        basics
        + [f"Impact report: {label}" for label in missing(IMPACT_REPORT, version.impact_report)]
        + [f"Use policy: {label}" for label in missing(USE_POLICY, version.use_policy)]
    )


def known_particulars(answers: dict) -> dict:
    """Return only the particulars the questions define (nothing else is ever stored)."""
    kept = {q.key: answers.get(q.key) for q in QUESTIONS}
    kept.update({key: str(answers.get(key) or "") for key in BAN_EXCEPTION_KEYS})
    kept["retention_exceptions"] = [
        {"purpose": str(row.get("purpose") or ""), "limit_days": row.get("limit_days")}
        for row in answers.get("retention_exceptions") or ()]
    return kept


def _sha256(payload) -> str:
    canonical = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def impact_report_payload(version: ProposalVersion) -> dict:
    """Return the impact report as hashed: the structured facts and every section."""
    return {
        "trigger": version.trigger and version.trigger.value,
        "technology_category": version.technology_category and version.technology_category.value,
        "technology_name": version.technology_name,
        "vendor": version.vendor,
        "product": version.product,
        # In cents since migration 0012 (earlier versions hashed whole dollars here).
        "acquisition_cost_cents": version.acquisition_cents,
        "annual_cost_cents": version.annual_cents,
        "funding_source": version.funding_source,
        "vendor_nda": version.vendor_nda,
        "sensitive_locations": list(version.sensitive_locations),
        "sensitive_safeguards": version.sensitive_safeguards,
        "sections": {s.key: version.impact_report.get(s.key, "") for s in IMPACT_REPORT},
        # Hashed once, at submission: versions filed before these questions existed keep
        # the fingerprint they were given.
        "particulars": dict(version.particulars or {}),
    }


def use_policy_payload(version: ProposalVersion) -> dict:
    """Return the use policy as hashed: sections, retention and every data recipient."""
    return {
        "retention_days": version.retention_days,
        "access_log": version.access_log,
        "sections": {s.key: version.use_policy.get(s.key, "") for s in USE_POLICY},
        "recipients": [
            {
                "name": r.name,
                "type": r.recipient_type.value,
                "purpose": r.purpose,
                "data_categories": r.data_categories,
                "legal_basis": r.legal_basis,
            }
            for r in version.recipients
        ],
    }


def document_hashes(version: ProposalVersion) -> tuple[str, str]:
    """Return the SHA-256 of the impact report and of the use policy."""
    return _sha256(impact_report_payload(version)), _sha256(use_policy_payload(version))


def facts_for(version: ProposalVersion) -> VersionFacts:
    """Return the snapshot the compliance rules read."""
    return VersionFacts(
        technology_category=version.technology_category and version.technology_category.value,
        technology_name=version.technology_name,
        retention_days=version.retention_days,
        impact_report=dict(version.impact_report),
        use_policy=dict(version.use_policy),
        recipients=tuple(
            RecipientFacts(r.name, r.recipient_type.value, r.purpose, r.data_categories,
                           r.legal_basis)
            for r in version.recipients
        ),
        missing_impact_sections=tuple(missing(IMPACT_REPORT, version.impact_report)),
        missing_policy_sections=tuple(missing(USE_POLICY, version.use_policy)),
        placeholder_impact_sections=tuple(placeholders(IMPACT_REPORT, version.impact_report)),
        placeholder_policy_sections=tuple(placeholders(USE_POLICY, version.use_policy)),
        vendor=version.vendor,
        vendor_nda=version.vendor_nda,
        access_log=version.access_log,
        sensitive_locations=tuple(version.sensitive_locations or ()),
        sensitive_safeguards=version.sensitive_safeguards or "",
        **particular_facts(version.particulars or {}),
        **_earlier(version),
    )


def _earlier(version: ProposalVersion) -> dict:
    """Return what the public last saw: the latest earlier version opened for comment.

    A version returned before comment was never put to the public, so it is skipped; with
    no earlier comment period there is nothing to compare.
    """
    earlier = {v.id: v for v in version.proposal.versions if v.number < version.number}
    commented = object_session(version).scalars(
        select(CommentPeriod.version_id).where(CommentPeriod.version_id.in_(earlier))).all()
    if not commented:
        return {}
    previous = max((earlier[i] for i in commented), key=lambda v: v.number)
    return {"earlier_number": previous.number,
            "earlier_recipients": tuple(r.name for r in previous.recipients),
            "earlier_sensitive_locations": tuple(previous.sensitive_locations or ()),
            "earlier_locations": previous.impact_report.get("locations") or "",
            "earlier_purposes": previous.use_policy.get("authorized_purposes") or ""}


def particular_facts(answers: dict) -> dict:
    """Return the particulars as VersionFacts keywords (unanswered: the facts' defaults)."""
    facts = {q.key: answers[q.key] for q in QUESTIONS if answers.get(q.key) is not None}
    facts.update({key: str(answers.get(key) or "") for key in BAN_EXCEPTION_KEYS})
    facts["retention_exceptions"] = tuple(
        (row.get("purpose") or "", row.get("limit_days"))
        for row in answers.get("retention_exceptions") or ())
    return facts


__all__ = ["IMPACT_REPORT", "USE_POLICY", "Section", "document_hashes", "facts_for",
           "missing_for_submission"]
