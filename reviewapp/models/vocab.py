"""Controlled vocabularies of the domain, each value with the label people read."""

import enum


class LabelledEnum(enum.StrEnum):
    """A string enum whose members carry a human label."""

    def __new__(cls, value: str, label: str):
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        return member

    @classmethod
    def choices(cls) -> list[tuple[str, str]]:
        """Return (value, label) pairs for a select field."""
        return [(member.value, member.label) for member in cls]


class Stage(LabelledEnum):
    """Where a proposal stands in the review process."""

    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted for clerk review"
    RETURNED = "returned", "Returned to department"
    ASSESSMENT = "assessment", "Impact assessment"
    PUBLIC_COMMENT = "public_comment", "Public comment"
    ADVISORY_REVIEW = "advisory_review", "Advisory review"
    AWAITING_HEARING = "awaiting_hearing", "Awaiting hearing"
    HEARING_SCHEDULED = "hearing_scheduled", "Hearing scheduled"
    DECIDED = "decided", "Decided"
    REVISIONS_REQUESTED = "revisions_requested", "Revisions requested by council"
    WITHDRAWN = "withdrawn", "Withdrawn"


class Trigger(LabelledEnum):
    """Why the proposal needs approval (what the department wants to do)."""

    SEEK_FUNDS = "seek_funds", "Seek funds (grant, donation, in-kind)"
    ACQUIRE = "acquire", "Acquire or borrow (even free)"
    NEW_USE = "new_use", "Use existing technology for a new purpose, manner or location"
    AGREEMENT = "agreement", "Enter a data-sharing or other agreement with a non-city entity"
    EXISTING = "existing", "Existing technology at adoption of the ordinance"
    EMERGENCY = "emergency", "Emergency (exigent) use already begun"


class TechnologyCategory(LabelledEnum):
    """Kinds of surveillance technology that rules single out."""

    ALPR = "alpr", "Automated license plate reader (ALPR)"
    FACE_RECOGNITION = "face_recognition", "Face recognition"
    DRONE = "drone", "Drone / unmanned aircraft"
    GUNSHOT_DETECTION = "gunshot_detection", "Acoustic gunshot detection"
    CAMERA = "camera", "Fixed or body-worn camera"
    CELL_SITE_SIMULATOR = "cell_site_simulator", "Cell-site simulator"
    SOCIAL_MEDIA = "social_media", "Social media monitoring"
    OTHER = "other", "Other"


class RecipientType(LabelledEnum):
    """Who receives data; SB 34 turns on whether it is a California public agency."""

    CITY = "city", "City department"
    COUNTY = "county", "County agency (this state)"
    CA_STATE = "ca_state", "State agency (this state)"
    OTHER_STATE = "other_state", "Another state's agency"
    FEDERAL = "federal", "Federal agency"
    PRIVATE = "private", "Private company"
    VENDOR_POOL = "vendor_pool", "Vendor-pooled database"
    FUSION_CENTER = "fusion_center", "Regional intelligence (fusion) center"
    NOT_STATED = "not_stated", "Not stated"


CALIFORNIA_PUBLIC_AGENCIES = frozenset(
    {RecipientType.CITY, RecipientType.COUNTY, RecipientType.CA_STATE}
)


class SensitiveLocation(LabelledEnum):
    """Places where surveillance chills rights and needs explicit safeguards."""

    SCHOOL = "school", "Schools"
    CLINIC = "clinic", "Health clinics"
    PLACE_OF_WORSHIP = "place_of_worship", "Places of worship"
    PROTEST = "protest", "Protests and lawful assemblies"
    COURT = "court", "Courts"


class ProcurementMethod(LabelledEnum):
    """How the technology is obtained (a free trial or a donation still needs approval)."""

    COMPETITIVE = "competitive", "Competitive bid or request for proposals"
    SOLE_SOURCE = "sole_source", "Sole source (no competition)"
    COOPERATIVE = "cooperative", "Cooperative or piggyback purchase on another contract"
    GRANT_OR_DONATION = "grant_or_donation", "Grant, donation or in-kind gift"
    FREE_TRIAL = "free_trial", "Free trial or pilot"
    NOT_STATED = "not_stated", "Not stated"


