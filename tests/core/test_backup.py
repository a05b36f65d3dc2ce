"""`haven backup` / `haven restore`: seeded data backed up, restored by the real command into a
second, empty database, compared table by table and row by row, every sealed value opened in
the restored copy; the keys kept apart; a non-empty target refused. Runs on SQLite and, with
DATABASE_URL pointing at PostgreSQL, on PostgreSQL (pg_dump/pg_restore)."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import dj_database_url
import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, connections
from django.db.utils import load_backend
from django.utils import timezone

from haven.core.backup import MANIFEST
from haven.core.models import Person, Role
from haven.demo.seed import seed_demo
from haven.speakup.journal import services as journal_services
from haven.speakup.models import JournalVersion
from haven.support import conversations, offers
from haven.support import requests as support_requests
from haven.support.models import Conversation, Message, Offer, SupportRequest
from haven.vault import crypto
from haven.vault.masterkeys import master_keys
from tests.factories import make_person

pytestmark = pytest.mark.django_db(transaction=True)

TEXTS = ["I was shouted at in front of the team again", "That sounds exhausting. I'm here.",
         "Thank you, it helps to say it"]
JOURNAL_TEXT = "Told in the stand-up that my work was rubbish, in front of everyone"
RESTORED = "restored"


def _seed() -> None:
    """The demo's people and settings, plus sealed records made through the services."""
    seed_demo(history=False)
    colleague, supporter = make_person(), make_person(Role.SUPPORTER)
    support_request = support_requests.open_request(
        requester=colleague, topic="workload", mode="messages", use_pseudonym=True,
        language="en", avoid_my_team=True, avoid_my_department=False, person_of_concern=None,
        preferred_supporter=None, acknowledged_confidentiality=True, first_message=TEXTS[0],
        submission_id=str(uuid.uuid4()))
    offer = Offer.objects.create(request=support_request, supporter=supporter,
                                 expires_at=timezone.now() + timedelta(hours=1))
    conversation = offers.accept_offer(offer=offer, supporter=supporter)
    for sender, text in [(supporter, TEXTS[1]), (colleague, TEXTS[2])]:
        conversations.send_message(conversation=conversation, sender=sender,
                                   client_id=uuid.uuid4(), text=text)
    journal_services.write_entry(author=colleague, entry_input=journal_services.EntryInput(
        occurred_on=date(2026, 11, 3), what=JOURNAL_TEXT, where="Meeting room 2"))


def _target_url(tmp_path: Path) -> Iterator[str]:
    if connection.vendor == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    name = f"{connection.settings_dict['NAME']}_restored"[:63]
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
    yield _url_of_this_database().rsplit("/", 1)[0] + f"/{name}"
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def target_url(tmp_path: Path) -> Iterator[str]:
    """An empty second database: another SQLite file, or another PostgreSQL database."""
    yield from _target_url(tmp_path)


@pytest.fixture
def restored_alias(target_url: str) -> Iterator[str]:
    """The restore target as a second database alias of this process (no pool), made here
    rather than declared in settings, so the test runner neither creates nor flushes it."""
    settings_dict = {**connection.settings_dict, **dj_database_url.parse(target_url),
                     "OPTIONS": {} if connection.vendor == "postgresql"
                     else connection.settings_dict["OPTIONS"]}
    restored = load_backend(settings_dict["ENGINE"]).DatabaseWrapper(settings_dict, RESTORED)
    connections[RESTORED] = restored
    yield RESTORED
    restored.close()
    del connections[RESTORED]


def haven(*args: str, database_url: str | None = None) -> subprocess.CompletedProcess[str]:
    """The real `haven` command in a child process, with this test run's settings and keys."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "haven.settings_test"}
    if database_url:
        env["DATABASE_URL"] = database_url
    return subprocess.run([sys.executable, "-m", "haven.cli", *args], env=env,  # noqa: S603
                          capture_output=True, text=True, timeout=120, check=False)


def _plain(value: Any) -> Any:
    return bytes(value) if isinstance(value, memoryview) else value


def _rows(alias: str) -> dict[str, tuple[list[str], list[tuple[Any, ...]]]]:
    """Every table's columns and rows (sorted), read with raw SQL."""
    db = connections[alias]
    tables: dict[str, tuple[list[str], list[tuple[Any, ...]]]] = {}
    with db.cursor() as cursor:
        for table in db.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {db.ops.quote_name(table)}")  # noqa: S608
            columns = [column[0] for column in cursor.description]
            rows = [tuple(_plain(value) for value in row) for row in cursor.fetchall()]
            tables[table] = (columns, sorted(rows, key=repr))
    return tables


def _opened(alias: str) -> dict[str, str]:
    """Every sealed value with an opener, opened with the data keys stored in ALIAS."""
    crypto.forget_cached_keys()  # the keys must come from ALIAS's rows, not this process
    opened: dict[str, str] = {}
    for message in Message.objects.using(alias).select_related("conversation__data_key"):
        opened[f"message {message.pk}"] = crypto.open_sealed(
            message.conversation.data_key, message.body,
            aad=Message.aad(message.conversation_id, message.client_id))
    for request in SupportRequest.objects.using(alias).exclude(sealed_details=b""):
        details = request.details
        assert not details.erased and not details.unavailable
        opened[f"request {request.pk}"] = repr(details)
    for version in JournalVersion.objects.using(alias).select_related("entry__journal__key"):
        document = journal_services.open_version(version.entry.journal, version)
        opened[f"journal {version.pk}"] = repr(sorted(document.items()))
    crypto.forget_cached_keys()
    return opened


