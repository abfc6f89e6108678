"""Password hashing on this machine: Django's default PBKDF2 against Argon2id at OWASP's parameters.

    .venv/bin/python bench/hashing.py [--rounds 20] [--threads 2] [--all-owasp]

For each hasher, in a fresh child process (so its peak memory is its own): CPU ms and wall ms per hash
(`make_password`) and per verify (`check_password`, what every login pays), the process's peak RSS
growth while hashing, and the verifies per second that `--threads` threads reach together (the login
capacity of that many cores, if nothing else ran). No database, no server: the hashers alone, through
Django's API with the project's hasher classes.

Rows: Django 5.2's default PBKDF2 (1,000,000 iterations of SHA-256), Argon2id at OWASP's minimum
(m=19 MiB, t=2, p=1: `prepnexus.hashers.Argon2idPasswordHasher`, the project's choice), and Django's own
Argon2PasswordHasher defaults (m=100 MiB, t=2, p=8) for reference. `--all-owasp` adds OWASP's other
equivalent Argon2id configurations (46 MiB t=1, 12 MiB t=3, 9 MiB t=4, 7 MiB t=5).
Results go to bench/results/hashing-<UTC time>.json.
"""

import argparse
import json
import os
import platform
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
PBKDF2 = ("pbkdf2", "django.contrib.auth.hashers.PBKDF2PasswordHasher", None)
CHOSEN = ("argon2id-owasp-min", "prepnexus.hashers.Argon2idPasswordHasher", None)
DJANGO_ARGON2 = ("argon2-django-default", "django.contrib.auth.hashers.Argon2PasswordHasher", None)
OWASP_OTHERS = [
    ("argon2id-46m-t1", "prepnexus.hashers.Argon2idPasswordHasher", (46 * 1024, 1, 1)),
    ("argon2id-12m-t3", "prepnexus.hashers.Argon2idPasswordHasher", (12 * 1024, 3, 1)),
    ("argon2id-9m-t4", "prepnexus.hashers.Argon2idPasswordHasher", (9 * 1024, 4, 1)),
    ("argon2id-7m-t5", "prepnexus.hashers.Argon2idPasswordHasher", (7 * 1024, 5, 1)),
]
PASSWORD = "bench-learner-passphrase-2026"

# The child: measures one hasher and prints one JSON line.
CHILD = r"""
import json, resource, sys, threading, time
import django
from django.conf import settings

path, params, rounds, threads = sys.argv[1], json.loads(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
settings.configure(PASSWORD_HASHERS=[path], USE_TZ=True)
django.setup()
from django.contrib.auth.hashers import check_password, get_hasher, make_password

hasher = get_hasher("default")
if params:
    hasher.memory_cost, hasher.time_cost, hasher.parallelism = params
password = sys.argv[5]


def rss_kib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


if hasher.library:
    hasher._load_library()
rss_before = rss_kib()  # after the imports, before the first hash: the growth is the hash's memory
encoded = hasher.encode(password, hasher.salt())


def timed(fn):
    cpu, wall = time.process_time(), time.perf_counter()
    for _ in range(rounds):
        fn()
    return (time.process_time() - cpu) * 1000 / rounds, (time.perf_counter() - wall) * 1000 / rounds


hash_cpu, hash_wall = timed(lambda: hasher.encode(password, hasher.salt()))
verify_cpu, verify_wall = timed(lambda: hasher.verify(password, encoded))
assert check_password(password, encoded) and not check_password(password + "x", encoded)
rss_after = rss_kib()

done = [0]
lock = threading.Lock()
deadline = time.perf_counter() + max(2.0, rounds * verify_wall / 1000)


def verifier():
    while time.perf_counter() < deadline:
        hasher.verify(password, encoded)
        with lock:
            done[0] += 1


started = time.perf_counter()
workers = [threading.Thread(target=verifier) for _ in range(threads)]
for w in workers:
    w.start()
for w in workers:
    w.join()
print(json.dumps({
    "encoded_prefix": encoded.rsplit("$", 2)[0],
    "encoded_length": len(encoded),
    "hash_cpu_ms": round(hash_cpu, 1), "hash_wall_ms": round(hash_wall, 1),
    "verify_cpu_ms": round(verify_cpu, 1), "verify_wall_ms": round(verify_wall, 1),
    "peak_rss_growth_mib": round((rss_after - rss_before) / 1024, 1),
    "verifies_per_second": round(done[0] / (time.perf_counter() - started), 1),
}))
"""


def measure(path: str, params, rounds: int, threads: int) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", CHILD, path, json.dumps(params), str(rounds), str(threads), PASSWORD],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20, help="hashes and verifies timed per hasher")
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 2, help="threads verifying at once")
    parser.add_argument("--all-owasp", action="store_true", help="also OWASP's other Argon2id trades")
    args = parser.parse_args()
    rows = [PBKDF2, CHOSEN, DJANGO_ARGON2, *(OWASP_OTHERS if args.all_owasp else [])]
    load_at_start = os.getloadavg()[0]
    results = {}
    for name, path, params in rows:
        results[name] = {"hasher": path, **measure(path, params, args.rounds, args.threads)}
    load_at_end = os.getloadavg()[0]

    print(
        f"\nPassword hashing, {args.rounds} hashes and {args.rounds} verifies each, one thread; then "
        f"{args.threads} threads verifying together ({os.cpu_count()} cores, load average "
        f"{load_at_start:.1f} -> {load_at_end:.1f})"
    )
    print(
        f"{'hasher':24} {'parameters':38} {'hash CPU':>9} {'verify CPU':>11} {'verify wall':>12} "
        f"{'peak RSS +':>11} {'verifies/s':>11}"
    )
    for name, r in results.items():
        print(
            f"{name:24} {r['encoded_prefix']:38} {r['hash_cpu_ms']:>6.1f} ms {r['verify_cpu_ms']:>8.1f} ms "
            f"{r['verify_wall_ms']:>9.1f} ms {r['peak_rss_growth_mib']:>7.1f} MiB "
            f"{r['verifies_per_second']:>11.1f}"
        )
    base, chosen = results["pbkdf2"], results["argon2id-owasp-min"]
    ratio = base["verify_cpu_ms"] / chosen["verify_cpu_ms"] if chosen["verify_cpu_ms"] else float("inf")
    print(f"verify CPU, PBKDF2 / Argon2id (OWASP minimum): {ratio:.1f}x")

    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"hashing-{datetime.now(UTC):%Y%m%d-%H%M%S}.json"
    out.write_text(
        json.dumps(
            {
                "bench": "hashing",
                "at": datetime.now(UTC).isoformat(timespec="seconds"),
                "machine": {
                    "cpus": os.cpu_count(),
                    "python": platform.python_version(),
                    "loadavg_1m": [round(load_at_start, 2), round(load_at_end, 2)],
                },
                "config": vars(args),
                "hashers": results,
                "pbkdf2_over_argon2id_verify_cpu": round(ratio, 2),
            },
            indent=2,
        )
        + "\n"
    )
    print(f"==> results: {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
