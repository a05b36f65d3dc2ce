"""deploy/nginx/haven.conf's upstream and site blocks adapted to loopback (plain HTTP on a
given port, no TLS, everything in a temporary directory, `daemon off`), and nginx run on it.
Used by tests/deploy/test_nginx.py and bench/chat.py (`--through-nginx`); no Django needed."""

from __future__ import annotations

import http.client
import os
import pwd
import re
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

NGINX = Path("/usr/sbin/nginx")
SITE = Path(__file__).resolve().parents[2] / "deploy" / "nginx" / "haven.conf"


class NginxFailed(RuntimeError):
    """nginx exited, or did not answer in time; the message holds its logs."""


def section(text: str, name: str) -> str:
    found = re.search(rf"# haven: begin {name}\n(.*?)# haven: end {name}\n", text, re.S)
    assert found, f"deploy/nginx/haven.conf lost its '# haven: begin {name}' section"
    return found.group(1)


def loopback_config(tmp: Path, *, port: int, upstream_ports: list[int], static: Path,
                    worker_connections: int = 64) -> str:
    """haven.conf's upstream and site sections, on loopback, in a plain HTTP server."""
    text = SITE.read_text(encoding="utf-8")
    upstream = re.sub(r"(?m)^\s*server 127\.0\.0\.1:\d+;\n", "", section(text, "upstream"))
    upstream = upstream.replace("upstream haven {", "upstream haven {\n" + "".join(
        f"    server 127.0.0.1:{upstream_port};\n" for upstream_port in upstream_ports), 1)
    site = section(text, "site").replace("/var/lib/haven/static/", f"{static}/")
    site = site.replace("/var/log/nginx/", f"{tmp}/")
    temp = "\n".join(f"    {kind}_temp_path {tmp}/{kind};"
                     for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    # As root, nginx would run its workers as nobody, who cannot read the test's directory.
    user = f"user {pwd.getpwuid(os.geteuid()).pw_name};" if os.geteuid() == 0 else ""
    return f"""daemon off;
{user}
worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
events {{ worker_connections {worker_connections}; }}
http {{
    include /etc/nginx/mime.types;
{temp}
{upstream}
    server {{
        listen 127.0.0.1:{port};
        server_name 127.0.0.1;
{site}
    }}
}}
"""


def status_of(port: int, method: str, path: str, headers: dict[str, str] | None = None) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request(method, path, headers=headers or {})
        return connection.getresponse().status
    finally:
        connection.close()


@contextmanager
def running_nginx(tmp: Path, *, port: int, upstream_ports: list[int], static: Path,
                  worker_connections: int = 64) -> Iterator[subprocess.Popen[bytes]]:
    """nginx on CONFIG's port in front of UPSTREAM_PORTS, once it answers /healthz through
    to Haven (polling, at most 20 s); stopped afterwards."""
    config = tmp / "nginx.conf"
    config.write_text(loopback_config(tmp, port=port, upstream_ports=upstream_ports,
                                      static=static, worker_connections=worker_connections),
                      encoding="utf-8")
    with (tmp / "nginx.out").open("wb") as log:
        nginx = subprocess.Popen(  # noqa: S603 - Debian's nginx, our config
            [str(NGINX), "-p", str(tmp), "-c", str(config)],
            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 20
        while True:
            if nginx.poll() is not None or time.monotonic() > deadline:
                logs = [tmp / "nginx.out", tmp / "error.log"]
                raise NginxFailed(("nginx exited:\n" if nginx.poll() is not None else
                                   "nginx did not answer within 20 s:\n") + "".join(
                    log.read_text(errors="replace") for log in logs if log.exists()))
            try:
                if status_of(port, "GET", "/healthz") == 200:
                    break
            except OSError:
                pass
            time.sleep(0.1)
        yield nginx
    finally:
        if nginx.poll() is None:
            nginx.terminate()
            nginx.wait(timeout=15)
