"""Victim lists: import, link across lists and scripts, compare, and estimate the toll.

The public surface is these modules; importing the package loads none of them (linkage
and estimation pull in Splink, DuckDB and statsmodels).
"""

__all__ = [
    "compare",
    "estimation",
    "importer",
    "linkage",
    "lists",
    "normalise",
    "review",
    "roles",
    "runs",
    "service",
    "synth",
    "synth_names",
]
