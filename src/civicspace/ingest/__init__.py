"""Import and export: JSON bundles, CSV per kind, ACLED-compatible CSV."""
