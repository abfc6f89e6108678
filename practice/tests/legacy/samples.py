"""The legacy sample files for tests: the shared ones and freshly generated ones.

The samples live outside the repository, in ``shared/legacy/`` next to the checkout (CI clones the
repository with ``shared/`` beside it). They are never copied into the repository.
"""

import atexit
import csv
import functools
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[3]


def _candidates() -> list[Path]:
    found = [REPO_ROOT.parent / "shared" / "legacy"]
    # A git worktree sits elsewhere; its main checkout's parent holds shared/ too.
    try:
        common = subprocess.run(
            ["git", "rev-parse", "--path-format=absolute", "--git-common-dir"],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            check=True,
            timeout=10,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return found
    if common:
        found.append(Path(common).parent.parent / "shared" / "legacy")
    return found


@functools.cache
def legacy_dir() -> Path | None:
    for candidate in _candidates():
        if (candidate / "make_legacy_db.py").is_file():
            return candidate
    return None


def require_legacy_dir() -> Path:
    directory = legacy_dir()
    if directory is None:
        pytest.skip(
            "legacy samples not found: expected shared/legacy/ (make_legacy_db.py, satprep.db, leitner.db) "
            "beside the repository checkout"
        )
    return directory


def sample(kind: str) -> Path:
    """The shared sample file of one kind: 'satprep' or 'leitner'."""
    path = require_legacy_dir() / f"{kind}.db"
    if not path.is_file():
        pytest.skip(f"legacy sample {path.name} is missing from shared/legacy/")
    return path


@functools.cache
def _generated_dir() -> Path:
    directory = Path(tempfile.mkdtemp(prefix="prepnexus-legacy-"))
    atexit.register(shutil.rmtree, directory, True)
    return directory


@functools.cache
def generated(kind: str, scale: int = 5, seed: int = 7) -> Path:
    """A file made by the legacy generator at this scale, once per test run, in a temp directory."""
    generator = require_legacy_dir() / "make_legacy_db.py"
    out = _generated_dir() / f"{kind}-scale{scale}-seed{seed}.db"
    subprocess.run(
        [sys.executable, str(generator), kind, str(out), "--scale", str(scale), "--seed", str(seed)],
        check=True,
        capture_output=True,
        timeout=600,
    )
    return out


def credentials(db_path: Path) -> list[dict]:
    """Rows of the plaintext-password file the generator writes next to a database."""
    with open(f"{db_path}.credentials.csv", newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))
