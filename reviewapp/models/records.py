"""Issued determinations and the hash-chained audit log: the permanent public record."""

from datetime import date, datetime

from sqlalchemy import ForeignKey, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, UTCDateTime, enum_column, utcnow
from .users import User
from .vocab import Decision


class Determination(Base):
    """The decision document, rendered once; its bytes are stored and never regenerated."""

    __tablename__ = "determination"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposal.id"), index=True)
    motion_id: Mapped[int] = mapped_column(ForeignKey("motion.id"), unique=True)
    decision: Mapped[Decision] = mapped_column(enum_column(Decision, "decision"))
    document_number: Mapped[str] = mapped_column(String(40), unique=True)
    file_name: Mapped[str] = mapped_column(String(200), unique=True)
    sha256: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int]
    effective_date: Mapped[date]
    review_date: Mapped[date]
    issued_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    issued_by: Mapped[User] = relationship()


class DeterminationFile(Base):
    """The issued PDF's bytes, kept in the database so that every app host can serve them.

    A table of its own, written in the same transaction as the determination, so that pages
    listing determinations never load the bytes.
    """

    __tablename__ = "determination_file"

    determination_id: Mapped[int] = mapped_column(ForeignKey("determination.id"),
                                                  primary_key=True)
    content: Mapped[bytes] = mapped_column(LargeBinary)


class AuditEvent(Base):
    """One entry of the append-only log; `hash` chains it to the entry before."""

    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    actor_label: Mapped[str] = mapped_column(String(300))
    action: Mapped[str] = mapped_column(String(80))
    object_type: Mapped[str] = mapped_column(String(80))
    object_id: Mapped[str] = mapped_column(String(80))
    details: Mapped[str] = mapped_column(Text, default="{}")
    prev_hash: Mapped[str] = mapped_column(String(64), unique=True)  # a fork fails
    hash: Mapped[str] = mapped_column(String(64), unique=True)
    # HMAC-SHA256 of `hash` under a key the database never holds (audit_keys.py), and
    # that key's fingerprint. NULL only in events written before the chain was sealed.
    seal: Mapped[str | None] = mapped_column(String(64))
    seal_key: Mapped[str | None] = mapped_column(String(16))
