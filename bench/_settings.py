"""Haven's settings with persistent database connections, for `python -m bench.chat
--conn-max-age N` only: measures what Django's CONN_MAX_AGE would change for live chat."""

import os

from haven.settings import *  # noqa: F403
from haven.settings import DATABASES

DATABASES["default"]["CONN_MAX_AGE"] = int(os.environ["HAVEN_BENCH_CONN_MAX_AGE"])
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
