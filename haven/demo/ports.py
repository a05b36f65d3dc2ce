"""Whether the demo's port is free, checked before anything starts, so a busy port is one
clear line rather than uvicorn's "address already in use" after the worker has started."""

from __future__ import annotations

import errno
import socket


def port_in_use(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind((host, port))
        except OSError as error:
            if error.errno in (errno.EADDRINUSE, errno.EACCES):
                return True
            raise
    return False


def busy_port_hint(port: int) -> str:
    return (f"Port {port} is already in use (another Haven demo, or another program). "
            f"Stop it, or choose another port: make demo PORT={port + 1}  "
            f"(or: .venv/bin/haven demo --port {port + 1})")
