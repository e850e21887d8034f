"""Victim lists: import, link across lists and scripts, compare, and estimate the toll."""
