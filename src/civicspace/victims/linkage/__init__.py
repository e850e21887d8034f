"""Record linkage across victim lists (Splink), clustering and accuracy measures."""

from civicspace.victims.linkage.clusters import ScoredPair, cluster_records, pair_key
from civicspace.victims.linkage.run import (
    DEFAULT_MODEL,
    DEFAULT_THRESHOLD,
    ENGINES,
    MODELS,
    LinkageResult,
    link_records,
    spark_engine,
)

__all__ = [
    "DEFAULT_MODEL",
    "DEFAULT_THRESHOLD",
    "ENGINES",
    "MODELS",
    "LinkageResult",
    "ScoredPair",
    "cluster_records",
    "link_records",
    "pair_key",
    "spark_engine",
]
