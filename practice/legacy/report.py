"""Accounting for every legacy row: the import report and a progress meter with rows/s.

Each source row ends in exactly one state: imported, repaired (imported after a repair: what was found
and what was done is in its notes), merged (into what) or rejected (why, with the row verbatim).
``ImportReport.verify()`` checks, per table, that the source count equals
imported + repaired + merged + rejected; the command exits non-zero when it does not. The repairs are
also counted by kind, per table.
"""

import csv
import json
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from practice.formats import csvsafe

IMPORTED, REPAIRED, MERGED, REJECTED = "imported", "repaired", "merged", "rejected"
STATES = (IMPORTED, REPAIRED, MERGED, REJECTED)


def _json_safe(value):
    if isinstance(value, bytes):
        return {"hex": value.hex()}  # a BLOB: keep it verbatim, in a form JSON can hold
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


class ImportReport:
    """What happened to every source row, per table, in the order the tables were loaded."""

    def __init__(
        self, *, kind: str, source: str, dry_run: bool = False, sha256: str = "", strict: bool = False
    ):
        self.kind, self.source, self.dry_run, self.sha256 = kind, source, dry_run, sha256
        self.strict = strict
        self.repair_counts: dict[str, dict[str, int]] = {}  # table -> repair kind -> rows
        self.started_at = datetime.now(UTC)
        self.source_counts: dict[str, int] = {}
        self.counts: dict[str, dict[str, int]] = {}
        self.rejected_rows: dict[str, list[dict]] = {}
        self.merged_rows: dict[str, list[dict]] = {}
        self.notes: dict[str, list[dict]] = {}
        self._seen: dict[str, set] = {}

    def table(self, table: str, source_count: int) -> None:
        """Start accounting for TABLE, which holds SOURCE_COUNT rows in the legacy file."""
        self.source_counts[table] = source_count
        self.counts.setdefault(table, dict.fromkeys(STATES, 0))
        self._seen.setdefault(table, set())

    def _record(self, table: str, legacy_id, state: str) -> None:
        if table not in self.counts:
            raise KeyError(f"call table({table!r}, count) before recording its rows")
        seen = self._seen[table]
        if legacy_id in seen:
            raise ValueError(f"{table} row {legacy_id} already has a state; a row ends in exactly one")
        seen.add(legacy_id)
        self.counts[table][state] += 1

    def imported(self, table: str, legacy_id, *, repairs=()) -> None:
        """An imported row; with REPAIRS (the kinds of repair it needed) it counts as repaired."""
        self._record(table, legacy_id, REPAIRED if repairs else IMPORTED)
        self._repairs(table, repairs)

    def _repairs(self, table: str, repairs) -> None:
        counts = self.repair_counts.setdefault(table, {})
        for kind in repairs:
            counts[kind] = counts.get(kind, 0) + 1

    def merged(self, table: str, legacy_id, *, into: str, reason: str = "", repairs=()) -> None:
        self._record(table, legacy_id, MERGED)
        self._repairs(table, repairs)
        self.merged_rows.setdefault(table, []).append(
            {"legacy_id": legacy_id, "into": into, "reason": reason}
        )

    def rejected(self, table: str, legacy_id, *, reason: str, raw: dict) -> None:
        self._record(table, legacy_id, REJECTED)
        self.rejected_rows.setdefault(table, []).append(
            {"legacy_id": legacy_id, "reason": reason, "raw": raw}
        )

    def note(self, table: str, legacy_id, message: str) -> None:
        """Something worth telling about an imported row (an alias used, a value adjusted); not a state."""
        self.notes.setdefault(table, []).append({"legacy_id": legacy_id, "note": message})

    def verify(self) -> list[str]:
        """One line per table whose source count differs from imported + merged + rejected."""
        problems = []
        for table, expected in self.source_counts.items():
            counts = self.counts[table]
            accounted = sum(counts.values())
            if accounted != expected:
                problems.append(
                    f"{table}: {expected} source rows but {accounted} accounted for "
                    f"({counts[IMPORTED]} imported + {counts[REPAIRED]} repaired + {counts[MERGED]} merged "
                    f"+ {counts[REJECTED]} rejected)"
                )
        return problems

    def as_dict(self) -> dict:
        problems = self.verify()
        return {
            "kind": self.kind,
            "source": self.source,
            "sha256": self.sha256,
            "dry_run": self.dry_run,
            "strict": self.strict,
            "started_at": self.started_at.isoformat(),
            "finished_at": datetime.now(UTC).isoformat(),
            "verified": not problems,
            "problems": problems,
            "tables": {
                table: {
                    "source": self.source_counts[table],
                    **self.counts[table],
                    "repairs": dict(sorted(self.repair_counts.get(table, {}).items())),
                    "rejected_rows": self.rejected_rows.get(table, []),
                    "merged_rows": self.merged_rows.get(table, []),
                    "notes": self.notes.get(table, []),
                }
                for table in self.source_counts
            },
        }

    def summary_lines(self) -> list[str]:
        """Per table: source, imported, repaired, merged, rejected; then the repairs by kind."""
        lines = [f"{'table':<20} {'source':>8} {'imported':>9} {'repaired':>9} {'merged':>7} {'rejected':>9}"]
        for table, expected in self.source_counts.items():
            counts = self.counts[table]
            lines.append(
                f"{table:<20} {expected:>8} {counts[IMPORTED]:>9} {counts[REPAIRED]:>9} {counts[MERGED]:>7} "
                f"{counts[REJECTED]:>9}"
            )
        repairs = [
            (table, kind, count)
            for table in self.source_counts
            for kind, count in sorted(self.repair_counts.get(table, {}).items())
        ]
        if repairs:
            lines.append("repairs (each noted on its row):")
            lines.extend(f"  {table:<18} {kind:<58} {count:>7}" for table, kind, count in repairs)
        elif self.strict:
            lines.append("strict: rows that could have been repaired were rejected")
        return lines

    def write(self, path: Path) -> list[Path]:
        """The JSON report at PATH and, per table with rejected rows, PATH's stem + .<table>.rejected.csv."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(
            json.dumps(self.as_dict(), indent=2, ensure_ascii=False, default=_json_safe) + "\n",
            encoding="utf-8",
        )
        written = [path]
        for table, rows in self.rejected_rows.items():
            columns = list(dict.fromkeys(key for row in rows for key in row["raw"]))
            csv_path = path.with_name(f"{path.stem}.{table}.rejected.csv")
            with open(csv_path, "w", newline="", encoding="utf-8") as handle:
                writer = csv.writer(handle, quoting=csv.QUOTE_ALL)
                writer.writerow(["legacy_id", "reason", *columns])
                for row in rows:
                    raw = row["raw"]
                    writer.writerow(
                        [row["legacy_id"], csvsafe.escape(row["reason"])]
                        + ["" if raw.get(c) is None else _cell(raw.get(c)) for c in columns]
                    )
            written.append(csv_path)
        return written


def _cell(value) -> str:
    """A raw value as a report cell: a BLOB as hex, text defused for spreadsheets (csvsafe)."""
    if isinstance(value, bytes):
        return value.hex()
    return csvsafe.escape(value) if isinstance(value, str) else str(value)


class ProgressMeter:
    """'responses  4,000/9,199  43%  12,345 rows/s', at most every INTERVAL seconds, then a final line."""

    def __init__(
        self,
        write: Callable[[str], None],
        label: str,
        total: int,
        interval: float = 0.5,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.write, self.label, self.total, self.interval, self.clock = write, label, total, interval, clock
        self.done = 0
        self.started = self.last = clock()

    def rate(self) -> float:
        elapsed = self.clock() - self.started
        return self.done / elapsed if elapsed > 0 else 0.0

    def line(self) -> str:
        percent = f"{100 * self.done // self.total:>3}%" if self.total else "100%"
        return f"{self.label:<20} {self.done:>9,}/{self.total:,} {percent} {self.rate():>10,.0f} rows/s"

    def advance(self, rows: int) -> None:
        self.done += rows
        now = self.clock()
        if now - self.last >= self.interval:
            self.last = now
            self.write(self.line())

    def finish(self) -> float:
        """Print the final line; returns rows/s."""
        self.write(self.line())
        return self.rate()
