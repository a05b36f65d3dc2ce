"""Envelope encryption: sealing, binding to the record, tampering, shredding, key rotation."""

from __future__ import annotations

import base64
import io
import uuid

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command

from haven.vault import crypto
from haven.vault.crypto import CannotOpen, KeyShredded
from haven.vault.masterkeys import generate_master_key, parse_master_keys
from haven.vault.models import DataKey

pytestmark = pytest.mark.django_db

SECRET = "They said my work was worthless in front of everyone, again."


def _key(key_id: str) -> str:
    return generate_master_key(key_id)


def _fresh(record: DataKey) -> DataKey:
    """The record as another process would load it, with nothing cached."""
    crypto.forget_cached_keys()
    return DataKey.objects.get(pk=record.pk)


# --- sealing and opening ---------------------------------------------------------------------

def test_sealed_text_opens_again() -> None:
    record = crypto.create_data_key(purpose="conversation")

    sealed = crypto.seal(record, SECRET, aad="message:1:a")

    assert crypto.open_sealed(_fresh(record), sealed, aad="message:1:a") == SECRET


def test_unicode_and_empty_text_round_trip() -> None:
    record = crypto.create_data_key(purpose="conversation")
    for text in ["", "ça va — 你好 — 🙂", "x" * 10_000]:
        assert crypto.open_sealed(record, crypto.seal(record, text, aad="a"), aad="a") == text


@pytest.mark.parametrize(("text", "what"), [
    (SECRET + "\ud800", f"an unpaired surrogate (U+D800) at position {len(SECRET) + 1}"),
    ("worthless\x00", "NUL (U+0000) at position 10"),
    ("\ufffe worthless", "the non-character U+FFFE at position 1"),
])
def test_text_that_cannot_be_stored_is_refused_clearly_without_the_text(text: str,
                                                                        what: str) -> None:
    record = crypto.create_data_key(purpose="conversation")

    with pytest.raises(crypto.UnstorableText) as refused:
        crypto.seal(record, text, aad="a")

    assert isinstance(refused.value, ValueError)
    assert str(refused.value) == f"cannot seal text holding {what}"
    # Unlike UnicodeEncodeError, the exception carries nothing of what was written.
    assert "worthless" not in repr(refused.value.args)
    assert refused.value.__cause__ is None and refused.value.__context__ is None


def test_lines_and_tabs_are_sealed_as_they_are() -> None:
    record = crypto.create_data_key(purpose="conversation")
    text = "first line\r\nsecond\tline"

    assert crypto.open_sealed(record, crypto.seal(record, text, aad="a"), aad="a") == text


def test_ciphertext_holds_no_plaintext() -> None:
    record = crypto.create_data_key(purpose="conversation")

    sealed = crypto.seal(record, SECRET, aad="message:1:a")

    assert SECRET.encode() not in sealed
    assert b"worthless" not in sealed
    assert SECRET.encode().hex().encode() not in sealed.hex().encode()
    assert len(sealed) == 1 + 12 + len(SECRET.encode()) + 16  # version, nonce, body, tag


def test_sealing_twice_gives_different_ciphertext() -> None:
    record = crypto.create_data_key(purpose="conversation")

    assert crypto.seal(record, SECRET, aad="a") != crypto.seal(record, SECRET, aad="a")


def test_the_stored_data_key_is_wrapped_not_raw() -> None:
    record = crypto.create_data_key(purpose="conversation")
    raw = crypto._data_key(record)

    stored = bytes(DataKey.objects.get(pk=record.pk).wrapped)

    assert raw not in stored
    assert len(stored) == 12 + 32 + 16
    assert record.master_key_id == crypto.master_keys().current_id


def test_another_records_aad_cannot_open_it() -> None:
    record = crypto.create_data_key(purpose="conversation")
    sealed = crypto.seal(record, SECRET, aad="message:1:a")

    with pytest.raises(CannotOpen):
        crypto.open_sealed(record, sealed, aad="message:2:a")
    with pytest.raises(CannotOpen):
        crypto.open_sealed(record, sealed, aad="")


def test_another_records_key_cannot_open_it() -> None:
    record = crypto.create_data_key(purpose="conversation")
    other = crypto.create_data_key(purpose="conversation")
    sealed = crypto.seal(record, SECRET, aad="message:1:a")

    with pytest.raises(CannotOpen):
        crypto.open_sealed(other, sealed, aad="message:1:a")


