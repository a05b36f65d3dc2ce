"""Settings for the test suite: demo mode, a fast password hasher, tasks run immediately."""

import os
import tempfile

os.environ.setdefault("HAVEN_DEMO", "1")
os.environ.setdefault("HAVEN_VAR_DIR", tempfile.mkdtemp(prefix="haven-test-var-"))

from haven.settings import *  # noqa: E402,F403
from haven.settings import ACCOUNT_RATE_LIMITS  # noqa: E402

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed; never in production
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Browser tests sign in many times a minute from one address; the per-account limit stays real.
ACCOUNT_RATE_LIMITS = {**ACCOUNT_RATE_LIMITS, "login": "1000/m/ip",
                       "login_failed": "1000/m/ip,5/m/key"}
STORAGES = {**STORAGES, "staticfiles": {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
