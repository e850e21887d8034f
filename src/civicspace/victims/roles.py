"""Who may work on victim lists: they name dead and detained people and carry no visibility
of their own, so they are working material of the staff who link them."""

from __future__ import annotations

from civicspace.access.policy import AccessDenied, Viewer

__all__ = ["can_decide_pairs", "can_read_lists", "require_list_reader", "require_pair_decider"]

# The roles that create records (researchers, editors, admins) read the lists and the review
# queue; the roles that verify records (editors, admins) decide whether two records are one
# person. Viewers and the public never see them.


def can_read_lists(viewer: Viewer) -> bool:
    return viewer.can_write


def can_decide_pairs(viewer: Viewer) -> bool:
    return viewer.can_publish


def require_list_reader(viewer: Viewer) -> None:
    if not can_read_lists(viewer):
        raise AccessDenied(
            f"role {viewer.role!r} cannot read victim lists; researchers, editors and admins can"
        )


def require_pair_decider(viewer: Viewer) -> None:
    if not can_decide_pairs(viewer):
        raise AccessDenied(
            f"role {viewer.role!r} cannot decide linkage pairs; editors and admins can"
        )
