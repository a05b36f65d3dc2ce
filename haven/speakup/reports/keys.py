"""Case handlers' keys (docs/speakup-reports.md, "Case handlers' keys").

Each case handler holds an X25519 key pair. The private key is stored twice, never in clear:
wrapped under a key derived from their passphrase (Argon2id, a salt per key), and wrapped
under a random recovery key that is shown once, to be printed or written down. While they
work, the opened private key lives in their server session only encrypted under a random key
that is kept in an HttpOnly, SameSite=Strict cookie: the database alone, or the server alone
after they leave, cannot open it. Signing out flushes the session and so locks it.

This module holds the key mathematics (pure functions of bytes) and the session lock; the
writes are in reports.services."""

from __future__ import annotations

import base64
import secrets
from dataclasses import dataclass

import nacl.exceptions
import nacl.pwhash
import nacl.secret
import nacl.utils
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from nacl.public import PrivateKey, PublicKey, SealedBox

PASSPHRASE_MIN_LENGTH = 12
PASSPHRASE_MIN_DISTINCT = 6
SESSION_ENTRY = "speakup_case_key"
COOKIE_NAME = "haven_case_key"
RECOVERY_GROUP = 4
_ARGON = nacl.pwhash.argon2id


def passphrase_limits() -> tuple[int, int]:
    """Argon2id limits for new passphrase keys: libsodium's "moderate" operations, 128 MiB
    (HAVEN_SPEAKUP_KDF_OPS / _MEM override them, e.g. for tests). Each key stores the limits
    it was made with, so raising them later does not lock anyone out."""
    ops = getattr(settings, "HAVEN_SPEAKUP_KDF_OPS", _ARGON.OPSLIMIT_MODERATE)
    mem = getattr(settings, "HAVEN_SPEAKUP_KDF_MEM", 128 * 1024 * 1024)
    return int(ops), int(mem)


def receipt_limits() -> tuple[int, int]:
    """Argon2id limits for receipt codes. A code holds 125 random bits, so guessing is hopeless
    whatever the cost; a light derivation keeps the public page cheap to serve."""
    ops = getattr(settings, "HAVEN_SPEAKUP_RECEIPT_KDF_OPS", _ARGON.OPSLIMIT_INTERACTIVE)
    mem = getattr(settings, "HAVEN_SPEAKUP_RECEIPT_KDF_MEM", 16 * 1024 * 1024)
    return int(ops), int(mem)


class WrongSecret(Exception):
    """The passphrase, recovery key or receipt code does not open what it should."""


def passphrase_problem(passphrase: str) -> str | None:
    """Why PASSPHRASE is too weak to guard a case handler's key, or None."""
    if len(passphrase) < PASSPHRASE_MIN_LENGTH:
        return _("Use at least %(n)d characters: a few words you will remember make a good "
                 "passphrase.") % {"n": PASSPHRASE_MIN_LENGTH}
    if len(set(passphrase.casefold())) < PASSPHRASE_MIN_DISTINCT:
        return _("Use at least %(n)d different characters: repeating a few is easy to "
                 "guess.") % {"n": PASSPHRASE_MIN_DISTINCT}
    return None


def derive(secret: str, salt: bytes, *, ops: int, mem: int) -> bytes:
    """A 32-byte key from SECRET (a passphrase or receipt code) with Argon2id."""
    return _ARGON.kdf(nacl.secret.SecretBox.KEY_SIZE, secret.encode("utf-8"), salt,
                      opslimit=ops, memlimit=mem)


def new_salt() -> bytes:
    return nacl.utils.random(_ARGON.SALTBYTES)


def wrap(key: bytes, plaintext: bytes) -> bytes:
    return bytes(nacl.secret.SecretBox(key).encrypt(plaintext))


def unwrap(key: bytes, wrapped: bytes | memoryview) -> bytes:
    try:
        return nacl.secret.SecretBox(key).decrypt(bytes(wrapped))
    except nacl.exceptions.CryptoError:
        raise WrongSecret from None


# Recovery keys: 32 random bytes, shown as base32 in groups of four for writing down.

def new_recovery_key() -> tuple[bytes, str]:
    raw = nacl.utils.random(32)
    text = base64.b32encode(raw).decode().rstrip("=")
    groups = [text[i:i + RECOVERY_GROUP] for i in range(0, len(text), RECOVERY_GROUP)]
    return raw, "-".join(groups)


