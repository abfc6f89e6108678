"""Map the two legacy SQLite apps onto PrepNexus, accounting for every source row: the entry point.

``legacy_import(path=..., kind=...)`` opens the file, checks it is of that kind, and runs the kind's
importer from ``IMPORTERS`` (``satprep.SatprepImport`` or ``leitner.LeitnerImport``). How a run reads,
writes and resumes is in ``base``; what each source table becomes is in the source app's module.
"""

import hashlib
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from .base import DEFAULT_BATCH_SIZE, LegacyImport, LegacyImportError
from .leitner import LeitnerImport
from .reader import LegacyFormatError, LegacyReader
from .satprep import SatprepImport

IMPORTERS: dict[str, type[LegacyImport]] = {"satprep": SatprepImport, "leitner": LeitnerImport}
KINDS = tuple(IMPORTERS)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def open_legacy(path, kind: str) -> LegacyReader:
    """Open PATH as a legacy file of KIND, or raise LegacyImportError saying what it is instead."""
    if kind not in KINDS:
        raise LegacyImportError(f"unknown legacy kind {kind!r} (expected satprep or leitner)")
    path = Path(path)
    if not path.exists():
        raise LegacyImportError(f"{path} does not exist")
    if not path.is_file():
        raise LegacyImportError(f"{path} is not a file")
    try:
        detected = LegacyReader(path)
    except LegacyFormatError as exc:
        if "not a SQLite database" in str(exc) or "is corrupt" in str(exc):
            raise LegacyImportError(str(exc)) from exc
        detected = None
    if detected is not None:
        if detected.kind != kind:
            detected.close()
            raise LegacyImportError(f"{path.name} is a {detected.kind} database, not {kind}")
        return detected
    try:
        return LegacyReader(path, kind)
    except LegacyFormatError as exc:
        raise LegacyImportError(str(exc)) from exc


def legacy_import(
    *,
    path: str | Path,
    kind: str,
    batch_size: int = DEFAULT_BATCH_SIZE,
    dry_run: bool = False,
    merge_accounts_before: datetime | None = None,
    strict: bool = False,
    progress: Callable[[str], None] | None = None,
    progress_interval: float = 0.5,
) -> LegacyImport:
    """Import one legacy file of KIND; returns the finished run (``.report`` accounts for every row)."""
    reader = open_legacy(path, kind)
    try:
        run = IMPORTERS[kind](
            reader,
            sha256=file_sha256(Path(path)),
            batch_size=batch_size,
            dry_run=dry_run,
            merge_accounts_before=merge_accounts_before,
            strict=strict,
            progress=progress,
            progress_interval=progress_interval,
        )
        run.run()
        return run
    finally:
        reader.close()


__all__ = [
    "DEFAULT_BATCH_SIZE",
    "IMPORTERS",
    "KINDS",
    "LegacyImport",
    "LegacyImportError",
    "file_sha256",
    "legacy_import",
    "open_legacy",
]
