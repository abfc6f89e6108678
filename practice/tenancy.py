"""Which institutions' rows the database shows: the per-transaction context behind row-level security.

PostgreSQL's policies (migration 0014) admit an institution-owned row only when its institution is in
`app.institution_ids`. This module is the one place that sets it, always with `set_config(..., true)`
inside a transaction, so a context never outlives its transaction and works through PgBouncer in
transaction mode. Outside these blocks the database shows no institution row at all.

- `user_scope(user, roles)`: the institutions where the user holds one of `roles` (one round trip).
- `institution_scope(ids)`: institutions a service has already established (e.g. the class a code named).
- `join_code_scope(code)`: lets the class with that code, and only it, be read.
- `operator_access(reason=..., actor=...)`: the one explicit path past the policies, for operator
  commands and platform staff; every use is logged.
"""

import logging
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import connection, transaction

log = logging.getLogger("prepnexus.tenancy")

STAFF_ROLES = ("admin", "teacher")
ALL_ROLES = ("admin", "teacher", "learner")


@dataclass(frozen=True)
class Scope:
    """The context a block runs in: the user, and their role in each institution it admits."""

    user_id: int | None
    roles: dict[int, str] = field(default_factory=dict)

    @property
    def institution_ids(self) -> list[int]:
        return sorted(self.roles)

    def admin_of(self, institution_id: int) -> bool:
        return self.roles.get(institution_id) == "admin"


SETTINGS = ("app.institution_ids", "app.user_id", "app.join_code", "app.rls_bypass")


def _apply(values: dict[str, str]) -> None:
    if not values:
        return
    names = list(values)
    calls = ", ".join("set_config(%s, %s, true)" for _ in names)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {calls}", [item for name in names for item in (name, values[name])])


@contextmanager
def _context(values: dict[str, str] | None = None, *, enter_user=None, roles=()) -> Iterator[dict]:
    """Open a transaction (or savepoint) with these settings; on leaving a nested block, put back the
    settings the enclosing transaction had (SET LOCAL would otherwise outlive the savepoint)."""
    nested = connection.in_atomic_block
    with transaction.atomic():
        previous = dict(getattr(connection, "tenancy_settings", {})) if nested else {}
        current = dict(previous)
        result = {}
        if enter_user is not None:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pn_enter(%s, %s)", [enter_user.pk, list(roles)])
                pairs = cursor.fetchone()[0]
            for pair in filter(None, pairs.split(",")):
                institution_id, _, role = pair.partition(":")
                result[int(institution_id)] = role
            current |= {
                "app.user_id": str(enter_user.pk),
                "app.institution_ids": ",".join(map(str, sorted(result))),
            }
        if values:
            _apply(values)
            current |= values
        connection.tenancy_settings = current
        try:
            yield result
        except BaseException:
            # The savepoint's rollback undoes the settings too.
            connection.tenancy_settings = previous
            raise
        connection.tenancy_settings = previous
        if nested:
            _apply(
                {name: previous.get(name, "") for name in current if current[name] != previous.get(name, "")}
            )


@contextmanager
def user_scope(user, *, roles: Iterable[str] = ALL_ROLES) -> Iterator[Scope]:
    """Run the block in a transaction that sees the institutions where `user` holds one of `roles`."""
    with _context(enter_user=user, roles=roles) as found:
        yield Scope(user.pk, found)


@contextmanager
def institution_scope(institution_ids: Iterable[int], *, user_id: int | None = None) -> Iterator[None]:
    """Run the block in a transaction that sees exactly these institutions."""
    values = {"app.institution_ids": ",".join(str(int(i)) for i in institution_ids)}
    if user_id is not None:
        values["app.user_id"] = str(int(user_id))
    with _context(values):
        yield


@contextmanager
def join_code_scope(code: str) -> Iterator[None]:
    """Run the block in a transaction where the class with this join code (only it) can be read."""
    with _context({"app.join_code": code}):
        yield


@contextmanager
def operator_access(*, reason: str, actor: str) -> Iterator[None]:
    """The one path past the institution policies: operator commands and platform staff. Logged."""
    log.info("row-level security bypassed", extra={"reason": reason, "actor": actor})
    with _context({"app.rls_bypass": "on"}):
        yield


def operator_connection_options(*, reason: str) -> str:
    """libpq `options` for a separate operator connection (pg_dump, pg_restore, a checksum connection):
    the operator bypass for the whole connection. Logged; never for connections that serve requests."""
    log.info("row-level security bypassed", extra={"reason": reason, "actor": "operator"})
    return "-c app.rls_bypass=on"