@pytest.mark.parametrize("position", [0, 1, 12, 13, -1])
def test_a_tampered_byte_fails(position: int) -> None:
    record = crypto.create_data_key(purpose="conversation")
    sealed = bytearray(crypto.seal(record, SECRET, aad="a"))
    sealed[position] ^= 0x01

    with pytest.raises(CannotOpen):
        crypto.open_sealed(record, bytes(sealed), aad="a")


@pytest.mark.parametrize("length", [0, 1, 5, 13, 28])
def test_truncated_ciphertext_fails_as_cannot_open(length: int) -> None:
    record = crypto.create_data_key(purpose="conversation")
    sealed = crypto.seal(record, SECRET, aad="a")

    with pytest.raises(CannotOpen):
        crypto.open_sealed(record, sealed[:length], aad="a")


def test_a_tampered_wrapped_key_fails_as_cannot_open() -> None:
    record = crypto.create_data_key(purpose="conversation")
    sealed = crypto.seal(record, SECRET, aad="a")
    wrapped = bytearray(bytes(record.wrapped))
    wrapped[-1] ^= 0x01
    DataKey.objects.filter(pk=record.pk).update(wrapped=bytes(wrapped))

    with pytest.raises(CannotOpen):
        crypto.open_sealed(_fresh(record), sealed, aad="a")


def test_a_wrapped_key_moved_to_another_record_fails() -> None:
    first = crypto.create_data_key(purpose="conversation")
    second = crypto.create_data_key(purpose="conversation")
    sealed = crypto.seal(second, SECRET, aad="a")
    DataKey.objects.filter(pk=second.pk).update(wrapped=bytes(first.wrapped))

    with pytest.raises(CannotOpen):
        crypto.open_sealed(_fresh(second), sealed, aad="a")


# --- keyed tags --------------------------------------------------------------------------------

def test_a_keyed_tag_is_stable_per_key_and_differs_between_keys() -> None:
    first = crypto.create_data_key(purpose="question-votes")
    second = crypto.create_data_key(purpose="question-votes")

    tag = crypto.keyed_tag(first, "voter:7")

    assert crypto.keyed_tag(_fresh(first), "voter:7") == tag
    assert crypto.keyed_tag(first, "voter:8") != tag
    assert crypto.keyed_tag(second, "voter:7") != tag
    assert len(tag) == 64 and int(tag, 16) >= 0  # a SHA-256 hex digest


def test_a_keyed_tag_cannot_be_recomputed_with_the_secret_key(settings) -> None:
    import hashlib
    import hmac

    record = crypto.create_data_key(purpose="question-votes")
    tag = crypto.keyed_tag(record, "voter:7")

    guesses = {hmac.new(settings.SECRET_KEY.encode(), message.encode(), hashlib.sha256)
               .hexdigest() for message in ("voter:7", "7")}
    assert tag not in guesses
    assert tag != hmac.new(bytes(record.wrapped), b"voter:7", hashlib.sha256).hexdigest()


def test_a_shredded_key_makes_no_more_tags() -> None:
    record = crypto.create_data_key(purpose="question-votes")
    crypto.keyed_tag(record, "voter:7")
    crypto.shred(record)

    with pytest.raises(KeyShredded):
        crypto.keyed_tag(record, "voter:7")
    with pytest.raises(KeyShredded):
        crypto.keyed_tag(_fresh(record), "voter:7")


def test_a_data_key_may_be_stamped_with_a_coarser_time() -> None:
    from datetime import UTC, datetime

    day = datetime(2026, 3, 4, tzinfo=UTC)

    record = crypto.create_data_key(purpose="question-author", created_at=day)

    assert _fresh(record).created_at == day
    sealed = crypto.seal(record, "42", aad="question-author:1")
    assert crypto.open_sealed(_fresh(record), sealed, aad="question-author:1") == "42"


# --- shredding -------------------------------------------------------------------------------

def test_shredding_makes_content_unreadable_here() -> None:
    record = crypto.create_data_key(purpose="conversation")
    sealed = crypto.seal(record, SECRET, aad="a")

    crypto.shred(record)

    assert record.is_shredded
    with pytest.raises(KeyShredded):
        crypto.open_sealed(record, sealed, aad="a")
    stored = DataKey.objects.get(pk=record.pk)
    assert stored.wrapped is None
    assert stored.shredded_at is not None


