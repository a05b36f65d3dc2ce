"""Production settings refuse unsafe configurations, in one clear line."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

from haven.vault.masterkeys import generate_master_key

ROOT = Path(__file__).resolve().parent.parent


def _run(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items()
             if not k.startswith("HAVEN_") and k != "DJANGO_SETTINGS_MODULE"}
    clean["DJANGO_SETTINGS_MODULE"] = "haven.settings"
    clean["HAVEN_MASTER_KEYS"] = generate_master_key("test1")
    return subprocess.run(  # noqa: S603
        [sys.executable, "-m", "haven.cli", *args], cwd=ROOT, env={**clean, **env},
        capture_output=True, text=True, timeout=60, check=False)


def test_production_refuses_to_start_without_a_secret_key() -> None:
    result = _run("check", HAVEN_ALLOWED_HOSTS="haven.example.org")
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "HAVEN_SECRET_KEY" in lines[0]


def test_production_reads_the_secret_key_from_a_file(tmp_path: Path) -> None:
    key_file = tmp_path / "secret"
    key_file.write_text(secrets.token_urlsafe(50))
    result = _run("check", HAVEN_SECRET_KEY_FILE=str(key_file),
                  HAVEN_ALLOWED_HOSTS="haven.example.org")
    assert result.returncode == 0, result.stderr


def test_production_passes_djangos_deploy_checks() -> None:
    result = _run("check", "--deploy", "--fail-level", "WARNING",
                  HAVEN_SECRET_KEY=secrets.token_urlsafe(50),
                  HAVEN_ALLOWED_HOSTS="haven.example.org",
                  HAVEN_BASE_URL="https://haven.example.org")
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_bad_setting_is_named_in_one_line() -> None:
    result = _run("check", HAVEN_SECRET_KEY=secrets.token_urlsafe(50),
                  HAVEN_ALLOWED_HOSTS="haven.example.org", HAVEN_MIN_GROUP_SIZE="five")
    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == [
        "haven: HAVEN_MIN_GROUP_SIZE must be a whole number (got 'five')."]


def test_debug_is_off_unless_asked_for() -> None:
    code = "from django.conf import settings; print(settings.DEBUG)"
    off = _run("shell", "-c", code, HAVEN_DEMO="1")
    on = _run("shell", "-c", code, HAVEN_DEMO="1", HAVEN_DEBUG="1")
    assert off.stdout.strip().splitlines()[-1] == "False"
    assert on.stdout.strip().splitlines()[-1] == "True"


def _printed_in_production(code: str, **env: str) -> str:
    """The last line CODE prints in `haven shell` on production settings (and ENV)."""
    result = _run("shell", "-c", code, HAVEN_SECRET_KEY=secrets.token_urlsafe(50),
                  HAVEN_ALLOWED_HOSTS="haven.example.org", **env)
    return result.stdout.strip().splitlines()[-1]


def test_production_cookies_are_secure_and_hsts_is_on() -> None:
    assert _printed_in_production(
        "from django.conf import settings as s; print(s.SESSION_COOKIE_SECURE, "
        "s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS >= 31536000)") == "True True True"


def test_the_base_urls_origin_is_trusted_for_csrf_beside_the_listed_ones() -> None:
    code = "from django.conf import settings; print(settings.CSRF_TRUSTED_ORIGINS)"
    assert _printed_in_production(
        code, HAVEN_BASE_URL="https://haven.example.org:8443/some/path",
        HAVEN_CSRF_TRUSTED_ORIGINS="https://intranet.example.org",
    ) == "['https://intranet.example.org', 'https://haven.example.org:8443']"
    assert _printed_in_production(code) == "[]"


def test_production_hashes_passwords_with_argon2id_in_one_lane() -> None:
    assert _printed_in_production(
        "from django.contrib.auth.hashers import make_password; "
        "print(make_password('a long and good passphrase').split('$')[1:4])",
    ) == "['argon2id', 'v=19', 'm=102400,t=2,p=1']"


def test_production_refuses_to_start_without_master_keys() -> None:
    result = _run("check", HAVEN_SECRET_KEY=secrets.token_urlsafe(50),
                  HAVEN_ALLOWED_HOSTS="haven.example.org", HAVEN_MASTER_KEYS="")
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "HAVEN_MASTER_KEYS" in lines[0]


def test_a_malformed_master_key_is_named_in_one_line() -> None:
    result = _run("check", HAVEN_SECRET_KEY=secrets.token_urlsafe(50),
                  HAVEN_ALLOWED_HOSTS="haven.example.org", HAVEN_MASTER_KEYS="k1:c2hvcnQ=")
    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == [
        "haven: HAVEN_MASTER_KEYS key 'k1' must be 32 random bytes (it is 5); make one with "
        "`haven keys generate`."]


def test_a_builtin_command_without_configuration_names_the_missing_setting() -> None:
    result = _run("migrate", "--plan", HAVEN_ALLOWED_HOSTS="haven.example.org")
    assert result.returncode != 0
    assert "Models aren't loaded" not in result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith("haven: HAVEN_SECRET_KEY")


def test_the_migrations_are_in_step_with_the_models() -> None:
    result = _run("makemigrations", "--check", "--dry-run", HAVEN_DEMO="1")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No changes detected" in result.stdout


def test_the_migrations_can_be_checked_in_a_plain_shell_without_secrets() -> None:
    result = _run("makemigrations", "--check", "--dry-run", HAVEN_MASTER_KEYS="")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No changes detected" in result.stdout


def test_only_makemigrations_goes_without_secrets() -> None:
    result = _run("check", "makemigrations", HAVEN_ALLOWED_HOSTS="haven.example.org")
    assert result.returncode != 0
    assert "HAVEN_SECRET_KEY" in result.stderr
