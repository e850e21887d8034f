"""Storage: tables, migrations, repositories and full-text search."""
