import json

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError
from django.template.defaultfilters import filesizeformat

from monitoring.selectors import db_report


def _pct(ratio) -> str:
    return "n/a" if ratio is None else f"{ratio * 100:.1f}%"


class Command(BaseCommand):
    help = (
        "Report on PostgreSQL: table sizes and row estimates, index usage and unused indexes, cache hit "
        "ratio, a bloat estimate, long-running queries and replication lag."
    )

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="Machine-readable JSON on stdout.")

    def handle(self, *args, json: bool = False, **options):
        try:
            report = db_report()
        except DatabaseError as exc:
            raise CommandError(f"could not read database statistics: {exc}") from exc
        if json:
            self.stdout.write(_dumps(report))
            return
        self._text(report)

    def _text(self, r: dict) -> None:
        w, h = self.stdout.write, self.style.MIGRATE_HEADING
        conn = r["connections"]
        w(h(f"Database {r['database']} (PostgreSQL {r['server_version']})"))
        w(f"  size {filesizeformat(r['database_size_bytes'])}, connections {conn['used']}/{conn['max']}")
        cache = r["cache_hit_ratio"]
        w(
            f"  cache hit ratio: database {_pct(cache['database'])}, tables {_pct(cache['tables'])}, "
            f"indexes {_pct(cache['indexes'])}"
        )
        w(h("Tables (largest first)"))
        w(f"  {'table':<36} {'rows~':>10} {'total':>10} {'indexes':>10} {'seq':>8} {'idx':>8} {'bloat~':>7}")
        for t in r["tables"]:
            w(
                f"  {t['table'][:36]:<36} {t['row_estimate']:>10} {filesizeformat(t['total_bytes']):>10} "
                f"{filesizeformat(t['index_bytes']):>10} {t['seq_scan']:>8} {t['idx_scan']:>8} "
                f"{_pct(t['bloat_ratio_estimate']):>7}"
            )
        w("  bloat~ = dead tuples / all tuples (from pg_stat_user_tables; VACUUM reclaims them)")
        w(h("Index usage"))
        for i in r["indexes"]:
            w(
                f"  {i['index'][:50]:<50} on {i['table'][:30]:<30} scans {i['scans']:>8}  "
                f"{filesizeformat(i['bytes'])}"
            )
        w(h(f"Unused indexes ({len(r['unused_indexes'])}, excluding unique and primary keys)"))
        for i in r["unused_indexes"]:
            w(f"  {i['index']} on {i['table']} ({filesizeformat(i['bytes'])})")
        w(h(f"Long-running queries ({len(r['long_running_queries'])})"))
        for q in r["long_running_queries"]:
            w(f"  pid {q['pid']} {q['seconds']}s {q['state']}: {q['query'][:120]}")
        w(h("Replication"))
        if not r["standbys"] and not r["replicas"]:
            w("  no standbys stream from this server and no replicas are configured")
        for s in r["standbys"]:
            w(
                f"  standby {s['application_name']} {s['state']}: lag {s['replay_lag_seconds']} s, "
                f"{s['replay_lag_bytes']} bytes"
            )
        for rep in r["replicas"]:
            status = f"lag {rep['lag_seconds']} s" if rep["ok"] else f"unreachable: {rep['error']}"
            w(f"  replica {rep['alias']}: {status}")


def _dumps(report: dict) -> str:
    return json.dumps(report, indent=2, default=str)
