"""deploy/nginx/haven.conf run on loopback, everything in a temporary directory, `daemon off`:
either its upstream and site sections in a plain HTTP server (`loopback_config`, used by
tests/deploy/test_nginx.py and bench/chat.py `--through-nginx`), or the whole file, with its
port-80 redirect and its TLS server (`tls_config`, tests/deploy/test_nginx_tls.py). No Django
needed."""

from __future__ import annotations

import http.client
import os
import pwd
import re
import ssl
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

NGINX = Path("/usr/sbin/nginx")
SITE = Path(__file__).resolve().parents[2] / "deploy" / "nginx" / "haven.conf"
# What an administrator replaces in haven.conf (its opening comment), and the tests too.
HOST_NAME = "haven.example.org"
CERTIFICATE_DIR = f"/etc/letsencrypt/live/{HOST_NAME}/"
STATIC_DIR = "/var/lib/haven/static/"
LOG_DIR = "/var/log/nginx/"


class NginxFailed(RuntimeError):
    """nginx exited, or did not answer in time; the message holds its logs."""


def section(text: str, name: str) -> str:
    found = re.search(rf"# haven: begin {name}\n(.*?)# haven: end {name}\n", text, re.S)
    assert found, f"deploy/nginx/haven.conf lost its '# haven: begin {name}' section"
    return found.group(1)


def _with_upstream_ports(upstream: str, ports: list[int]) -> str:
    """The upstream section, listing PORTS on 127.0.0.1 instead of the file's own servers."""
    emptied = re.sub(r"(?m)^\s*server 127\.0\.0\.1:\d+;\n", "", upstream)
    return emptied.replace(
        "upstream haven {",
        "upstream haven {\n" + "".join(f"    server 127.0.0.1:{port};\n" for port in ports),
        1,
    )


def _main_config(tmp: Path, http_block: str, *, worker_connections: int) -> str:
    """nginx.conf around HTTP_BLOCK (what goes inside `http {}`), every file under TMP."""
    temp = "\n".join(
        f"    {kind}_temp_path {tmp}/{kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
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
{http_block}
}}
"""


def loopback_config(
    tmp: Path, *, port: int, upstream_ports: list[int], static: Path, worker_connections: int = 64
) -> str:
    """haven.conf's upstream and site sections, on loopback, in a plain HTTP server."""
    text = SITE.read_text(encoding="utf-8")
    upstream = _with_upstream_ports(section(text, "upstream"), upstream_ports)
    site = section(text, "site").replace(STATIC_DIR, f"{static}/")
    site = site.replace(LOG_DIR, f"{tmp}/")
    return _main_config(
        tmp,
        f"""{upstream}
    server {{
        listen 127.0.0.1:{port};
        server_name 127.0.0.1;
{site}
    }}""",
        worker_connections=worker_connections,
    )


def tls_config(
    tmp: Path,
    *,
    https_port: int,
    http_port: int,
    upstream_ports: list[int],
    static: Path,
    certificates: Path,
    host_name: str = "localhost",
) -> str:
    """All of haven.conf (the upstream, the port-80 redirect, the TLS server and its site),
    changed only where an administrator changes it, and in its ports: 443 becomes HTTPS_PORT
    and 80 HTTP_PORT on 127.0.0.1; the IPv6 `listen [::]:…` lines are left out (a test
    machine need not have IPv6); the host name is HOST_NAME and the certificate directory
    CERTIFICATES (certbot's layout, tests/deploy/certificates.py)."""
    text = SITE.read_text(encoding="utf-8")
    upstream = section(text, "upstream")
    text = text.replace(upstream, _with_upstream_ports(upstream, upstream_ports), 1)
    assert CERTIFICATE_DIR in text, (
        f"haven.conf no longer reads certificates from {CERTIFICATE_DIR}"
    )
    text = text.replace(CERTIFICATE_DIR, f"{certificates}/")
    text = text.replace(HOST_NAME, host_name).replace(STATIC_DIR, f"{static}/")
    text = text.replace(LOG_DIR, f"{tmp}/")
    text, ipv6 = re.subn(r"(?m)^[ \t]*listen \[::\]:\d+[^;]*;\n", "", text)
    ports = {"80": http_port, "443": https_port}
    found: list[str] = []

    def loopback(listen: re.Match[str]) -> str:
        assert listen["port"] in ports, (
            f"haven.conf listens on port {listen['port']}: "
            "tests/deploy/nginx_config.py knows only 80 and 443"
        )
        found.append(listen["port"])
        return f"{listen['directive']}127.0.0.1:{ports[listen['port']]}"

    text = re.sub(r"(?m)^(?P<directive>[ \t]*listen[ \t]+)(?P<port>\d+)\b", loopback, text)
    assert sorted(found) == ["443", "80"] and ipv6 == 2, (
        f"haven.conf should listen once on 80 and once on 443 (and on [::]): {found}, {ipv6}"
    )
    return _main_config(tmp, text, worker_connections=64)


