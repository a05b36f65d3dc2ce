"""The batch contract of `haven coach score`: one line out per line in, in order, with errors as
lines; no database, server or network. Run as a separate process, as evaluations run it."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
LABELS = ("emotional_reactions", "interpretations", "explorations", "advice",
          "unsolicited_advice", "judgement", "minimising", "self_focus", "secrecy_promise")


def _environment(**changes: str) -> dict[str, str]:
    environment = {key: value for key, value in os.environ.items()
                   if key not in {"DJANGO_SETTINGS_MODULE", "DATABASE_URL"}}
    # Anything that needed a database would fail loudly with these.
    environment.update({"DATABASE_URL": "postgres://nobody@127.0.0.1:1/none",
                        "DJANGO_SETTINGS_MODULE": "haven.no_such_settings",
                        "PYTHONPATH": str(ROOT), **changes})
    return environment


def score(lines: list[str] | bytes, *command: str, timeout: float = 120
          ) -> tuple[list[dict[str, Any]], str, int]:
    payload = lines if isinstance(lines, bytes) else "".join(
        line + "\n" for line in lines).encode()
    command = command or (sys.executable, "-m", "haven.coach", "score")
    result = subprocess.run(command, input=payload, capture_output=True,  # noqa: S603 - our own
                            timeout=timeout, env=_environment(), cwd=ROOT, check=False)
    output = [json.loads(line) for line in result.stdout.decode().splitlines()]
    return output, result.stderr.decode(), result.returncode


def record(id: Any, response: str, seeker: str = "") -> str:  # noqa: A002
    return json.dumps({"id": id, "seeker": seeker, "response": response})


def test_it_answers_every_line_in_order_with_its_id() -> None:
    lines = [record("first", "I'm so sorry. How are you holding up?", "My dog died."),
             record(2, "You should just move on."),
             record("three", "That sounds exhausting.", "")]
    output, stderr, status = score(lines)
    assert status == 0, stderr
    assert [line["id"] for line in output] == ["first", 2, "three"]
    for line in output:
        assert set(LABELS) <= set(line)
        assert line["emotional_reactions"] in (0, 1, 2)
        assert all(isinstance(line[flag], bool) for flag in LABELS[3:])
        for finding in line["findings"]:
            assert set(finding) == {"kind", "start", "end", "explanation", "suggestion"}
            assert finding["kind"] in LABELS


def test_it_reports_malformed_lines_and_goes_on() -> None:
    payload = b"\n".join([
        record("ok-1", "That sounds so hard.").encode(),
        b"this is not json",
        b'["an", "array"]',
        b'{"seeker": "", "response": "no id here"}',
        b'{"id": {"nested": true}, "response": "odd id"}',
        b'{"id": "no-response", "seeker": "hi"}',
        b'{"id": "bad-seeker", "seeker": 5, "response": "hello there"}',
        b'{"id": "bad-utf8", "response": "caf\xe9"}',
        b"",
        record("ok-2", "I won't tell anyone, I promise.").encode(),
    ]) + b"\n"
    output, stderr, status = score(payload)
    assert status == 0
    assert len(output) == 10
    assert [line["id"] for line in output] == [
        "ok-1", None, None, None, None, "no-response", "bad-seeker", None, None, "ok-2"]
    errors = [line for line in output if "error" in line]
    assert len(errors) == 8
    for line in errors:
        # An error line has the same shape as a result, with placeholder labels.
        assert line["findings"] == [] and not any(line[flag] for flag in LABELS)
    assert "error" not in output[0] and "error" not in output[-1]
    assert len(re.findall(r"score: line \d+:", stderr)) == 8
    assert "line 2:" in stderr and "not valid JSON" in stderr


def test_it_scores_10000_lines_in_one_run() -> None:
    replies = ["I'm really sorry, that sounds humiliating. What happened next?",
               "You should report him. At least you have proof.",
               "omg same, my last roommate did that to me for a whole year lol",
               "Whatever you tell me stays between us, I'll never tell a soul.",
               "why didn't you just say no?"]
    lines = [record(f"r{n}", replies[n % len(replies)], "I don't know what to do.")
             for n in range(10_000)]
    started = time.perf_counter()
    output, stderr, status = score(lines, timeout=300)
    elapsed = time.perf_counter() - started
    assert status == 0, stderr
    assert [line["id"] for line in output] == [f"r{n}" for n in range(10_000)]
    assert not any("error" in line for line in output)
    assert elapsed < 240  # the benchmark (bench/coach.py) holds the real target


def test_the_haven_command_scores_without_django_setup() -> None:
    output, stderr, status = score([record("x", "That must be so hard.")],
                                   sys.executable, "-m", "haven.cli", "coach", "score")
    assert status == 0, stderr
    assert output[0]["id"] == "x"


def test_the_management_command_needs_no_database() -> None:
    command = (sys.executable, "manage.py", "coach", "score")
    payload = (record("m", "Have you tried talking to her?") + "\n").encode()
    result = subprocess.run(command, input=payload, capture_output=True,  # noqa: S603 - our own
                            timeout=120, cwd=ROOT,
                            env=_environment(DJANGO_SETTINGS_MODULE="haven.settings_test"),
                            check=False)
    assert result.returncode == 0, result.stderr.decode()
    assert json.loads(result.stdout)["id"] == "m"


def test_it_answers_each_line_as_it_arrives() -> None:
    # A caller may write one line and wait for its answer before writing the next.
    process = subprocess.Popen((sys.executable, "-m", "haven.coach", "score"),
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, env=_environment(), cwd=ROOT)
    try:
        assert process.stdin and process.stdout
        for number in range(3):
            process.stdin.write((record(number, "That sounds awful.") + "\n").encode())
            process.stdin.flush()
            assert json.loads(process.stdout.readline())["id"] == number
    finally:
        if process.stdin:
            process.stdin.close()
        process.wait(timeout=60)
        if process.stdout:
            process.stdout.close()
        if process.stderr:
            process.stderr.close()


def test_empty_overlong_and_foreign_replies_still_get_a_line() -> None:
    lines = [record("empty", "   "), record("long", "so sorry " * 2000),
             record("german", "Das tut mir wirklich leid, ich bin immer für dich da, wenn du "
                              "reden möchtest."),
             record("greek", "Λυπάμαι πολύ που το περνάς αυτό."),
             record("emoji", "🫂🫂🫂")]
    output, stderr, status = score(lines)
    assert status == 0
    by_id = {line["id"]: line for line in output}
    assert "note" in by_id["empty"] and "error" not in by_id["empty"]
    assert "10,000" in by_id["long"]["error"]
    assert "English" in by_id["german"]["note"] and "English" in by_id["greek"]["note"]
    assert "note" in by_id["emoji"]
    for line in output:
        assert line["findings"] == []
        assert not any(line[label] for label in LABELS)
    assert "line 2:" in stderr  # the over-long reply is an error; the notes are not


def test_scoring_is_deterministic() -> None:
    lines = [record(n, reply, "Should I tell my mum?") for n, reply in enumerate([
        "I'd tell her, honestly. She'd want to know.",
        "It sounds like you're scared of how she'll react. What worries you most?",
        "Don't worry, it's not a big deal."])]
    first, _, _ = score(lines)
    second, _, _ = score(lines)
    assert first == second


def test_a_missing_or_null_seeker_is_an_empty_one() -> None:
    reply = "You need to stop replying to him."
    lines = [json.dumps({"id": "missing", "response": reply}),
             json.dumps({"id": "null", "seeker": None, "response": reply}),
             json.dumps({"id": "empty", "seeker": "", "response": reply})]
    output, stderr, status = score(lines)
    assert status == 0, stderr
    assert not any("error" in line for line in output)
    assert output[0] == {**output[1], "id": "missing"} == {**output[2], "id": "missing"}
