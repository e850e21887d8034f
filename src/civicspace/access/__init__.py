"""Who may see and do what: roles, visibility rules and redaction."""

from civicspace.access.policy import ROLES, AccessDenied, Viewer

__all__ = ["ROLES", "AccessDenied", "Viewer"]
