"""Trust: revision history, soft delete, the tamper-evident audit trail, backups."""

from civicspace.trust.journal import NoJournal, RevisionJournal

__all__ = ["NoJournal", "RevisionJournal"]
