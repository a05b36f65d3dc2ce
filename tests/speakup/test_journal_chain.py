"""The chain and its signature: an export verifies; any single change to any field of any
record, to an attachment or to the checkpoint is detected, and a changed record is named
(entry, version, position); `haven journal verify` exits 0 intact, 1 altered, 2 unreadable,
and runs with no Haven configuration at all."""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from nacl.signing import SigningKey

from haven.core.models import Person
from haven.speakup.journal import chain, export, selectors, services, signing, verify
from haven.speakup.journal import cli as journal_cli
from tests.factories import make_person
from tests.speakup.test_journal import PNG, an_entry

pytestmark = pytest.mark.django_db


def _export(author: Person) -> dict[str, Any]:
    snapshot = selectors.snapshot(viewer=author)
    assert snapshot is not None
    return export.document(snapshot)


@pytest.fixture
def exported(colleague: Person) -> dict[str, Any]:
    """Three entries, one edited twice, one with an attachment, one deleted."""
    first = an_entry(colleague, what="Called me useless in front of the team.",
                     where="Meeting room", witnesses="Ana", impact="Shaken",
                     people=(make_person(name="Bea Bully"),),
                     files=(services.NewFile(name="chat.png", data=PNG),))
    second = an_entry(colleague, what="Took my name off the report.")
    for words in ("Took my name off the report again.", "And told the client it was theirs."):
        services.edit_entry(author=colleague, entry=second,
                            entry_input=services.EntryInput(occurred_on=second.created_at.date(),
                                                            what=words))
    third = an_entry(colleague, what="Regretted this one.")
    services.delete_entry(author=colleague, entry=third)
    assert first.number == 1
    return _export(colleague)


def test_an_untouched_export_is_intact(exported: dict[str, Any]) -> None:
    result = verify.verify(exported, trusted_key=signing.server_public_key())
    assert result.intact, [p.describe() for p in result.problems]
    assert (result.records, result.checked, result.destroyed) == (6, 4, 1)
    assert result.trusted_key is True
    # Round trip through JSON text, as a file would be.
    assert verify.verify_bytes(json.dumps(exported).encode()).intact


def _paths(document: dict[str, Any]) -> list[tuple[int, tuple[Any, ...]]]:
    """(record position, path) of every scalar inside the records."""
    found: list[tuple[int, tuple[Any, ...]]] = []

    def walk(value: Any, position: int, path: tuple[Any, ...]) -> None:
        if isinstance(value, dict):
            for key, inner in value.items():
                walk(inner, position, (*path, key))
        elif isinstance(value, list):
            for index, inner in enumerate(value):
                walk(inner, position, (*path, index))
        elif value is not None:
            found.append((position, path))

    for position, record in enumerate(document["records"], start=1):
        walk(record, position, ("records", position - 1))
    return found


def _changed(value: Any, seed: int) -> Any:
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + 1 + seed % 5
    if isinstance(value, str):
        if len(value) == 64 and all(c in "0123456789abcdef" for c in value):
            flipped = "0" if value[seed % 64] != "0" else "1"
            return value[:seed % 64] + flipped + value[seed % 64 + 1:]
        return value + ("x" if seed % 2 else " ") if value else "x"
    raise AssertionError(type(value))


def _set(document: dict[str, Any], path: tuple[Any, ...], value: Any) -> None:
    target: Any = document
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value


def _get(document: dict[str, Any], path: tuple[Any, ...]) -> Any:
    target: Any = document
    for step in path:
        target = target[step]
    return target


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_single_field_change_is_detected_and_named(exported: dict[str, Any],
                                                      data: st.DataObject) -> None:
    position, path = data.draw(st.sampled_from(_paths(exported)), label="field")
    seed = data.draw(st.integers(min_value=0, max_value=10_000), label="seed")
    altered = copy.deepcopy(exported)
    _set(altered, path, _changed(_get(altered, path), seed))
    result = verify.verify(altered, trusted_key=signing.server_public_key())
    assert not result.intact, path
    named = {problem.record for problem in result.problems}
    assert position in named, (path, [p.describe() for p in result.problems])
    original = exported["records"][position - 1]
    assert any(problem.record == position and problem.version == original["version"]
               and problem.number == original["number"]
               for problem in result.problems) or path[-1] in {"number", "version"}


def test_a_changed_attachment_is_named(exported: dict[str, Any]) -> None:
    altered = copy.deepcopy(exported)
    (sha, encoded), = altered["files"].items()
    altered["files"][sha] = encoded[:-4] + "AAA="
    result = verify.verify(altered)
    assert [p.record for p in result.problems] == [1]
    assert "attachment “chat.png” changed" in result.problems[0].describe()
    del altered["files"][sha]
    assert "missing" in verify.verify(altered).problems[0].reason


def test_removing_or_reordering_records_is_detected(exported: dict[str, Any]) -> None:
    cut = copy.deepcopy(exported)
    cut["records"].pop()
    reasons = " ".join(p.describe() for p in verify.verify(cut).problems)
    assert "signed over 6 records" in reasons
    swapped = copy.deepcopy(exported)
    swapped["records"][1], swapped["records"][2] = swapped["records"][2], swapped["records"][1]
    assert {2, 3} <= {p.record for p in verify.verify(swapped).problems}


