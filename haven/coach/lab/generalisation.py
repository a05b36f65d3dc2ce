"""How the coach generalises: cross-validation on the version-2 corpus by writer and by register.

In-split: records shuffled into five folds, so every writer and register is seen in training —
what a model scores on writing like its own. Out-of-split: *leave writers out* (five folds of
two writers each: the test writers' people, voices and habits never seen in training) and
*leave register out* (train on three of chat, forum, SMS and long replies, test on the fourth).
Model selection and thresholds use only the out-of-split folds (docs/coach.md)."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from haven.coach.engine.features import featurise, seeker_features
from haven.coach.engine.model import Model, Prediction
from haven.coach.lab.agreement import gold_records
from haven.coach.lab.evaluation import evaluate
from haven.coach.lab.training import Record, Variant, record_from_dict, train

CORPUS_V2_DIR = Path(__file__).resolve().parent.parent / "data" / "corpus-v2"
IN_SPLIT_FOLDS = 5
WRITER_FOLDS = (("w1", "w6"), ("w2", "w7"), ("w3", "w8"), ("w4", "w9"), ("w5", "w10"))
REGISTERS = ("chat", "forum", "sms", "long")
SCHEMES = ("in-split", "leave-writers-out", "leave-register-out")

# Features of one record: the reply's and the colleague's message's.
Rows = list[tuple[dict[str, float], dict[str, float]]]
ExtraRows = Callable[[Sequence[Record]], list[dict[str, float]]]


def load_v2(corpus: Path = CORPUS_V2_DIR) -> list[Record]:
    """The adjudicated version-2 records (agreed labels plus decisions), writer and register
    kept; records with an undecided dispute are left out."""
    records, _ = gold_records(corpus, split="train")
    return [record_from_dict(data) for data in records]


def writer_of(record: Record) -> str:
    return record.id.split("-", 1)[0]


def folds(records: Sequence[Record], scheme: str) -> list[list[int]]:
    """The test indices of each fold under SCHEME (the rest of the records train)."""
    if scheme == "in-split":
        order = list(range(len(records)))
        random.Random(12).shuffle(order)  # noqa: S311 (a fixed, reproducible fold split)
        return [sorted(order[k::IN_SPLIT_FOLDS]) for k in range(IN_SPLIT_FOLDS)]
    if scheme == "leave-writers-out":
        return [[i for i, r in enumerate(records) if writer_of(r) in group]
                for group in WRITER_FOLDS]
    if scheme == "leave-register-out":
        return [[i for i, r in enumerate(records) if r.register == register]
                for register in REGISTERS]
    raise ValueError(f"unknown scheme {scheme!r}; one of {', '.join(SCHEMES)}")


@dataclass
class CrossValidation:
    """Out-of-fold predictions of one variant under one scheme."""

    scheme: str
    predictions: list[Prediction | None]

    def report(self, records: Sequence[Record],
               thresholds: dict[str, float] | None = None) -> dict[str, Any]:
        gold, predicted = [], []
        for record, prediction in zip(records, self.predictions, strict=True):
            if prediction is not None:
                gold.append(record.labels)
                predicted.append(labels_at(prediction, thresholds or {}))
        return evaluate(gold, predicted)


def labels_at(prediction: Prediction, thresholds: dict[str, float]) -> dict[str, Any]:
    """The prediction's labels, with flags re-decided at THRESHOLDS where given."""
    flags = dict(prediction.flags)
    for flag, threshold in thresholds.items():
        flags[flag] = prediction.probabilities[flag] >= threshold
    flags["unsolicited_advice"] = flags["advice"] and not prediction.asked_for_advice
    return {**prediction.levels, **flags}


def featurise_all(records: Sequence[Record], variant: Variant,
                  extra: list[dict[str, float]] | None = None) -> Rows:
    rows: Rows = []
    for index, record in enumerate(records):
        features = featurise(record.response, record.seeker, variant.groups)
        if extra is not None:
            features.update(extra[index])
        rows.append((features, seeker_features(record.seeker)))
    return rows


# Fits an artefact on (records, variant, their rows): plain training, or the shipped pipeline
# (calibration.fit_calibrated), so that what is measured is what would ship.
Fit = Callable[[Sequence[Record], Variant, Rows], dict[str, Any]]


def fit_plain(records: Sequence[Record], variant: Variant, rows: Rows) -> dict[str, Any]:
    return train(records, variant, rows=[row[0] for row in rows])


def cross_validate(records: Sequence[Record], variant: Variant, scheme: str, rows: Rows,
                   fit: Fit = fit_plain) -> CrossValidation:
    predictions: list[Prediction | None] = [None] * len(records)
    for test in folds(records, scheme):
        if not test or len(test) == len(records):
            continue  # a writer or register absent from RECORDS: no fold
        held_out = set(test)
        training = [i for i in range(len(records)) if i not in held_out]
        model = Model.from_dict(fit([records[i] for i in training], variant,
                                    [rows[i] for i in training]))
        for i in test:
            predictions[i] = model.decide(*rows[i])
    return CrossValidation(scheme, predictions)


def selection_score(report: dict[str, Any]) -> float:
    """What model selection maximises: the overall macro F1 (three mechanisms' level macro F1
    and the six flags)."""
    return float(report["overall_macro_f1"])


def choose(records: Sequence[Record], variant: Variant, rows: Rows,
           grid: Sequence[dict[str, Any]]) -> tuple[Variant, dict[str, CrossValidation]]:
    """The setting from GRID with the best mean out-of-split score, and its cross-validations
    under every scheme."""
    best: tuple[float, Variant, dict[str, CrossValidation]] | None = None
    for setting in grid:
        candidate = replace(variant, **setting)
        runs = {scheme: cross_validate(records, candidate, scheme, rows)
                for scheme in SCHEMES[1:]}
        value = sum(selection_score(run.report(records)) for run in runs.values()) / len(runs)
        if best is None or value > best[0] + 1e-9:
            best = (value, candidate, runs)
    assert best is not None
    chosen, runs = best[1], best[2]
    runs["in-split"] = cross_validate(records, chosen, "in-split", rows)
    return chosen, runs
