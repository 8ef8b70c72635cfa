"""The data-sharing registry, derived: recipients grouped by name, and which proposals use them.

Not a record: these rows are worked out from the record (submitted versions, stages and
determinations) whenever a change lists or unlists a proposal, so that the registry's pages
read a page of rows instead of matching every recipient name on every request. They are
updated and deleted freely, and can be rebuilt from the record at any time
(`flask rebuild-derived`).
"""

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, enum_column
from .vocab import Decision, RecipientType

# Byte order on PostgreSQL, as on SQLite and in Python: pages sort and seek the same way.
ORDERED_TEXT = String(420).with_variant(String(420, collation="C"), "postgresql")


class RegistryRecipient(Base):
    """One recipient: every listed row whose name normalizes to `key`, summarized."""

    __tablename__ = "registry_recipient"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(400), unique=True)
    # Given once, when the name is first listed, so that links to the page keep working.
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    recipient_type: Mapped[RecipientType] = mapped_column(
        enum_column(RecipientType, "registry_recipient_type"))
    # The type's place in RecipientType, then the key: the order the registry lists.
    sort_key: Mapped[str] = mapped_column(ORDERED_TEXT, unique=True)
    types: Mapped[list] = mapped_column(JSON, default=list)
    spellings: Mapped[list] = mapped_column(JSON, default=list)
    categories: Mapped[list] = mapped_column(JSON, default=list)
    immigration: Mapped[bool] = mapped_column(default=False)
    other_state: Mapped[bool] = mapped_column(default=False)
    private: Mapped[bool] = mapped_column(default=False)
    vendor_pool: Mapped[bool] = mapped_column(default=False)
    technologies: Mapped[int] = mapped_column(default=0)  # 0: no longer listed
    shown: Mapped[list] = mapped_column(JSON, default=list)  # the index's first proposal ids


class RegistryUse(Base):
    """One listed proposal's rows naming one recipient, in its latest submitted version."""

    __tablename__ = "registry_use"
    __table_args__ = (UniqueConstraint("recipient_id", "proposal_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient_id: Mapped[int] = mapped_column(ForeignKey("registry_recipient.id"))
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposal.id"), index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("proposal_version.id"))
    decision: Mapped[Decision | None] = mapped_column(enum_column(Decision, "registry_decision"))
    name: Mapped[str] = mapped_column(String(300))
    types: Mapped[list] = mapped_column(JSON, default=list)
    spellings: Mapped[list] = mapped_column(JSON, default=list)
    categories: Mapped[list] = mapped_column(JSON, default=list)
    immigration: Mapped[bool] = mapped_column(default=False)
