"""Settings for the test suite: demo mode, a fast password hasher, tasks run immediately."""

import os
import tempfile

os.environ.setdefault("HAVEN_DEMO", "1")
if not os.environ.get("HAVEN_VAR_DIR"):  # a server started by the tests passes its own
    os.environ["HAVEN_VAR_DIR"] = tempfile.mkdtemp(prefix="haven-test-var-")

from haven.settings import *  # noqa: E402,F403
from haven.settings import DATABASES, VAR_DIR  # noqa: E402

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not memory: the chat browser tests run the real ASGI server in a subprocess
    # (tests/browser/asgi_server.py), which must open the same test database.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed; never in production
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Browser tests sign in many times a minute from one address, on a server whose cache no test
# clears: only the per-address limits are raised; the per-account ones stay as in production.
HAVEN_SIGN_IN_ADDRESS_LIMITS = {"failures": ((1000, 60),), "attempts": ((1000, 60),)}
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
