"""Hand-written SQL with the models' own column lists: instances from fixed statements, and bulk COPY.

Model instances from hand-written SQL, for the few statements that run on every answer POST.

Compiling a QuerySet costs several times more CPU than running its statement (0.3-1.3 ms against
0.05 ms per statement on the development machine), and the answer POST runs the same handful on every
submission. These helpers keep the SQL fixed and small while building the instances exactly as the ORM
does (`Model.from_db`); the column lists come from the models, so they cannot fall out of step.
They read through the default connection (the primary, where reads after a lock must go) unless told
otherwise.
"""

import functools
import json
from collections.abc import Iterable, Sequence

from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.models import JSONField, Model


@functools.cache
def select_columns(
    model: type[Model], alias: str = "", leave_out: tuple[str, ...] = ()
) -> tuple[str, list[str]]:
    """The concrete columns of `model` but `leave_out` (field names, deferred on the instances) as a
    SELECT list, qualified by `alias` if given, and the attribute names in that order."""
    quote = connection.ops.quote_name
    prefix = f"{alias}." if alias else ""
    fields = [field for field in model._meta.concrete_fields if field.name not in leave_out]
    return ", ".join(prefix + quote(field.column) for field in fields), [field.attname for field in fields]


def model_rows(model: type[Model], where: str, params: list, using: str = DEFAULT_DB_ALIAS) -> list:
    """`SELECT <every column> FROM <model's table> <where>` as instances of `model`."""
    columns, names = select_columns(model)
    table = connection.ops.quote_name(model._meta.db_table)
    with connections[using].cursor() as cursor:
        cursor.execute(f"SELECT {columns} FROM {table} {where}", params)
        return [model.from_db(using, names, row) for row in cursor.fetchall()]


def allocate_ids(cursor, model: type[Model], count: int) -> list[int]:
    """`count` fresh primary keys from the model's own sequence, so rows can be COPYed with their ids."""
    if count <= 0:
        return []
    cursor.execute(
        "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
        [model._meta.db_table, count],
    )
    return [row[0] for row in cursor.fetchall()]


def copy_rows(
    cursor, model: type[Model], fields: Sequence[str], rows: Iterable[Sequence], *, policies: bool = False
) -> int:
    """COPY `rows` (value tuples in the order of `fields`, attnames) into the model's table.

    The one bulk writer (the legacy importer and the benchmarks' data generator use it). JSON fields
    take Python values; everything else goes as psycopg adapts it. Returns the number of rows written.

    PostgreSQL refuses COPY FROM into a table whose row-level security binds the current role (the
    institution tables): with `policies=True` the rows are COPYed into a temporary table and moved with
    one INSERT ... SELECT, which the policies check like any insert (so run it inside
    `tenancy.operator_access` or a scope that admits the rows).
    """
    by_attname = {field.attname: field for field in model._meta.concrete_fields}
    unknown = [name for name in fields if name not in by_attname]
    if unknown:
        raise ValueError(f"{model.__name__} has no column(s) {', '.join(unknown)}")
    columns = ", ".join(connection.ops.quote_name(by_attname[name].column) for name in fields)
    json_at = [i for i, name in enumerate(fields) if isinstance(by_attname[name], JSONField)]
    table = connection.ops.quote_name(model._meta.db_table)
    target = table
    if policies:
        target = connection.ops.quote_name(f"copy_{model._meta.db_table}")
        cursor.execute(f"CREATE TEMPORARY TABLE {target} AS SELECT {columns} FROM {table} WITH NO DATA")
    written = 0
    raw = getattr(cursor, "cursor", cursor)  # Django's cursor wrapper, or psycopg's own
    with raw.copy(f"COPY {target} ({columns}) FROM STDIN") as copy:
        for row in rows:
            if json_at:
                row = list(row)
                for i in json_at:
                    # COPY's text format hands the column its input text; PostgreSQL parses the JSON.
                    if row[i] is not None:
                        row[i] = json.dumps(row[i])
            copy.write_row(row)
            written += 1
    if policies:
        cursor.execute(f"INSERT INTO {table} ({columns}) SELECT {columns} FROM {target}")
        cursor.execute(f"DROP TABLE {target}")
    return written
