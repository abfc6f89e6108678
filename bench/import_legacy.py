"""The legacy importer's rows/s against the raw copy of the same file's bytes, in the same run.

    .venv/bin/python bench/import_legacy.py [--scale 50] [--seed 1] [--leitner] [--repeat 1]

1. Generates a satprep file with shared/legacy/make_legacy_db.py at --scale (and a leitner one with
   --leitner: its werkzeug hashes make generation take about two minutes at scale 50). Not timed.
2. Starts a throwaway PostgreSQL (never the shared server), creates a migrated template database.
3. **Raw copy (the floor)**: every table exported with the sqlite3 CLI (`-csv -header`) and loaded with
   COPY ... FROM STDIN (FORMAT csv) into text-typed staging tables. Timed end to end.
4. **Import**: `manage.py import_legacy KIND FILE` (call_command, in this process) into a fresh copy of
   the migrated database, with its full mapping, id map, report and verification. Timed end to end.
5. Prints rows/s for both and the ratio (goal: import >= 0.5x the raw copy). JSON goes to bench/results/.

With --repeat N each measurement runs N times (fresh databases each) and the best run counts.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.harness.servers import ThrowawayPostgres  # noqa: E402

SECRET = "bench-import-secret-key-0123456789abcdefghijklmnopqrstuvwxyz"


def legacy_dir() -> Path:
    for candidate in (ROOT.parent / "shared" / "legacy",):
        if (candidate / "make_legacy_db.py").is_file():
            return candidate
    common = subprocess.run(
        ["git", "rev-parse", "--path-format=absolute", "--git-common-dir"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    candidate = Path(common).parent.parent / "shared" / "legacy"
    if (candidate / "make_legacy_db.py").is_file():
        return candidate
    sys.exit("shared/legacy/make_legacy_db.py not found beside the checkout")


def generate(kind: str, out: Path, scale: int, seed: int) -> None:
    started = time.monotonic()
    subprocess.run(
        [
            sys.executable,
            str(legacy_dir() / "make_legacy_db.py"),
            kind,
            str(out),
            "--scale",
            str(scale),
            "--seed",
            str(seed),
        ],
        check=True,
        capture_output=True,
    )
    print(f"generated {kind} scale {scale} seed {seed} in {time.monotonic() - started:.1f}s")


def source_tables(path: Path) -> dict[str, tuple[list[str], int]]:
    import sqlite3

    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        names = [n for (n,) in db.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY rowid")]
        return {
            name: (
                [row[1] for row in db.execute(f'PRAGMA table_info("{name}")')],
                db.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0],
            )
            for name in names
            if not name.startswith("sqlite_")
        }
    finally:
        db.close()


def raw_copy(path: Path, url: str, workdir: Path) -> float:
    """sqlite3 -csv export of every table, then COPY into text staging tables; returns seconds."""
    import psycopg

    sqlite3_cli = shutil.which("sqlite3")
    if not sqlite3_cli:
        sys.exit("the sqlite3 CLI is missing (scripts/dev.sh installs it with the test tools)")
    tables = source_tables(path)
    started = time.monotonic()
    with psycopg.connect(url, autocommit=True) as connection:
        for table, (columns, _count) in tables.items():
            csv_path = workdir / f"{table}.csv"
            with open(csv_path, "wb") as out:
                subprocess.run(
                    [sqlite3_cli, "-readonly", "-csv", "-header", str(path), f'SELECT * FROM "{table}"'],
                    check=True,
                    stdout=out,
                )
            staging = f"staging_{table}"
            cols = ", ".join(f'"{c}" text' for c in columns)
            connection.execute(f'DROP TABLE IF EXISTS "{staging}"')
            connection.execute(f'CREATE TABLE "{staging}" ({cols})')
            with (
                connection.cursor() as cursor,
                cursor.copy(f'COPY "{staging}" FROM STDIN (FORMAT csv, HEADER true)') as copy,
                open(csv_path, "rb") as handle,
            ):
                while chunk := handle.read(1 << 20):
                    copy.write(chunk)
    return time.monotonic() - started


# Times the command itself, after Django has started (the wall time including start-up is reported too).
RUNNER = """
import sys, time, django
django.setup()
from django.core.management import call_command
started = time.monotonic()
call_command("import_legacy", *sys.argv[1:])
print(f"@seconds {time.monotonic() - started:.6f}")
"""


def import_run(kind: str, path: Path, env: dict, report_path: Path) -> tuple[float, float, dict, str]:
    """The real command in its own process; returns (command seconds, wall seconds, report, stdout)."""
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-c", RUNNER, kind, str(path), "--report", str(report_path)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    wall = time.monotonic() - started
    if done.returncode != 0:
        sys.exit(f"import_legacy failed:\n{done.stdout}\n{done.stderr}")
    lines = done.stdout.splitlines()
    seconds = float(next(line for line in lines if line.startswith("@seconds")).split()[1])
    summary = "\n".join(line for line in lines if not line.startswith(("@seconds", "wrote ")))
    return seconds, wall, json.loads(report_path.read_text(encoding="utf-8")), summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=50)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--leitner", action="store_true", help="Also the leitner kind (slow to generate).")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--keep-files", metavar="DIR", help="Generate into DIR and keep (reused if present).")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="prepnexus-bench-import-"))
    files_dir = Path(args.keep_files) if args.keep_files else workdir
    files_dir.mkdir(parents=True, exist_ok=True)
    kinds = ["satprep"] + (["leitner"] if args.leitner else [])
    files = {}
    for kind in kinds:
        files[kind] = files_dir / f"{kind}-scale{args.scale}-seed{args.seed}.db"
        if not files[kind].exists():
            generate(kind, files[kind], args.scale, args.seed)

    pg = ThrowawayPostgres().start()
    results = {"scale": args.scale, "seed": args.seed, "load_before": os.getloadavg()[0], "kinds": {}}
    try:
        print(f"throwaway PostgreSQL on port {pg.port}")
        template = pg.create_database("bench_template")
        env = {
            **os.environ,
            "DATABASE_URL": template,
            "DJANGO_SECRET_KEY": SECRET,
            "CACHE_KEY_PREFIX": f"bench-import-{uuid.uuid4().hex[:8]}",
            "LOG_LEVEL": "WARNING",
            "DJANGO_SETTINGS_MODULE": "prepnexus.settings",
        }
        subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
        import psycopg

        for kind, path in files.items():
            tables = source_tables(path)
            rows = sum(count for _columns, count in tables.values())
            raw_times, import_times, walls = [], [], []
            for attempt in range(args.repeat):
                raw_url = pg.create_database(f"raw_{kind}_{attempt}")
                raw_times.append(raw_copy(path, raw_url, workdir))
                name = f"import_{kind}_{attempt}"
                with psycopg.connect(pg.url(), autocommit=True) as admin:
                    admin.execute(f'CREATE DATABASE "{name}" TEMPLATE bench_template')
                run_env = {**env, "DATABASE_URL": pg.url(name)}
                seconds, wall, report, out = import_run(kind, path, run_env, workdir / f"{name}.json")
                import_times.append(seconds)
                walls.append(wall)
                if not report["verified"]:
                    sys.exit(f"import did not verify: {report['problems']}")
            raw_best, import_best = min(raw_times), min(import_times)
            raw_rate, import_rate = rows / raw_best, rows / import_best
            ratio = import_rate / raw_rate
            print(f"\n{kind}: {rows:,} source rows in {len(tables)} tables")
            print(out.rstrip())
            print(f"raw copy (sqlite3 -csv, COPY to text): {raw_best:6.2f} s {raw_rate:9,.0f} rows/s")
            print(f"import_legacy (full mapping, verify):  {import_best:6.2f} s {import_rate:9,.0f} rows/s")
            print(f"ratio import / raw copy: {ratio:.2f}x (goal >= 0.5x)")
            print(f"(the command's process, Django start-up included: {min(walls):.2f} s)")
            results["kinds"][kind] = {
                "rows": rows,
                "raw_seconds": raw_times,
                "import_seconds": import_times,
                "import_wall_seconds": walls,
                "raw_rows_per_s": raw_rate,
                "import_rows_per_s": import_rate,
                "ratio": ratio,
                "counts": {
                    t: {k: v for k, v in d.items() if isinstance(v, int)} for t, d in report["tables"].items()
                },
            }
    finally:
        pg.destroy()
        shutil.rmtree(workdir, ignore_errors=True)
    results["load_after"] = os.getloadavg()[0]
    print(f"\nload average (1 min) before/after: {results['load_before']:.1f} / {results['load_after']:.1f}")
    out_dir = ROOT / "bench" / "results"
    out_dir.mkdir(exist_ok=True)
    (out_dir / "import_legacy.json").write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