def test_a_restored_backup_equals_the_original_row_by_row_and_opens(
        tmp_path: Path, target_url: str, restored_alias: str) -> None:
    _seed()
    backup_dir = tmp_path / "backup"
    call_command("backup", str(backup_dir))

    # Nothing of the master keys is in the backup, in any form.
    written = b"".join(path.read_bytes() for path in backup_dir.iterdir())
    for key in master_keys().keys.values():
        assert key not in written
        assert settings.HAVEN_MASTER_KEYS.encode() not in written
    assert sorted(path.name for path in backup_dir.iterdir()) == sorted(
        [MANIFEST, "haven.dump" if connection.vendor == "postgresql" else "haven.sqlite3"])

    restored = haven("restore", str(backup_dir), database_url=target_url)
    assert restored.returncode == 0, restored.stderr
    assert "row counts match the manifest" in restored.stdout

    original, copy = _rows("default"), _rows(restored_alias)
    assert original["support_message"][1]  # the comparison covers the seeded records
    assert sorted(copy) == sorted(original)
    differences = [table for table in original if copy[table] != original[table]]
    assert differences == []

    opened_original, opened_copy = _opened("default"), _opened(restored_alias)
    assert len([name for name in opened_copy if name.startswith("message")]) == len(TEXTS)
    assert any(name.startswith("journal") for name in opened_copy)
    assert opened_copy == opened_original
    assert set(TEXTS) <= set(opened_copy.values())
    assert any(JOURNAL_TEXT in value for value in opened_copy.values())

    # The target now holds data: restoring again is refused unless --replace.
    connections[restored_alias].close()
    again = haven("restore", str(backup_dir), database_url=target_url)
    assert again.returncode == 2
    assert "target database is not empty" in again.stderr
    replaced = haven("restore", str(backup_dir), "--replace", database_url=target_url)
    assert replaced.returncode == 0, replaced.stderr
    assert _rows(restored_alias) == original


def test_a_backup_beside_the_master_keys_is_refused(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    keys = tmp_path / "keys"
    keys.mkdir()
    (keys / "master_keys").write_text(settings.HAVEN_MASTER_KEYS, encoding="utf-8")
    monkeypatch.setenv("HAVEN_MASTER_KEYS_FILE", str(keys / "master_keys"))
    monkeypatch.delenv("HAVEN_MASTER_KEYS", raising=False)
    for place in (keys, keys / "backups", tmp_path):
        with pytest.raises(CommandError, match="master keys") as refused:
            call_command("backup", str(place))
        assert refused.value.returncode == 2
    assert [path.name for path in keys.iterdir()] == ["master_keys"]
    assert [path.name for path in tmp_path.iterdir()] == ["keys"]

    # The demo's key file under the var dir counts too, and the real command exits 2.
    monkeypatch.delenv("HAVEN_MASTER_KEYS_FILE")
    var_keys = Path(settings.VAR_DIR) / "master_keys"
    made_here = not var_keys.exists()
    if made_here:  # HAVEN_MASTER_KEYS came from the environment: put them in the file
        var_keys.write_text(settings.HAVEN_MASTER_KEYS, encoding="utf-8")
    try:
        beside = haven("backup", str(Path(settings.VAR_DIR) / "backups"))
    finally:
        if made_here:
            var_keys.unlink()
    assert beside.returncode == 2
    assert len(beside.stderr.strip().splitlines()) == 1
    assert "kept apart from the keys" in beside.stderr
    assert not (Path(settings.VAR_DIR) / "backups").exists()


def _url_of_this_database() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    return (f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:"
            f"{db['PORT'] or 5432}/{db['NAME']}")


def test_the_backup_says_where_the_keys_are_never_what_they_are(tmp_path: Path) -> None:
    make_person(name="Ines Backup-Name")
    result = haven("backup", str(tmp_path / "backup"), database_url=_url_of_this_database())
    assert result.returncode == 0, result.stderr
    assert "master keys are NOT in this backup: they are in " in result.stdout
    for key in master_keys().keys.values():
        assert base64.b64encode(key).decode() not in result.stdout
    manifest = json.loads((tmp_path / "backup" / MANIFEST).read_text(encoding="utf-8"))
    assert manifest["tables"]["core_person"] == 1
    assert manifest["vendor"] == connection.vendor
    assert "0001_initial" in manifest["migrations"]["core"]
    assert "Ines" not in json.dumps(manifest)  # counts, never content


def test_restoring_into_a_database_that_holds_data_is_refused(tmp_path: Path) -> None:
    person = make_person()
    call_command("backup", str(tmp_path / "backup"))
    with pytest.raises(CommandError, match="not empty") as refused:
        call_command("restore", str(tmp_path / "backup"))
    assert refused.value.returncode == 2
    assert Person.objects.get() == person
    assert not Conversation.objects.exists()
