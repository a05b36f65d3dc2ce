"""Agreement between the two labellers of the version-2 corpus (Cohen's kappa)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from haven.coach.cli import main
from haven.coach.lab.agreement import LABELS, agreement, cohen_kappa, labelled_pairs


def test_kappa_is_one_for_perfect_agreement_and_zero_at_chance() -> None:
    assert cohen_kappa([0, 1, 2, 1], [0, 1, 2, 1]) == 1.0
    # Each labeller says yes half the time, independently of the other: chance agreement.
    assert cohen_kappa([True, True, False, False], [True, False, True, False]) == 0.0


def test_kappa_matches_a_hand_worked_case() -> None:
    # 10 items: both yes 4, both no 3, one yes one no 3 → observed 0.7; expected
    # 0.6·0.5 + 0.4·0.5 = 0.5 → kappa 0.4.
    first = [1, 1, 1, 1, 0, 0, 0, 1, 1, 0]
    second = [1, 1, 1, 1, 0, 0, 0, 0, 0, 1]
    assert cohen_kappa(first, second) == pytest.approx(0.4)


def test_kappa_refuses_unequal_or_empty_sequences() -> None:
    with pytest.raises(ValueError):
        cohen_kappa([1], [1, 0])
    with pytest.raises(ValueError):
        cohen_kappa([], [])


def _label(record_id: str, labeller: str, **labels: object) -> str:
    row = {"id": record_id, "labeller": labeller, **{name: 0 for name in LABELS[:3]},
           **{name: False for name in LABELS[3:]}, "spans": []}
    row.update(labels)
    return json.dumps(row)


def test_only_records_two_labellers_labelled_are_compared(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    labels = tmp_path / "labels"
    labels.mkdir()
    (labels / "w1.la.jsonl").write_text("\n".join([
        _label("w1-1", "la", emotional_reactions=1), _label("w1-2", "la"),
        _label("w1-3", "la", advice=True)]) + "\n")
    (labels / "w1.lb.jsonl").write_text("\n".join([
        _label("w1-1", "lb", emotional_reactions=1), _label("w1-2", "lb", advice=True)]) + "\n")
    (labels / "w2.la.jsonl").write_text(_label("w2-1", "la") + "\n")  # one labeller only

    pairs = labelled_pairs(tmp_path)

    assert [a["id"] for a, _b in pairs] == ["w1-1", "w1-2"]
    by_label = {row.label: row for row in agreement(pairs)}
    assert by_label["emotional_reactions"].kappa == 1.0
    assert by_label["advice"].raw == 0.5
    assert main(["agreement", "--corpus", str(tmp_path)]) == 0
    assert "emotional_reactions" in capsys.readouterr().out


def test_the_command_says_when_nothing_is_double_labelled(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "labels").mkdir()

    assert main(["agreement", "--corpus", str(tmp_path)]) == 1
    assert "no record" in capsys.readouterr().err


def test_gold_takes_agreed_labels_and_the_adjudicators_decisions(tmp_path: Path) -> None:
    from haven.coach.lab.agreement import gold_records
    from haven.coach.lab.training import load_corpus

    (tmp_path / "raw").mkdir()
    (tmp_path / "labels").mkdir()
    (tmp_path / "adjudication").mkdir()
    replies = {"w1-1": "so sorry. what happened?", "w1-2": "you should quit", "w1-3": "ok"}
    (tmp_path / "raw" / "w1.jsonl").write_text("".join(
        json.dumps({"id": key, "writer": "w1", "register": "sms", "voice": "", "topic": "t",
                    "seeker": "help", "response": text}) + "\n"
        for key, text in replies.items()))
    sorry = {"kind": "emotional_reactions", "text": "so sorry"}
    (tmp_path / "labels" / "w1.la.jsonl").write_text("\n".join([
        _label("w1-1", "la", emotional_reactions=1, explorations=1, spans=[sorry]),
        _label("w1-2", "la", advice=True, unsolicited_advice=True),
        _label("w1-3", "la")]) + "\n")
    (tmp_path / "labels" / "w1.lb.jsonl").write_text("\n".join([
        _label("w1-1", "lb", emotional_reactions=1, explorations=2, spans=[sorry]),
        _label("w1-2", "lb", advice=True, unsolicited_advice=True),
        _label("w1-3", "lb", emotional_reactions=1)]) + "\n")
    (tmp_path / "adjudication" / "decisions1.a1.jsonl").write_text(json.dumps(
        {"id": "w1-1", "adjudicator": "a1", "decided": {"explorations": 1}, "reason": "r"}) + "\n")

    records, undecided = gold_records(tmp_path)

    assert undecided == 1  # w1-3: disputed, not decided yet
    by_id = {record["id"]: record for record in records}
    assert sorted(by_id) == ["w1-1", "w1-2"]
    assert (by_id["w1-1"]["emotional_reactions"], by_id["w1-1"]["explorations"]) == (1, 1)
    assert by_id["w1-1"]["spans"] == [sorry]
    assert by_id["w1-2"]["unsolicited_advice"] is True
    gold = tmp_path / "gold.jsonl"
    gold.write_text("".join(json.dumps(record) + "\n" for record in records))
    assert [record.id for record in load_corpus(gold, strict=True)] == ["w1-1", "w1-2"]
    # A revised guide decides labels again, over agreed labels too (guide 2.1's hard calls).
    (tmp_path / "adjudication" / "revisions-2.1.jsonl").write_text(json.dumps(
        {"id": "w1-2", "adjudicator": "a4", "decided": {"advice": False,
                                                        "unsolicited_advice": False},
         "reason": "r"}) + "\n")
    revised = {record["id"]: record for record in gold_records(tmp_path)[0]}
    assert (revised["w1-2"]["advice"], revised["w1-2"]["unsolicited_advice"]) == (False, False)
    assert revised["w1-1"] == by_id["w1-1"]
