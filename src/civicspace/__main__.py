"""``python -m civicspace`` runs the command line."""

from civicspace.cli import main

main()