def status_of(port: int, method: str, path: str, headers: dict[str, str] | None = None) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request(method, path, headers=headers or {})
        return connection.getresponse().status
    finally:
        connection.close()


def https_get(
    port: int, path: str, trust: ssl.SSLContext, *, host: str = "localhost"
) -> tuple[int, http.client.HTTPMessage, bytes]:
    """GET https://HOST:PORT/PATH with TRUST's roots: the status, the headers and the body."""
    connection = http.client.HTTPSConnection(host, port, context=trust, timeout=10)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.headers, response.read()
    finally:
        connection.close()


@contextmanager
def _nginx(
    tmp: Path, config_text: str, answers: Callable[[], bool]
) -> Iterator[subprocess.Popen[bytes]]:
    """nginx on CONFIG_TEXT, once ANSWERS() (polling, at most 20 s); stopped afterwards."""
    config = tmp / "nginx.conf"
    config.write_text(config_text, encoding="utf-8")
    with (tmp / "nginx.out").open("wb") as log:
        nginx = subprocess.Popen(  # noqa: S603 - Debian's nginx, our config
            [str(NGINX), "-p", str(tmp), "-c", str(config)],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
    try:
        deadline = time.monotonic() + 20
        last_error = ""
        while True:
            if nginx.poll() is not None or time.monotonic() > deadline:
                logs = [tmp / "nginx.out", tmp / "error.log"]
                raise NginxFailed(
                    (
                        "nginx exited:\n"
                        if nginx.poll() is not None
                        else f"nginx did not answer within 20 s ({last_error}):\n"
                    )
                    + "".join(log.read_text(errors="replace") for log in logs if log.exists())
                )
            try:
                if answers():
                    break
            except OSError as error:  # not listening yet; or, for TLS, a certificate refused
                last_error = repr(error)
            time.sleep(0.1)
        yield nginx
    finally:
        if nginx.poll() is None:
            nginx.terminate()
            nginx.wait(timeout=15)


@contextmanager
def running_nginx(
    tmp: Path, *, port: int, upstream_ports: list[int], static: Path, worker_connections: int = 64
) -> Iterator[subprocess.Popen[bytes]]:
    """`loopback_config` on PORT in front of UPSTREAM_PORTS, once it answers /healthz through
    to Haven; stopped afterwards."""
    config = loopback_config(
        tmp,
        port=port,
        upstream_ports=upstream_ports,
        static=static,
        worker_connections=worker_connections,
    )
    with _nginx(tmp, config, lambda: status_of(port, "GET", "/healthz") == 200) as nginx:
        yield nginx


@contextmanager
def running_tls_nginx(
    tmp: Path,
    *,
    https_port: int,
    http_port: int,
    upstream_ports: list[int],
    static: Path,
    certificates: Path,
    trust: ssl.SSLContext,
) -> Iterator[subprocess.Popen[bytes]]:
    """`tls_config` in front of UPSTREAM_PORTS, once https://localhost:HTTPS_PORT/healthz
    answers through to Haven for a client with TRUST's roots; stopped afterwards."""
    config = tls_config(
        tmp,
        https_port=https_port,
        http_port=http_port,
        upstream_ports=upstream_ports,
        static=static,
        certificates=certificates,
    )
    with _nginx(tmp, config, lambda: https_get(https_port, "/healthz", trust)[0] == 200) as nginx:
        yield nginx
