"""Settings for the replica test: the project's settings plus one read replica alias."""

from prepnexus.settings import *  # noqa: F403
from prepnexus.settings import DATABASES, env

DATABASES["replica"] = {
    **env.db_url("REPLICA_DATABASE_URL"),
    "OPTIONS": {"connect_timeout": 2, "application_name": "prepnexus-replica"},
}
