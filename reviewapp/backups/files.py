"""Backup files on disk: what kind a file is, and writing one whole or not at all."""

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from . import BackupProblem

SQLITE = "sqlite"
POSTGRESQL = "postgresql"
KIND_NAMES = {
    SQLITE: "an SQLite database file",
    POSTGRESQL: "a PostgreSQL custom-format dump (pg_dump --format=custom)",
}
MAGIC = {SQLITE: b"SQLite format 3\x00", POSTGRESQL: b"PGDMP"}
GZIP = b"\x1f\x8b"


def kind_of(path: Path) -> str:
    """Return the kind of backup `path` holds, judged by its first bytes, never its name."""
    try:
        with path.open("rb") as handle:
            head = handle.read(16)
    except OSError as exc:
        raise BackupProblem(f"Cannot read {path}: {exc.strerror}.") from exc
    for kind, magic in MAGIC.items():
        if head.startswith(magic):
            return kind
    if head.startswith(GZIP):
        raise BackupProblem(f"{path} is gzip-compressed: decompress it first "
                            "(gunzip --keep), then restore the uncompressed file.")
    if not head:
        raise BackupProblem(f"{path} is empty: it is not a backup.")
    raise BackupProblem(
        f"{path} is not a reviewapp backup: it is neither {KIND_NAMES[SQLITE]} nor "
        f"{KIND_NAMES[POSTGRESQL]}. (A plain-text pg_dump cannot be restored by this "
        "command.)")


@contextlib.contextmanager
def written_whole(target: Path, replace: bool = False) -> Iterator[tuple[int, Path]]:
    """Yield (descriptor, path) of a mode-0600 temporary file beside `target`.

    Only when the block finishes is the file synced and given the final name, so a crash
    or an error never leaves half a backup under that name (the temporary one is removed,
    or after a crash stays as a hidden .partial file). An existing `target` is kept unless
    `replace`.
    """
    target = target.absolute()
    if not target.parent.is_dir():
        raise BackupProblem(f"The folder {target.parent} does not exist.")
    if target.exists() and not replace:
        raise BackupProblem(f"{target} already exists. Choose a new name (put the date in "
                            "it), or pass --replace to replace it once the new backup is "
                            "complete.")
    # mkstemp creates the file with mode 0600 and O_EXCL: no other user ever sees it open.
    descriptor, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".partial",
                                        dir=target.parent)
    partial = Path(name)
    try:
        os.fchmod(descriptor, 0o600)
        yield descriptor, partial
        os.fsync(descriptor)
        os.close(descriptor)
        descriptor = -1
        _rename(partial, target, replace)
        _sync_folder(target.parent)
    finally:
        if descriptor != -1:
            os.close(descriptor)
        partial.unlink(missing_ok=True)


def _rename(partial: Path, target: Path, replace: bool) -> None:
    """Give the finished file its name; without `replace`, never clobber a file that appeared."""
    if replace:
        os.replace(partial, target)
        return
    try:
        os.link(partial, target)  # atomic, and fails if the name was taken meanwhile
    except FileExistsError as exc:
        raise BackupProblem(f"{target} appeared while the backup ran; nothing was "
                            "replaced.") from exc
    except OSError:  # a file system without hard links
        if target.exists():
            raise BackupProblem(f"{target} appeared while the backup ran; nothing was "
                                "replaced.") from None
        os.replace(partial, target)


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable."""
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