def test_shredding_makes_content_unreadable_in_another_process() -> None:
    record = crypto.create_data_key(purpose="conversation")
    sealed = crypto.seal(record, SECRET, aad="a")
    crypto.shred(record)

    with pytest.raises(KeyShredded):
        crypto.open_sealed(_fresh(record), sealed, aad="a")


def test_a_shredded_key_is_refused_even_while_another_process_still_caches_it() -> None:
    record = crypto.create_data_key(purpose="conversation")
    sealed = crypto.seal(record, SECRET, aad="a")  # this process caches the raw key
    # Another process shreds: the database changes, this process's cache does not.
    DataKey.objects.filter(pk=record.pk).update(wrapped=None, shredded_at=record.created_at)

    with pytest.raises(KeyShredded):
        crypto.open_sealed(DataKey.objects.get(pk=record.pk), sealed, aad="a")


def test_shredding_clears_the_cached_key() -> None:
    record = crypto.create_data_key(purpose="conversation")
    crypto.seal(record, SECRET, aad="a")
    assert crypto._cache.get(str(record.id)) is not None

    crypto.shred(record)

    assert crypto._cache.get(str(record.id)) is None


def test_a_shredded_key_seals_nothing_new() -> None:
    record = crypto.create_data_key(purpose="conversation")
    crypto.shred(record)

    with pytest.raises(KeyShredded):
        crypto.seal(_fresh(record), "more", aad="a")


def test_cached_keys_expire() -> None:
    cache = crypto._KeyCache(size=4, ttl_seconds=60)
    cache.put("k", b"x" * 32, now=1000.0)

    assert cache.get("k", now=1059.0) == b"x" * 32
    assert cache.get("k", now=1061.0) is None


def test_the_key_cache_is_bounded() -> None:
    cache = crypto._KeyCache(size=2)
    for name in "abc":
        cache.put(name, name.encode() * 32)

    assert cache.get("a") is None
    assert cache.get("c") == b"c" * 32


# --- master keys and rotation ----------------------------------------------------------------

def test_rotation_rewraps_every_key_and_the_old_master_key_can_then_go(settings) -> None:
    old, new = _key("old"), _key("new")
    settings.HAVEN_MASTER_KEYS = old
    crypto.master_keys.cache_clear()
    records = [crypto.create_data_key(purpose="conversation") for _ in range(3)]
    sealed = [crypto.seal(r, f"{SECRET} {i}", aad=f"m:{i}") for i, r in enumerate(records)]
    shredded = crypto.create_data_key(purpose="conversation")
    crypto.shred(shredded)
    assert set(DataKey.objects.values_list("master_key_id", flat=True)) == {"old"}

    settings.HAVEN_MASTER_KEYS = f"{new},{old}"
    crypto.master_keys.cache_clear()
    out = io.StringIO()
    call_command("keys", "rotate", stdout=out)

    assert "3 data keys now wrapped by master key new" in out.getvalue()
    live = DataKey.objects.filter(wrapped__isnull=False)
    assert set(live.values_list("master_key_id", flat=True)) == {"new"}
    assert DataKey.objects.get(pk=shredded.pk).wrapped is None
    for i, record in enumerate(records):
        assert crypto.open_sealed(_fresh(record), sealed[i], aad=f"m:{i}") == f"{SECRET} {i}"

    settings.HAVEN_MASTER_KEYS = new
    crypto.master_keys.cache_clear()
    for i, record in enumerate(records):
        assert crypto.open_sealed(_fresh(record), sealed[i], aad=f"m:{i}") == f"{SECRET} {i}"
    # Nothing left to move: a second rotation is a no-op.
    out = io.StringIO()
    call_command("keys", "rotate", stdout=out)
    assert "0 data keys" in out.getvalue()


def test_new_keys_are_wrapped_by_the_first_master_key(settings) -> None:
    settings.HAVEN_MASTER_KEYS = f"{_key('k2')},{_key('k1')}"
    crypto.master_keys.cache_clear()

    assert crypto.create_data_key(purpose="conversation").master_key_id == "k2"


