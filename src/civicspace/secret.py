"""Key material and other secrets that never show themselves in logs, tracebacks or ``repr``.

It imports nothing of the project, so the settings, the crypto layer and the web app share
one type."""

from __future__ import annotations

import hmac

__all__ = ["Secret"]


class Secret:
    """Bytes that print as ``**********``; :meth:`reveal` is the only way to them.

    >>> Secret(b"k")
    Secret('**********')
    """

    __slots__ = ("_value",)

    def __init__(self, value: bytes) -> None:
        self._value = value

    def reveal(self) -> bytes:
        return self._value

    def __repr__(self) -> str:
        return "Secret('**********')"

    def __str__(self) -> str:
        return "**********"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and hmac.compare_digest(self._value, other._value)

    def __hash__(self) -> int:
        return hash(Secret)

    def __reduce__(self) -> tuple[object, ...]:
        raise TypeError("a Secret is not pickled")
