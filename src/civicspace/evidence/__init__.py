"""Evidence files: content-addressed, type-sniffed, encrypted for confidential records,
with a chain of custody and a re-hashing check."""

from civicspace.evidence.blobs import EvidenceDamaged, EvidenceRejected
from civicspace.evidence.catalogue import EvidenceFile
from civicspace.evidence.custody import CustodyEntry
from civicspace.evidence.service import EvidenceLocker, VerifyProblem, evidence_dir, safe_name
from civicspace.evidence.sniff import sniff

__all__ = [
    "CustodyEntry",
    "EvidenceDamaged",
    "EvidenceFile",
    "EvidenceLocker",
    "EvidenceRejected",
    "VerifyProblem",
    "evidence_dir",
    "safe_name",
    "sniff",
]
