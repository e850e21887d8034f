"""Record linkage across victim lists (Splink), clustering and accuracy measures."""

from civicspace.victims.linkage.clusters import (
    ScoredPair,
    cluster_records,
    consistent_clusters,
    discount_rivals,
    pair_key,
)
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
    "consistent_clusters",
    "discount_rivals",
    "link_records",
    "pair_key",
    "spark_engine",
]
