"""Haven's settings with another way of holding database connections, for
`python -m bench.chat --db-connections pool|persistent` only: measures what that would change
for live chat. Haven as configured opens a connection per database call (CONN_MAX_AGE=0)."""

import os

from haven.settings import *  # noqa: F403
from haven.settings import DATABASES

_MODE = os.environ["HAVEN_BENCH_DB_CONNECTIONS"]
if _MODE == "pool":  # psycopg's pool (Django 5.1+; needs the psycopg-pool package)
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {"min_size": 2, "max_size": 8}
elif _MODE == "persistent":
    DATABASES["default"]["CONN_MAX_AGE"] = 60
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
else:
    raise ValueError(f"HAVEN_BENCH_DB_CONNECTIONS must be pool or persistent, not {_MODE!r}")
