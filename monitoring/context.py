"""What the current request has done so far: its id, database queries and cache reads."""

import contextvars
import dataclasses


@dataclasses.dataclass
class RequestStats:
    request_id: str
    queries: int = 0
    cache_hits: int = 0
    cache_misses: int = 0

    def count_query(self, execute, sql, params, many, context):
        self.queries += 1
        return execute(sql, params, many, context)


current: contextvars.ContextVar[RequestStats | None] = contextvars.ContextVar(
    "prepnexus_request", default=None
)
