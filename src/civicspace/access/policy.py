"""Roles and the visibility rule every read goes through.

========== ===================================== ======================
role       reads                                 writes
========== ===================================== ======================
anonymous  public records that are also verified  nothing
viewer     public and restricted                  nothing
researcher public and restricted                  creates and edits
editor     everything, confidential included      verifies, publishes
admin      everything                             and manages users
========== ===================================== ======================
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Role = Literal["anonymous", "viewer", "researcher", "editor", "admin"]
ROLES: tuple[Role, ...] = ("anonymous", "viewer", "researcher", "editor", "admin")

_READS: dict[str, tuple[str, ...]] = {
    "anonymous": ("public",),
    "viewer": ("public", "restricted"),
    "researcher": ("public", "restricted"),
    "editor": ("public", "restricted", "confidential"),
    "admin": ("public", "restricted", "confidential"),
}


class AccessDenied(PermissionError):
    """The viewer's role does not allow this."""


@dataclass(frozen=True)
class Viewer:
    """Who is asking. Every service that reads or writes records takes one."""

    role: Role
    name: str | None = None

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise ValueError(f"unknown role {self.role!r}; one of: {', '.join(ROLES)}")

    @classmethod
    def anonymous(cls) -> Viewer:
        return cls("anonymous")

    @classmethod
    def local_operator(cls) -> Viewer:
        """The person at the command line, who holds the database file itself."""
        return cls("editor", "cli")

    @property
    def visibilities(self) -> tuple[str, ...]:
        return _READS[self.role]

    @property
    def verified_only(self) -> bool:
        return self.role == "anonymous"

    def can_read(self, visibility: str, verification: str) -> bool:
        return visibility in self.visibilities and (
            not self.verified_only or verification == "verified"
        )

    @property
    def can_write(self) -> bool:
        return self.role in ("researcher", "editor", "admin")

    @property
    def can_publish(self) -> bool:
        return self.role in ("editor", "admin")

    def require_write(self) -> None:
        if not self.can_write:
            raise AccessDenied(f"role {self.role!r} cannot create or change records")

    def require_publish(self) -> None:
        if not self.can_publish:
            raise AccessDenied(
                f"role {self.role!r} cannot verify, publish or see confidential data"
            )