def test_the_signature_is_checked(exported: dict[str, Any]) -> None:
    forged = copy.deepcopy(exported)
    forged["checkpoint"]["signed_at"] = "2020-01-01T00:00:00.000000+00:00"
    assert any("signature invalid" in p.reason for p in verify.verify(forged).problems)
    # Re-signed by someone else's key, consistently: only the trusted key catches it.
    other = SigningKey.generate()
    resigned = copy.deepcopy(exported)
    checkpoint = resigned["checkpoint"]
    message = chain.checkpoint_message(journal=checkpoint["journal"], head=checkpoint["head"],
                                       length=checkpoint["length"],
                                       signed_at=checkpoint["signed_at"])
    checkpoint["signature"] = other.sign(message).signature.hex()
    checkpoint["public_key"] = resigned["public_key"] = other.verify_key.encode().hex()
    assert verify.verify(resigned).intact
    result = verify.verify(resigned, trusted_key=signing.server_public_key())
    assert not result.intact and result.trusted_key is False


@pytest.mark.parametrize("raw", [b"", b"\xff\xfe", b"[]", b"{}", b"null", b'"x"',
                                 b'{"format": "haven-journal-export"}',
                                 b'{"format": "haven-journal-export", "journal": 1, '
                                 b'"records": []}',
                                 b"[" * 100_000])
def test_anything_else_is_not_an_export(raw: bytes) -> None:
    with pytest.raises(verify.NotAnExport):
        verify.verify_bytes(raw)


@settings(max_examples=200, deadline=None)
@given(document=st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner,
                                                                max_size=5), max_leaves=30),
    records=st.lists(st.dictionaries(st.sampled_from(
        ["seq", "entry", "number", "version", "kind", "recorded_at", "previous", "hash",
         "content", "salt", "content_digest"]),
        st.none() | st.integers() | st.text(max_size=70) | st.dictionaries(
            st.text(max_size=5), st.text(max_size=5), max_size=3)), max_size=4))
def test_any_shape_gives_a_result_or_a_reason(document: Any, records: list[Any]) -> None:
    for candidate in (document, {"format": "haven-journal-export", "journal": "j",
                                 "records": records, "checkpoint": document,
                                 "files": document}):
        try:
            result = verify.verify(candidate)
        except verify.NotAnExport:
            continue
        assert isinstance(result.intact, bool)


# The command ---------------------------------------------------------------------------------

def _write(tmp_path: Path, document: Any) -> str:
    path = tmp_path / "export.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    return str(path)


def test_the_command_exits_0_when_intact(exported: dict[str, Any], tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    key = signing.server_public_key()
    assert key is not None
    assert journal_cli.main(["verify", _write(tmp_path, exported), "--public-key", key]) == 0
    assert "Intact: 6 chain records" in capsys.readouterr().out
    # Without a key to pin, it says which key it used and asks for a comparison.
    assert journal_cli.main(["verify", _write(tmp_path, exported)]) == 0
    assert f"Checked against the key inside the export, {key}" in capsys.readouterr().out


def test_the_command_exits_1_and_names_the_entry(exported: dict[str, Any], tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    altered = copy.deepcopy(exported)
    altered["records"][2]["content"]["what"] = "Took my name off the report. (Not really.)"
    assert journal_cli.main(["verify", _write(tmp_path, altered)]) == 1
    out = capsys.readouterr().out
    assert "Entry 2, version 2 (chain record 3): content changed" in out
    assert "Altered: 1 problem(s) found." in out


def test_the_command_exits_1_on_another_key(exported: dict[str, Any], tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    other = SigningKey.generate().verify_key.encode().hex()
    assert journal_cli.main(["verify", _write(tmp_path, exported), "--public-key", other]) == 1
    assert "not this Haven server's" in capsys.readouterr().out


def test_the_command_exits_2_on_what_is_not_an_export(tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    assert journal_cli.main(["verify", _write(tmp_path, {"hello": 1})]) == 2
    assert journal_cli.main(["verify", str(tmp_path / "missing.json")]) == 2
    assert journal_cli.main(["verify", _write(tmp_path, {}), "--public-key", "nothex"]) == 2
    assert journal_cli.main(["frobnicate"]) == 2
    assert "not a Haven journal export" in capsys.readouterr().err


def test_the_real_command_runs_without_settings_or_database(exported: dict[str, Any],
                                                            tmp_path: Path) -> None:
    """`haven journal verify` as someone who received the file runs it: a fresh process with
    no Haven configuration at all."""
    environment = {key: value for key, value in os.environ.items()
                   if not key.startswith(("HAVEN_", "DJANGO_", "DATABASE_"))}
    path = _write(tmp_path, exported)

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(  # noqa: S603 - our own interpreter and module
            [sys.executable, "-m", "haven.cli", "journal", "verify", *args],
            capture_output=True, text=True, env=environment, cwd=tmp_path, timeout=60,
            check=False)

    intact = run(path)
    assert intact.returncode == 0, intact.stderr
    assert "Intact" in intact.stdout
    altered = copy.deepcopy(exported)
    altered["records"][0]["recorded_at"] = "2020-01-01T00:00:00.000000+00:00"
    result = run(_write(tmp_path, altered))
    assert result.returncode == 1
    assert "Entry 1, version 1 (chain record 1): record changed" in result.stdout
    assert run(str(tmp_path / "nothing.json")).returncode == 2


@pytest.mark.parametrize("field", ["journal", "head", "length", "signed_at", "signature",
                                   "public_key"])
def test_any_change_to_the_checkpoint_is_detected(exported: dict[str, Any], field: str) -> None:
    altered = copy.deepcopy(exported)
    altered["checkpoint"][field] = _changed(altered["checkpoint"][field], 7)
    result = verify.verify(altered, trusted_key=signing.server_public_key())
    assert not result.intact
    assert all(problem.record is None for problem in result.problems)