class DataOwnership(LabelledEnum):
    """Who owns the data under the contract."""

    CITY = "city", "The city owns the data"
    VENDOR = "vendor", "The vendor owns or may keep the data"
    SHARED = "shared", "Shared or unclear ownership"
    NOT_STATED = "not_stated", "Not stated"


class NetworkSharing(LabelledEnum):
    """The vendor platform's setting for who else can search this city's data."""

    OFF = "off", "Off: no other agency can search our data"
    NAMED = "named", "Only the agencies listed as recipients"
    STATEWIDE = "statewide", "Statewide network (any agency in the state)"
    NATIONWIDE = "nationwide", "Nationwide network or lookup"
    NOT_KNOWN = "not_known", "Not known"


class SubmitterType(LabelledEnum):
    """How a commenter chooses to appear."""

    ANONYMOUS = "anonymous", "Anonymous"
    INDIVIDUAL = "individual", "As an individual"
    ORGANIZATION = "organization", "On behalf of an organization"


class Position(LabelledEnum):
    """A commenter's position on the proposal."""

    SUPPORT = "support", "Support"
    OPPOSE = "oppose", "Oppose"
    NEUTRAL = "neutral", "Neutral"


class Recommendation(LabelledEnum):
    """The advisory body's recommendation."""

    APPROVE = "approve", "Approve"
    MODIFY = "modify", "Approve with modifications"
    OBJECT = "object", "Object"
    NO_ACTION = "no_action", "No action"


class MotionType(LabelledEnum):
    """What the council votes on."""

    APPROVE = "approve", "Approve"
    APPROVE_WITH_CONDITIONS = "approve_with_conditions", "Approve with conditions"
    DENY = "deny", "Deny"
    REQUEST_REVISIONS = "request_revisions", "Request revisions"


class VoteChoice(LabelledEnum):
    """One member's answer on the roll call."""

    AYE = "aye", "Aye"
    NO = "no", "No"
    ABSTAIN = "abstain", "Abstain"
    RECUSED = "recused", "Recused"
    ABSENT = "absent", "Absent"


class MotionOutcome(LabelledEnum):
    """The result of a roll call judged against the profile's rules."""

    PASSED = "passed", "Passed"
    FAILED = "failed", "Failed"
    NO_QUORUM = "no_quorum", "No quorum"


class Decision(LabelledEnum):
    """What a determination decides."""

    APPROVED = "approved", "Approved"
    APPROVED_WITH_CONDITIONS = "approved_with_conditions", "Approved with conditions"
    DENIED = "denied", "Denied"


class Severity(LabelledEnum):
    """How serious a compliance finding is."""

    BLOCKING = "blocking", "Blocking"
    WARNING = "warning", "Warning"
    INFO = "info", "Information"


class RequiredFinding(LabelledEnum):
    """The findings the council must make to approve (CCOPS model, Berkeley 2.99.060)."""

    BENEFITS_OUTWEIGH_COSTS = (
        "benefits_outweigh_costs",
        "The benefits to the community outweigh the costs, including to privacy",
    )
    CIVIL_LIBERTIES_SAFEGUARDED = (
        "civil_liberties_safeguarded",
        "The use policy safeguards civil liberties and civil rights",
    )
    NO_DISPARATE_IMPACT = (
        "no_disparate_impact",
        "Use will not have a disparate impact on any community or protected group",
    )
    NO_LESS_INVASIVE_ALTERNATIVE = (
        "no_less_invasive_alternative",
        "No less costly or less invasive alternative would be as effective",
    )


class ObligationKind(LabelledEnum):
    """The kinds of condition of approval that can be checked against annual reports."""

    MAX_RETENTION_DAYS = "max_retention_days", "Keep data no longer than N days"
    NO_SHARING_WITH_TYPE = "no_sharing_with_type", "No sharing with a type of recipient"
    NO_SHARING_WITH = "no_sharing_with", "No sharing with a named recipient"
    AUDIT_EVERY_MONTHS = "audit_every_months", "An audit at least every N months"
    DEPLOYMENT_LIMITED_TO = "deployment_limited_to", "Deployment limited to named areas"
    OTHER = "other", "Other condition (free text)"
