"""A fresh install is the tested install: the locks match pyproject.toml and the environment."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("lock", ROOT / "scripts" / "lock.py")
assert _spec is not None and _spec.loader is not None
lock = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(lock)


def _copy_project(tmp_path: Path) -> Path:
    for name in ("pyproject.toml", "requirements.txt", "requirements-dev.txt"):
        shutil.copy(ROOT / name, tmp_path / name)
    (tmp_path / "scripts").mkdir()
    shutil.copy(ROOT / "scripts" / "lock.py", tmp_path / "scripts" / "lock.py")
    return tmp_path


def _check(project: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603
        [sys.executable, str(project / "scripts" / "lock.py"), "check"],
        capture_output=True, text=True, timeout=60, check=False)


def test_the_locks_were_made_from_the_ranges_pyproject_holds_now() -> None:
    assert lock.problems() == []


def test_the_environment_holds_exactly_the_locked_versions() -> None:
    assert lock.installed_problems(exact=False) == []


def test_every_requirement_of_pyproject_is_in_the_lock() -> None:
    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    locked = lock.locked_versions()
    data = lock.inputs()
    wanted = [*data["dependencies"], *data["build"],
              *(r for reqs in data["extras"].values() for r in reqs)]
    for text in wanted:
        requirement = Requirement(text)
        name = canonicalize_name(requirement.name)
        assert name in locked, f"{name} is not locked"
        assert requirement.specifier.contains(locked[name], prereleases=True), (
            f"{name} {locked[name]} is outside {requirement.specifier}")


def test_a_changed_range_without_re_locking_fails_in_one_line(tmp_path: Path) -> None:
    project = _copy_project(tmp_path)
    assert _check(project).returncode == 0
    pyproject = project / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('"Django>=5.2,<5.3"', '"Django>=5.2,<6"'))

    result = _check(project)

    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "lock: requirements.txt was made from other dependency ranges than pyproject.toml "
        "holds now: run `make lock`, then `make test`, and commit both together."]


def test_a_new_dependency_or_a_missing_lock_is_caught(tmp_path: Path) -> None:
    project = _copy_project(tmp_path)
    pyproject = project / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace(
        '"tqdm>=4.66,<5",', '"tqdm>=4.66,<5",\n    "requests>=2",'))
    assert "requirements.txt" in _check(project).stderr

    pyproject.write_text((ROOT / "pyproject.toml").read_text())
    (project / "requirements-dev.txt").unlink()
    result = _check(project)
    assert result.returncode == 1
    assert "requirements-dev.txt is missing" in result.stderr


def test_comments_and_spacing_in_pyproject_do_not_count_as_a_change(tmp_path: Path) -> None:
    project = _copy_project(tmp_path)
    pyproject = project / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace(
        '"Django>=5.2,<5.3",', '"Django >= 5.2, < 5.3",  # the LTS'))

    assert _check(project).returncode == 0


def test_every_locked_package_carries_its_hashes() -> None:
    for path in (ROOT / "requirements.txt", ROOT / "requirements-dev.txt"):
        entries: list[list[str]] = []
        for line in path.read_text().splitlines():
            if line and line[0] not in " #":
                entries.append([line])
            elif entries and line.strip():
                entries[-1].append(line.strip())
        assert len(entries) > 20
        for entry in entries:
            assert "==" in entry[0], entry[0]
            assert any(part.startswith("--hash=sha256:") for part in entry), entry[0]