def parse_recovery_key(text: str) -> bytes:
    compact = "".join(ch for ch in text.upper() if ch.isalnum())
    compact = compact.replace("0", "O").replace("1", "I").replace("8", "B")
    try:
        raw = base64.b32decode(compact + "=" * (-len(compact) % 8))
    except ValueError:
        raise WrongSecret from None
    if len(raw) != 32:
        raise WrongSecret
    return raw


@dataclass(frozen=True)
class NewKeyPair:
    public_key: bytes
    salt: bytes
    ops: int
    mem: int
    wrapped_by_passphrase: bytes
    wrapped_by_recovery: bytes
    recovery_text: str  # shown once


def new_key_pair(passphrase: str) -> NewKeyPair:
    private = PrivateKey.generate()
    salt = new_salt()
    ops, mem = passphrase_limits()
    recovery_raw, recovery_text = new_recovery_key()
    secret = bytes(private)
    return NewKeyPair(
        public_key=bytes(private.public_key), salt=salt, ops=ops, mem=mem,
        wrapped_by_passphrase=wrap(derive(passphrase, salt, ops=ops, mem=mem), secret),
        wrapped_by_recovery=wrap(recovery_raw, secret), recovery_text=recovery_text)


def open_with_passphrase(*, passphrase: str, salt: bytes, ops: int, mem: int,
                         wrapped: bytes) -> PrivateKey:
    return PrivateKey(unwrap(derive(passphrase, salt, ops=ops, mem=mem), wrapped))


def open_with_recovery(*, recovery_text: str, wrapped: bytes) -> PrivateKey:
    return PrivateKey(unwrap(parse_recovery_key(recovery_text), wrapped))


def seal_to(public_key: bytes | memoryview, secret: bytes) -> bytes:
    """SECRET (a content key) sealed so that only the holder of the private key opens it."""
    return bytes(SealedBox(PublicKey(bytes(public_key))).encrypt(secret))


def open_sealed_to_me(private_key: PrivateKey, sealed: bytes | memoryview) -> bytes:
    try:
        return SealedBox(private_key).decrypt(bytes(sealed))
    except nacl.exceptions.CryptoError:
        raise WrongSecret from None


# The session lock: the opened private key, encrypted under a key only the browser holds.

def lock_into_session(request: HttpRequest, response: HttpResponse,
                      private_key: PrivateKey) -> None:
    cookie_key = nacl.utils.random(nacl.secret.SecretBox.KEY_SIZE)
    request.session[SESSION_ENTRY] = base64.b64encode(wrap(cookie_key, bytes(private_key))
                                                      ).decode()
    response.set_cookie(COOKIE_NAME, base64.urlsafe_b64encode(cookie_key).decode(),
                        httponly=True, secure=request.is_secure(), samesite="Strict",
                        max_age=None)


def unlocked_key(request: HttpRequest) -> PrivateKey | None:
    """The case handler's private key for this request, or None when it is locked (no
    session entry, no cookie, or a cookie that does not open the entry)."""
    entry = request.session.get(SESSION_ENTRY)
    cookie = request.COOKIES.get(COOKIE_NAME)
    if not entry or not cookie:
        return None
    try:
        cookie_key = base64.urlsafe_b64decode(cookie.encode())
        if len(cookie_key) != nacl.secret.SecretBox.KEY_SIZE:
            return None
        return PrivateKey(unwrap(cookie_key, base64.b64decode(entry.encode())))
    except (WrongSecret, ValueError):
        return None


def lock(request: HttpRequest, response: HttpResponse | None = None) -> None:
    request.session.pop(SESSION_ENTRY, None)
    if response is not None:
        response.delete_cookie(COOKIE_NAME, samesite="Strict")


# Receipt codes: 25 base32 characters (125 bits), in five groups of five.

RECEIPT_LENGTH = 25
_B32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"


def new_receipt_code() -> str:
    code = "".join(secrets.choice(_B32) for _ in range(RECEIPT_LENGTH))
    return "-".join(code[i:i + 5] for i in range(0, RECEIPT_LENGTH, 5))


def normalise_receipt_code(text: str) -> str | None:
    """The code's 25 characters, whatever spacing or case it was typed with; None if it
    cannot be a code."""
    compact = "".join(ch for ch in text.upper() if ch not in " -\t")
    compact = compact.replace("0", "O").replace("1", "I").replace("8", "B")
    if len(compact) != RECEIPT_LENGTH or any(ch not in _B32 for ch in compact):
        return None
    return compact
