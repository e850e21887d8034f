"""Writing a file so that it is either complete under its name or not there at all."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO


@contextlib.contextmanager
def atomic_file(path: Path) -> Iterator[BinaryIO]:
    """A temporary file beside ``path``, flushed to disk and renamed to ``path`` on success.

    A crash (even SIGKILL) leaves at most ``.<name>.partial``, never a half file under
    ``path``; an error removes the temporary file.
    """
    path = Path(path)
    temp = path.with_name(f".{path.name}.partial")
    handle = open(temp, "wb")  # noqa: SIM115  (closed below on every path)
    try:
        yield handle
        handle.flush()
        os.fsync(handle.fileno())
        handle.close()
        os.replace(temp, path)
        _fsync_folder(path.parent)
    except BaseException:
        handle.close()
        temp.unlink(missing_ok=True)
        raise


def _fsync_folder(folder: Path) -> None:
    with contextlib.suppress(OSError):  # not every file system lets a folder be opened
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