def test_status_counts_data_keys_per_master_key(settings) -> None:
    old, new = _key("old"), _key("new")
    settings.HAVEN_MASTER_KEYS = old
    crypto.master_keys.cache_clear()
    crypto.create_data_key(purpose="conversation")
    crypto.shred(crypto.create_data_key(purpose="conversation"))
    settings.HAVEN_MASTER_KEYS = f"{new},{old}"
    crypto.master_keys.cache_clear()
    crypto.create_data_key(purpose="conversation")
    out = io.StringIO()

    call_command("keys", "status", stdout=out)

    assert out.getvalue().splitlines() == [
        "new (current): 1 data keys", "old: 1 data keys", "shredded: 1 data keys",
        "processes: none besides this one seen in the last 60 s"]


def test_generate_prints_a_usable_key() -> None:
    out = io.StringIO()

    call_command("keys", "generate", "k9", stdout=out)

    parsed = parse_master_keys(out.getvalue().strip())
    assert parsed.current_id == "k9"
    assert len(parsed.keys["k9"]) == 32


def test_a_master_key_missing_from_the_list_is_named(settings) -> None:
    settings.HAVEN_MASTER_KEYS = _key("gone")
    crypto.master_keys.cache_clear()
    record = crypto.create_data_key(purpose="conversation")
    sealed = crypto.seal(record, SECRET, aad="a")
    settings.HAVEN_MASTER_KEYS = _key("other")
    crypto.master_keys.cache_clear()

    with pytest.raises(ImproperlyConfigured, match="'gone'.*HAVEN_MASTER_KEYS"):
        crypto.open_sealed(_fresh(record), sealed, aad="a")


def test_rotation_without_the_old_key_fails_naming_it(settings) -> None:
    settings.HAVEN_MASTER_KEYS = _key("gone")
    crypto.master_keys.cache_clear()
    crypto.create_data_key(purpose="conversation")
    settings.HAVEN_MASTER_KEYS = _key("other")
    crypto.master_keys.cache_clear()

    with pytest.raises(ImproperlyConfigured, match="'gone'"):
        call_command("keys", "rotate", stdout=io.StringIO())


def test_a_master_key_with_the_right_id_but_wrong_bytes_cannot_open(settings) -> None:
    settings.HAVEN_MASTER_KEYS = _key("k1")
    crypto.master_keys.cache_clear()
    record = crypto.create_data_key(purpose="conversation")
    sealed = crypto.seal(record, SECRET, aad="a")
    settings.HAVEN_MASTER_KEYS = _key("k1")  # same id, different key
    crypto.master_keys.cache_clear()

    with pytest.raises(CannotOpen):
        crypto.open_sealed(_fresh(record), sealed, aad="a")


def test_parse_master_keys_keeps_order_and_skips_blanks() -> None:
    a, b = _key("a"), _key("b-2_x")

    parsed = parse_master_keys(f" {a} ,, {b},")

    assert parsed.current_id == "a"
    assert list(parsed.keys) == ["a", "b-2_x"]


B64_32 = base64.b64encode(b"k" * 32).decode()


@pytest.mark.parametrize(("value", "message"), [
    ("", "holds no key"),
    (" , ", "holds no key"),
    (B64_32, "comma-separated list of id:base64key"),
    (f"bad id:{B64_32}", "comma-separated list of id:base64key"),
    (f"{'x' * 33}:{B64_32}", "comma-separated list of id:base64key"),
    (f":{B64_32}", "comma-separated list of id:base64key"),
    (f"k1:{B64_32},k1:{B64_32}", "names key 'k1' twice"),
    ("k1:not*base64", "key 'k1' is not valid base64"),
    (f"k1:{base64.b64encode(b'short').decode()}", "key 'k1' must be 32 random bytes \\(it is 5\\)"),
    (f"k1:{base64.b64encode(b'k' * 64).decode()}", "it is 64"),
])
def test_parse_master_keys_names_each_mistake(value: str, message: str) -> None:
    with pytest.raises(ImproperlyConfigured, match=message):
        parse_master_keys(value)


def test_a_key_id_is_uuid_bound_not_guessable() -> None:
    record = crypto.create_data_key(purpose="conversation")

    assert isinstance(record.id, uuid.UUID)
    assert record.purpose == "conversation"
