"""The virtual people of bench/load.py, run by Locust in a process of its own (Locust patches the
standard library with gevent, which Django must not share).

bench/load.py passes, through the environment: HAVEN_LOAD_ACCOUNTS (a JSON file of the demo's
e-mail addresses by role, the password and the TOTP secret), HAVEN_LOAD_TIMES (where to write
every request's time when Locust stops) and HAVEN_LOAD_REFERENCE_USERS (how many virtual users
only open the reference view). Every request is named "<role> <path>", so each page is reported
per role.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import json
import os
import re
import struct
import time
from collections import defaultdict
from typing import Any
from urllib.parse import urlsplit

from gevent.lock import Semaphore
from locust import HttpUser, between, events, task

from bench._mix import MIX, REFERENCE, ROLE_WEIGHTS

ACCOUNTS: dict[str, Any] = json.loads(open(os.environ["HAVEN_LOAD_ACCOUNTS"]).read())  # noqa: SIM115, PTH123
THINK = between(2, 8)  # seconds a person reads a page before the next one
ALERT = re.compile(r'role="alert">(.*?)</div>', re.S)
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
PERIOD = 30  # allauth's TOTP period (MFA_TOTP_PERIOD), 6 digits, SHA-1

# Each role's accounts in turn: several virtual users share an account when there are more
# users than people (the demo has about 80).
_next_account = {role: itertools.cycle(emails) for role, emails in ACCOUNTS["roles"].items()}
# A TOTP code is accepted once: virtual users sharing an MFA account share its first session
# (another tab of the same person) instead of signing in again with the same code.
_mfa_sessions: dict[str, dict[str, str]] = {}
_mfa_locks: dict[str, Semaphore] = defaultdict(Semaphore)
# name -> [milliseconds, failed?] of every request, written out when Locust stops.
_times: dict[str, list[tuple[float, bool]]] = defaultdict(list)


@events.request.add_listener
def _record(name: str, response_time: float, exception: BaseException | None,
            **_kwargs: Any) -> None:
    _times[name].append((response_time, exception is not None))


@events.quitting.add_listener
def _write(**_kwargs: Any) -> None:
    with open(os.environ["HAVEN_LOAD_TIMES"], "w") as out:  # noqa: PTH123
        json.dump(_times, out)


def said(page: str) -> str:
    """The error a page shows (its role="alert" text), for a failure's reason."""
    found = ALERT.search(page)
    return " ".join(re.sub(r"<[^>]+>", " ", found.group(1)).split()) if found else "no error shown"


def totp_code(secret: str) -> str:
    """RFC 6238 as allauth checks it: the current period only, so never one about to expire."""
    if PERIOD - time.time() % PERIOD < 1.5:
        time.sleep(PERIOD - time.time() % PERIOD + 0.05)
    key = base64.b32decode(secret)
    digest = hmac.new(key, struct.pack(">Q", int(time.time()) // PERIOD), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


class Person(HttpUser):
    abstract = True
    wait_time = THINK
    role = ""
    mfa = False

    def open(self, path: str) -> None:
        with self.client.get(path, name=f"{self.role} {path}", catch_response=True,
                             allow_redirects=False) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")

    def on_start(self) -> None:
        email = next(_next_account[self.role])
        if not self.mfa:
            self.sign_in(email)
            return
        with _mfa_locks[email]:
            if email not in _mfa_sessions:
                self.sign_in(email)
                _mfa_sessions[email] = dict(self.client.cookies)
        self.client.cookies.update(_mfa_sessions[email])

    def sign_in(self, email: str) -> None:
        name = f"{self.role} sign-in"
        page = self.client.get("/accounts/login/", name=f"{name}: form")
        token = CSRF.search(page.text)
        fields = {"login": email, "password": ACCOUNTS["password"],
                  "csrfmiddlewaretoken": token.group(1) if token else ""}
        with self.client.post("/accounts/login/", data=fields, name=f"{name}: password",
                              catch_response=True) as response:
            if self.mfa:
                token = CSRF.search(response.text)
                if "/accounts/2fa/authenticate/" not in response.url or token is None:
                    response.failure("no two-factor step after the password")
                    return
            elif "/accounts/" in response.url:
                response.failure(f"the password was refused (HTTP {response.status_code} at "
                                 f"{urlsplit(response.url).path}: {said(response.text)})")
                return
        if self.mfa:
            with self.client.post("/accounts/2fa/authenticate/", name=f"{name}: code",
                                  catch_response=True,
                                  data={"code": totp_code(ACCOUNTS["totp_secret"]),
                                        "csrfmiddlewaretoken": token.group(1)}) as response:
                if "/accounts/" in response.url:
                    response.failure("the two-factor code was refused")


def _opener(path: str) -> Any:
    def open_page(user: Person) -> None:
        user.open(path)
    return open_page


def _people() -> dict[str, type[Person]]:
    """One Locust user class per role of MIX, its tasks weighted as MIX says."""
    return {role.capitalize(): type(role.capitalize(), (Person,), {
        "role": role, "weight": ROLE_WEIGHTS[role], "mfa": role == "coordinator",
        "tasks": {_opener(path): weight for path, weight in pages}})
        for role, pages in MIX.items()}


globals().update(_people())


class Reference(HttpUser):
    """The same servers' bare view (/livez), with the same think time, in the same run."""
    fixed_count = int(os.environ.get("HAVEN_LOAD_REFERENCE_USERS", "1"))
    wait_time = THINK

    @task
    def livez(self) -> None:
        self.client.get("/livez", name=REFERENCE)
