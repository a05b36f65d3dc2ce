"""Haven's settings with psycopg's connection pool, for `python -m bench.chat --db-connections
pool` only: measures what pooling would change for live chat. Haven as configured opens a
database connection for every database call (CONN_MAX_AGE=0); under ASGI Django advises a pool
rather than persistent connections."""

import os

from haven.settings import *  # noqa: F403
from haven.settings import DATABASES

if os.environ.get("HAVEN_BENCH_DB_CONNECTIONS") != "pool":
    raise ValueError("bench._settings is for HAVEN_BENCH_DB_CONNECTIONS=pool only")
# Django 5.1+; needs the psycopg-pool package.
DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {"min_size": 2, "max_size": 8}
