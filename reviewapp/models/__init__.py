"""Typed SQLAlchemy models, one module per aggregate."""

from . import append_only  # noqa: F401  (installs the append-only triggers)
from .accounts import AccountLink, LinkPurpose, RecoveryCode, SignInThrottle
from .base import Base
from .comments import Comment, CommentModeration, CommentPeriod, CommentTally
from .council import AdvisoryRecommendation, Hearing, Motion, MotionResult, Vote
from .dashboard import OpenReportFinding, ProposalStatus, StatusTally
from .findings import Finding, FindingOverride
from .outbox import OutboxMessage
from .oversight import (
    AnnualReport,
    EmergencyNotice,
    InventoryItem,
    Obligation,
    ProposalOrigin,
    ReportFinding,
    ReportReview,
    ReportSharing,
)
from .proposals import DataRecipient, Proposal, ProposalVersion, StageChange
from .records import AuditEvent, Determination, DeterminationFile
from .registry import RegistryRecipient, RegistryUse
from .schedule import ReportSchedule
from .users import Department, Role, User
from .vocab import (
    Decision,
    MotionOutcome,
    MotionType,
    ObligationKind,
    Position,
    RecipientType,
    Recommendation,
    RequiredFinding,
    SensitiveLocation,
    Severity,
    Stage,
    SubmitterType,
    TechnologyCategory,
    Trigger,
    VoteChoice,
)

__all__ = [
    "AccountLink",
    "AdvisoryRecommendation",
    "AnnualReport",
    "AuditEvent",
    "Base",
    "Comment",
    "CommentModeration",
    "CommentPeriod",
    "CommentTally",
    "DataRecipient",
    "Decision",
    "Department",
    "Determination",
    "DeterminationFile",
    "EmergencyNotice",
    "Finding",
    "FindingOverride",
    "Hearing",
    "InventoryItem",
    "LinkPurpose",
    "Motion",
    "MotionOutcome",
    "MotionResult",
    "MotionType",
    "Obligation",
    "ObligationKind",
    "OpenReportFinding",
    "OutboxMessage",
    "Position",
    "Proposal",
    "ProposalOrigin",
    "ProposalStatus",
    "ProposalVersion",
    "RecipientType",
    "Recommendation",
    "RecoveryCode",
    "RegistryRecipient",
    "RegistryUse",
    "ReportFinding",
    "ReportReview",
    "ReportSchedule",
    "ReportSharing",
    "RequiredFinding",
    "Role",
    "SensitiveLocation",
    "Severity",
    "SignInThrottle",
    "Stage",
    "StageChange",
    "StatusTally",
    "SubmitterType",
    "TechnologyCategory",
    "Trigger",
    "User",
    "Vote",
    "VoteChoice",
]
