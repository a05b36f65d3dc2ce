"""The real ASGI server (`haven serve`, i.e. uvicorn) in a subprocess, on the test database.

pytest-django's live_server is a WSGI thread: it cannot speak websockets. Chat tests need the
server Haven runs in production, and the restart test needs to stop and start it on the same
port. The subprocess uses the test settings (the same fast password hasher, immediate tasks),
the same HAVEN_VAR_DIR (so the secret key and master keys match: sessions and sealed messages
made by either side open on the other) and the test database pytest-django created: a file for
SQLite (see haven/settings_test.py), the test database's name for PostgreSQL.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import IO
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.db import connection

from haven.demo.child import free_port

ROOT = Path(__file__).resolve().parents[2]
HOST = "127.0.0.1"


def database_url_for_server() -> str:
    """A DATABASE_URL for the database this test process is using now (the test database)."""
    db = connection.settings_dict
    name = str(db["NAME"])
    if db["ENGINE"] == "django.db.backends.sqlite3":
        if name == ":memory:" or "mode=memory" in name:
            raise RuntimeError(
                "The SQLite test database is in memory; a server in another "
                "process cannot open it. Set DATABASES['default']['TEST']"
                "['NAME'] to a file (haven/settings_test.py does)."
            )
        return f"sqlite:///{Path(name).resolve()}"
    configured = os.environ.get("DATABASE_URL", "")
    if configured:  # keep user, password, host, port and options; swap in the test database
        parts = urlsplit(configured)
        return urlunsplit(parts._replace(path=f"/{name}"))
    user = db.get("USER") or ""
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    credentials = f"{user}{password}@" if user else ""
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{credentials}{db.get('HOST') or 'localhost'}{port}/{name}"


class AsgiServer:
    """`python -m haven.cli serve --port PORT` against the test database; start, stop, start."""

    def __init__(self, log_path: Path, port: int | None = None) -> None:
        self.port = port or free_port()
        self.url = f"http://{HOST}:{self.port}"
        self.log_path = log_path
        self.process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None
        self.env = {
            **os.environ,
            # The test process's own settings (haven.settings_test unless --ds says otherwise),
            # found on the same import path.
            "DJANGO_SETTINGS_MODULE": settings.SETTINGS_MODULE,
            "PYTHONPATH": os.pathsep.join(entry for entry in sys.path if entry),
            "HAVEN_DEMO": "1",
            "HAVEN_VAR_DIR": str(settings.VAR_DIR),
            "HAVEN_ALLOWED_HOSTS": f"{HOST},localhost",
            "HAVEN_BASE_URL": self.url,
            "DATABASE_URL": database_url_for_server(),
            "HAVEN_LOG_LEVEL": "WARNING",
            # Not a key holder: tests/vault/test_key_holders.py counts the processes it starts,
            # and this server may outlive many tests (it sets "web" for its own).
            "HAVEN_PROCESS_KIND": "",
            "PYTHONUNBUFFERED": "1",
        }
        self.env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # the server runs as in production
        self.health_headers: dict[str, str] = {}  # sent with start()'s /healthz polls

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def start(self, timeout: float = 60.0) -> None:
        """Start the server and return once /healthz answers 200 (the database is reachable)."""
        assert not self.running, "the server is already running"
        self._log = self.log_path.open("ab")
        self.process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            [sys.executable, "-m", "haven.cli", "serve", "--host", HOST, "--port", str(self.port)],
            cwd=ROOT,
            env=self.env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + timeout
        pause = 0.02
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"The ASGI server exited with {self.process.returncode} "
                    f"before answering:\n{self.log_tail()}"
                )
            try:
                health = f"{self.url}/healthz"
                poll = urllib.request.Request(health, headers=self.health_headers)  # noqa: S310
                with urllib.request.urlopen(poll, timeout=2) as response:  # noqa: S310
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(
                    f"The ASGI server did not answer /healthz within {timeout} s:"
                    f"\n{self.log_tail()}"
                )
            time.sleep(pause)  # polling, with a short growing pause; not a fixed wait
            pause = min(pause * 1.5, 0.25)

    def stop(self, *, crash: bool = False, timeout: float = 15.0) -> None:
        """Stop the server: SIGTERM (uvicorn's graceful shutdown closes websockets with 1012),
        or SIGKILL with crash=True. Waits until the process has exited."""
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            if crash:
                process.kill()
            else:
                process.terminate()
            try:
                process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=timeout)
        if self._log is not None:
            self._log.close()
            self._log = None

    def log_tail(self, lines: int = 40) -> str:
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:])
