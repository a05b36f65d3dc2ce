"""The whole demo (`haven demo`: seed, server and worker) in a child process, for programs that
look at it from outside: the screenshots script and the tests that check the seeded demo
through a browser. It runs on its own SQLite database under a var/ directory of its own, so
nothing it does touches the caller's database."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import TracebackType

HOST = "127.0.0.1"
ROOT = Path(__file__).resolve().parents[2]
STARTUP_SECONDS = 600  # migrate + six months of history: ~40 s alone, minutes on a busy machine


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


class DemoProcess:
    """`with DemoProcess(var_dir) as demo:` starts the demo on a free port and waits until
    it answers /healthz; `demo.url` is its base URL and `demo.log_path` what it printed."""

    def __init__(self, var_dir: Path) -> None:
        self.var_dir = var_dir
        self.port = free_port()
        self.url = f"http://{HOST}:{self.port}"
        self.log_path = var_dir / "demo.log"
        self._process: subprocess.Popen[bytes] | None = None

    def environment(self) -> dict[str, str]:
        """The caller's environment without its Haven settings: the child is a plain demo."""
        env = {key: value for key, value in os.environ.items()
               if not key.startswith("HAVEN_") and key not in {
                   "DJANGO_SETTINGS_MODULE", "DATABASE_URL", "REDIS_URL"}}
        env.update({"HAVEN_VAR_DIR": str(self.var_dir), "PYTHONUNBUFFERED": "1",
                    "DJANGO_SETTINGS_MODULE": "haven.settings"})
        return env

    def start(self) -> None:
        self.var_dir.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("wb") as log:
            self._process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
                [sys.executable, "-m", "haven.cli", "demo", "--port", str(self.port)],
                cwd=ROOT, env=self.environment(), stdout=log, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + STARTUP_SECONDS
        while not self._answers():
            if self._process.poll() is not None:
                raise RuntimeError(f"the demo stopped while starting:\n{self.log()}")
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"the demo did not start in {STARTUP_SECONDS} s:\n"
                                   f"{self.log()}")
            time.sleep(0.25)

    def _answers(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.url}/healthz", timeout=2) as response:  # noqa: S310 - loopback
                return bool(response.status == 200)
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            return False

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()

    def __enter__(self) -> DemoProcess:
        self.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.stop()
