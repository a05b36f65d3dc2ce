"""Honest generalisation measurement: folds that keep writers and registers apart, the
calibration and thresholds learnt from writers left out, and what the shipped model does with
them."""

from __future__ import annotations

import json
import math
import random
from collections import Counter
from pathlib import Path

import pytest

from haven.coach.engine.model import FLAGS, MECHANISMS, Model
from haven.coach.lab import calibration
from haven.coach.lab.comparison import side_by_side
from haven.coach.lab.generalisation import (
    REGISTERS,
    SCHEMES,
    WRITER_FOLDS,
    cross_validate,
    featurise_all,
    fit_plain,
    folds,
    load_v2,
    writer_of,
)
from haven.coach.lab.training import SHIPPED_VARIANT, Record

pytest.importorskip("sklearn")  # in the dev lock that `make test` installs: never skipped there


@pytest.fixture(scope="module")
def records() -> list[Record]:
    return load_v2()


@pytest.fixture(scope="module")
def sample(records: list[Record]) -> list[Record]:
    """25 records of each writer: every writer and register present, quick to train on."""
    by_writer: dict[str, list[Record]] = {}
    for record in records:
        by_writer.setdefault(writer_of(record), []).append(record)
    return [record for writer in sorted(by_writer) for record in by_writer[writer][:25]]


def test_the_corpus_has_ten_writers_and_four_registers(records: list[Record]) -> None:
    assert len(records) >= 6000
    assert {writer_of(r) for r in records} == {w for group in WRITER_FOLDS for w in group}
    assert {r.register for r in records} == set(REGISTERS)
    for record in records:  # unsolicited advice is advice (with permission asked, it is not)
        assert record.labels["advice"] or not record.labels["unsolicited_advice"], record.id


@pytest.mark.parametrize("scheme", SCHEMES)
def test_every_record_is_tested_exactly_once(records: list[Record], scheme: str) -> None:
    tested = Counter(i for fold in folds(records, scheme) for i in fold)
    assert set(tested) == set(range(len(records)))
    assert set(tested.values()) == {1}


def test_leaving_writers_out_never_trains_on_a_test_writer(records: list[Record]) -> None:
    for fold in folds(records, "leave-writers-out"):
        test_writers = {writer_of(records[i]) for i in fold}
        held_out = set(fold)
        train_writers = {writer_of(r) for i, r in enumerate(records) if i not in held_out}
        assert test_writers and not test_writers & train_writers


def test_leaving_a_register_out_never_trains_on_it(records: list[Record]) -> None:
    for fold in folds(records, "leave-register-out"):
        registers = {records[i].register for i in fold}
        assert len(registers) == 1
        held_out = set(fold)
        assert not registers & {r.register for i, r in enumerate(records) if i not in held_out}


def test_an_unknown_scheme_is_named(records: list[Record]) -> None:
    with pytest.raises(ValueError, match="leave-writers-out"):
        folds(records, "leave-one-out")


def test_cross_validation_predicts_each_record_with_a_model_that_never_saw_it(
        sample: list[Record]) -> None:
    rows = featurise_all(sample, SHIPPED_VARIANT)
    trained_on: list[set[str]] = []

    def fit(part, variant, part_rows):  # the real training, recording what it saw
        trained_on.append({record.id for record in part})
        return fit_plain(part, variant, part_rows)

    run = cross_validate(sample, SHIPPED_VARIANT, "leave-writers-out", rows, fit)
    assert len(trained_on) == len(WRITER_FOLDS)
    assert all(prediction is not None for prediction in run.predictions)
    for fold, seen in zip(folds(sample, "leave-writers-out"), trained_on, strict=True):
        assert not {sample[i].id for i in fold} & seen
    report = run.report(sample)
    assert report["n"] == len(sample)
    table = side_by_side(sample, {scheme: run for scheme in SCHEMES})
    assert "mechanisms, mean" in table and "advice (F1)" in table


def test_platt_recovers_a_known_calibration() -> None:
    generator = random.Random(3)
    scores = [generator.uniform(-4, 4) for _ in range(4000)]
    targets = [generator.random() < 1 / (1 + math.exp(-(0.5 * s - 1))) for s in scores]
    a, b = calibration.platt(scores, targets)
    assert a == pytest.approx(0.5, abs=0.1)
    assert b == pytest.approx(-1, abs=0.15)


