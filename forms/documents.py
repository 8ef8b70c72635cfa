"""The sections of the Surveillance Impact Report and the Use Policy.

One list drives the form, the public page and the determination, so a section added
here appears everywhere. Keys are stored in the proposal version's JSON documents.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Section:
    """One section of a filed document."""

    key: str
    label: str
    hint: str
    required: bool = True


IMPACT_REPORT = (
    Section("description", "Technology description and how it works",
            "What the technology is, what it does, and how it works, in plain language."),
    Section("purpose", "Purpose and intended benefits",
            "The problem it addresses and the benefits you expect, with evidence."),
    Section("locations", "Deployment locations",
            "Where it will be used. Say whether any location is a school, clinic, place of "
            "worship, protest or court."),
    Section("data_collected", "Data collected",
            "Every kind of data it captures, including incidental data about bystanders."),
    Section("storage_retention", "Storage, retention and deletion",
            "Where data is stored, for how long, and how it is deleted."),
    Section("third_party_access", "Third-party and vendor access",
            "Whether the vendor or others can access the data, and on what terms."),
    Section("fiscal_cost", "Fiscal cost and funding source",
            "Acquisition, annual and staffing costs, and where the money comes from."),
    Section("civil_liberties", "Civil-liberties and civil-rights impact",
            "How it could affect free speech, association, privacy and due process."),
    Section("disparate_impact", "Disparate impact and racial-equity analysis",
            "Which communities bear the burden and how that is prevented."),
    Section("alternatives", "Alternatives considered",
            "Less invasive alternatives and why they are not enough."),
    Section("track_record", "Track record in other jurisdictions",
            "How it has worked elsewhere, including problems.", required=False),
    Section("legal_basis", "Legal basis and applicable law",
            "The laws that authorize and limit this use (e.g. SB 34 for ALPR)."),
    Section("monitoring", "Monitoring and enforcement",
            "How compliance with the use policy will be checked and violations handled."),
)

USE_POLICY = (
    Section("authorized_purposes", "Authorized purposes",
            "The specific purposes for which the technology may be used."),
    Section("prohibited_uses", "Prohibited uses",
            "Uses that are not allowed, e.g. immigration enforcement or protest monitoring."),
    Section("data_collection", "Data collection",
            "What data may be collected and by whom."),
    Section("access", "Who may access the data, and training",
            "Job titles with access and the training they must complete."),
    Section("security", "Data protection and security",
            "Technical and administrative safeguards."),
    Section("retention", "Retention and destruction",
            "The retention period and how data is destroyed when it ends."),
    Section("public_access", "Public access",
            "What data or statistics the public can obtain."),
    Section("third_party_sharing", "Third-party sharing",
            "Purposes, process and restrictions for sharing. List each recipient below."),
    Section("auditing", "Auditing and oversight",
            "Audits and the access log (date/time, query, user, organization, purpose)."),
    Section("custodian", "Custodian",
            "The official responsible for the system and its data."),
    Section("accuracy", "Accuracy and error correction",
            "How errors are found and corrected."),
    Section("disparate_impact_safeguards", "Disparate-impact safeguards",
            "Measures that prevent discriminatory use.", required=False),
)
