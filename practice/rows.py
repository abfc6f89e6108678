"""Model instances from hand-written SQL, for the few statements that run on every answer POST.

Compiling a QuerySet costs several times more CPU than running its statement (0.3-1.3 ms against
0.05 ms per statement on the development machine), and the answer POST runs the same handful on every
submission. These helpers keep the SQL fixed and small while building the instances exactly as the ORM
does (`Model.from_db`); the column lists come from the models, so they cannot fall out of step.
They read through the default connection (the primary, where reads after a lock must go) unless told
otherwise.
"""

import functools

from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.models import Model


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
