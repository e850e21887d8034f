"""Import problems reported the way a monitor can fix them: ``file:row:field: reason``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError


@dataclass(frozen=True)
class Problem:
    file: str
    row: str
    field: str
    reason: str

    def __str__(self) -> str:
        return f"{self.file}:{self.row}:{self.field}: {self.reason}"


class ImportRejected(ValueError):
    """An import found problems; nothing was written. ``problems`` lists every one."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        shown = "\n".join(str(p) for p in problems[:200])
        more = f"\n… and {len(problems) - 200} more" if len(problems) > 200 else ""
        super().__init__(f"{len(problems)} problem(s), nothing imported:\n{shown}{more}")


def problems_from_validation(
    file: str, row: str, exc: ValidationError, prefix: str = ""
) -> list[Problem]:
    out = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"]) or "(record)"
        reason = err["msg"].removeprefix("Value error, ")
        out.append(Problem(file, row, f"{prefix}{loc}", reason))
    return out


def read_text(path: Path) -> str:
    """A file's UTF-8 text (a BOM is fine); unreadable or mis-encoded files are rejected."""
    name = str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ImportRejected(
            [Problem(name, "-", "-", f"cannot read file: {exc.strerror}")]
        ) from exc
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        reason = f"not UTF-8 text (byte {exc.start}); save the file as UTF-8"
        raise ImportRejected([Problem(name, "-", "-", reason)]) from exc