def test_a_gate_is_chosen_when_flags_without_a_cue_are_mostly_wrong() -> None:
    # With a cue the flag is right at 0.3 and above; without one only at 0.9 and above.
    gold, probabilities, cues = [], [], []
    for step in range(100):
        p = step / 100
        gold += [p >= 0.3, p >= 0.9]
        probabilities += [p, p]
        cues += [True, False]
    threshold, gate = calibration._flag_decision(gold, probabilities, cues)
    assert threshold == pytest.approx(0.3)
    assert gate == pytest.approx(0.9)


def test_applying_a_calibration_scales_the_score() -> None:
    artefact = {"heads": {"advice": {"bias": 0.5, "weights": {"x": 2.0, "y": -1.0},
                                     "threshold": 0.5, "gate": 0.7}}}
    learnt = {"scheme": "leave-writers-out", "platt": {"advice": (0.5, -1.0)},
              "thresholds": {"advice": 0.42}, "gates": {"advice": 0.8}, "hedge_below": 0.75}
    head = calibration.apply(artefact, learnt)["heads"]["advice"]
    # sigmoid(a·(0.5 + 2x − y) + b) for x = 1, y = 3: a·(-0.5) + b = -1.25
    assert head["bias"] + head["weights"]["x"] + 3 * head["weights"]["y"] == pytest.approx(-1.25)
    assert (head["threshold"], head["gate"]) == (0.42, 0.8)
    assert artefact["calibration"]["hedge_below"] == 0.75


def _artefact(**heads: dict) -> dict:
    """A hand-made model: every head constant (bias only) unless given."""
    names = [m + s for m in MECHANISMS for s in (">=1", ">=2")] + [*FLAGS, "asked_for_advice"]
    base = {name: {"bias": -8.0, "weights": {}, "threshold": 0.5} for name in names}
    base.update(heads)
    return {"format": 1, "groups": ["cues"], "heads": base,
            "calibration": {"hedge_below": 0.75}}


def test_each_mechanism_level_uses_its_own_thresholds() -> None:
    logit = math.log(0.6 / 0.4)  # probability 0.6
    model = Model.from_dict(_artefact(**{
        "explorations>=1": {"bias": logit, "weights": {}, "threshold": 0.55},
        "explorations>=2": {"bias": logit, "weights": {}, "threshold": 0.65},
        "interpretations>=1": {"bias": logit, "weights": {}, "threshold": 0.65},
        "interpretations>=2": {"bias": logit, "weights": {}, "threshold": 0.3}}))
    prediction = model.decide({}, {})
    assert prediction.levels == {"emotional_reactions": 0, "interpretations": 0,
                                 "explorations": 1}


def test_an_unsure_flag_is_worded_as_a_possibility() -> None:
    from haven.coach.engine.analysis import analyse
    from haven.coach.engine.feedback import EXPLANATIONS, HEDGED

    draft = "Honestly you should have told him straight away, why didn't you?"

    def judgement_finding(probability: float):
        logit = math.log(probability / (1 - probability))
        model = Model.from_dict(_artefact(judgement={"bias": logit, "weights": {},
                                                     "threshold": 0.3, "gate": 0.0}))
        analysis = analyse(draft, "He shouted at me in the meeting.", model=model)
        assert analysis.judgement
        return next(f for f in analysis.findings if f.kind == "judgement")

    assert judgement_finding(0.5).explanation == HEDGED["judgement"]
    assert judgement_finding(0.9).explanation == EXPLANATIONS[("judgement", 1)]


def test_the_shipped_model_is_calibrated_on_writers_it_never_saw() -> None:
    from haven.coach.engine.model import ARTEFACT_PATH

    artefact = json.loads(Path(ARTEFACT_PATH).read_text(encoding="utf-8"))
    assert artefact["calibration"]["scheme"] == "leave-writers-out"
    for name, head in artefact["heads"].items():
        assert 0.2 <= head["threshold"] <= 0.8, name
