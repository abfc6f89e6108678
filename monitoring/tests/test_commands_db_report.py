import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection


@pytest.fixture
def unused_index(transactional_db):
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE monitoring_report_probe (id bigint PRIMARY KEY, note text)")
        cursor.execute("CREATE INDEX monitoring_report_probe_note ON monitoring_report_probe (note)")
        cursor.execute(
            "INSERT INTO monitoring_report_probe SELECT g, 'n' || g FROM generate_series(1, 500) g"
        )
        cursor.execute("DELETE FROM monitoring_report_probe WHERE id <= 100")
        cursor.execute("ANALYZE monitoring_report_probe")
    yield "monitoring_report_probe_note"
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE monitoring_report_probe")


def test_db_report_json_covers_sizes_rows_indexes_cache_bloat_queries_and_replication(unused_index):
    out = StringIO()
    call_command("db_report", "--json", stdout=out)
    report = json.loads(out.getvalue())
    assert set(report) >= {
        "tables",
        "indexes",
        "unused_indexes",
        "cache_hit_ratio",
        "long_running_queries",
        "replicas",
        "standbys",
    }
    probe = next(t for t in report["tables"] if t["table"] == "monitoring_report_probe")
    assert probe["row_estimate"] == 400
    assert probe["total_bytes"] > 0 and probe["index_bytes"] > 0
    assert 0 <= probe["bloat_ratio_estimate"] <= 1
    unused = [i["index"] for i in report["unused_indexes"]]
    assert unused_index in unused
    assert "monitoring_report_probe_pkey" not in unused  # primary keys are never "unused"
    assert set(report["cache_hit_ratio"]) == {"database", "tables", "indexes"}
    assert report["replicas"] == []


def test_db_report_text_names_each_section(unused_index):
    out = StringIO()
    call_command("db_report", stdout=out)
    text = out.getvalue()
    for heading in [
        "Tables (largest first)",
        "Index usage",
        "Unused indexes",
        "Long-running queries",
        "Replication",
    ]:
        assert heading in text
    assert "monitoring_report_probe_note" in text
    assert "cache hit ratio" in text
