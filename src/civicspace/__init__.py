"""civicspace."""
