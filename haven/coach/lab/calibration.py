"""Calibrated probabilities and decision thresholds, learnt only from out-of-split predictions.

The shipped model is trained on every version-2 record; before that, the same variant is
cross-validated leaving writers out, and those out-of-fold predictions (of writers each fold
never saw) decide three things per head:
- a Platt scaling of its score (probability = sigmoid(a·score + b)), folded into the head's
  weights, so a probability of 0.8 means right about four times in five on unseen writers;
- the threshold at which a flag is raised, and the two thresholds that grade a mechanism;
- nothing else: the register folds stay untouched by these choices (docs/coach.md)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from haven.coach.engine.model import FLAGS, MECHANISMS
from haven.coach.lab.evaluation import score
from haven.coach.lab.generalisation import CrossValidation, Rows, cross_validate, fit_plain
from haven.coach.lab.training import WEIGHT_FLOOR, Record, Variant, head_targets

CALIBRATION_SCHEME = "leave-writers-out"
THRESHOLDS = tuple(round(0.2 + 0.02 * step, 2) for step in range(31))  # 0.20 … 0.80
GATES = (0.0, 0.6, 0.7, 0.8, 0.9)
# A raised flag whose calibrated probability is under this is worded as a possibility ("This
# may …"): the coach is right about such findings less than three times in four.
HEDGE_BELOW = 0.75


def _logit(probability: float) -> float:
    probability = min(max(probability, 1e-6), 1 - 1e-6)
    return math.log(probability / (1 - probability))


def platt(scores: Sequence[float], targets: Sequence[bool]) -> tuple[float, float]:
    """(a, b) so that sigmoid(a·score + b) is calibrated on these out-of-fold scores."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    if len(set(targets)) < 2:
        return 1.0, 0.0
    fitted = LogisticRegression(C=1e4, solver="lbfgs").fit(
        np.array(scores, dtype=float).reshape(-1, 1), np.array(targets, dtype=int))
    return float(fitted.coef_[0][0]), float(fitted.intercept_[0])


def _sigmoid(value: float) -> float:
    return 1 / (1 + math.exp(-value)) if value >= 0 else math.exp(value) / (1 + math.exp(value))


def learn(records: Sequence[Record], rows: Rows, run: CrossValidation) -> dict[str, Any]:
    """Per head: Platt (a, b), and the thresholds (and flag gates) that maximise F1 (flags) or
    the level macro F1 (mechanisms) on RUN's out-of-fold predictions."""
    predictions = [p for p in run.predictions if p is not None]
    assert len(predictions) == len(records), "one out-of-fold prediction per record"
    targets = [head_targets(record) for record in records]
    targets_asked = [record.asked_for_advice for record in records]
    heads = [*(m + suffix for m in MECHANISMS for suffix in (">=1", ">=2")), *FLAGS,
             "asked_for_advice"]
    calibration: dict[str, tuple[float, float]] = {}
    calibrated: dict[str, list[float]] = {}
    for head in heads:
        scores = [_logit(p.probabilities[head]) for p in predictions]
        gold = targets_asked if head == "asked_for_advice" else [t[head] for t in targets]
        a, b = platt(scores, gold)
        calibration[head] = (a, b)
        calibrated[head] = [_sigmoid(a * s + b) for s in scores]
    thresholds: dict[str, float] = {}
    gates: dict[str, float] = {}
    for flag in FLAGS:
        has_cue = ["ck:" + flag in row[0] for row in rows]
        thresholds[flag], gates[flag] = _flag_decision(
            [t[flag] for t in targets], calibrated[flag], has_cue)
    thresholds["asked_for_advice"] = max(
        THRESHOLDS, key=lambda t: (score(targets_asked, [p >= t for p in
                                                         calibrated["asked_for_advice"]]).f1,
                                   -abs(t - 0.5)))
    for mechanism in MECHANISMS:
        gold_levels = [record.labels[mechanism] for record in records]
        weak, strong = calibrated[mechanism + ">=1"], calibrated[mechanism + ">=2"]

        def macro(t1: float, t2: float, gold_levels: list[int] = gold_levels,
                  weak: list[float] = weak, strong: list[float] = strong) -> float:
            levels = [2 if s >= t2 and w >= t1 else 1 if w >= t1 else 0
                      for w, s in zip(weak, strong, strict=True)]
            return sum(score([g == level for g in gold_levels],
                             [p == level for p in levels]).f1 for level in (0, 1, 2)) / 3

        best_pair = max((macro(t1, t2), -abs(t1 - 0.5) - abs(t2 - 0.5), t1, t2)
                        for t1 in THRESHOLDS[::2] for t2 in THRESHOLDS[::2])
        thresholds[mechanism + ">=1"], thresholds[mechanism + ">=2"] = best_pair[2], best_pair[3]
    return {"scheme": run.scheme, "platt": calibration, "thresholds": thresholds,
            "gates": gates, "hedge_below": HEDGE_BELOW}


def _flag_decision(gold: list[bool], probabilities: list[float], has_cue: list[bool]
                   ) -> tuple[float, float]:
    """The (threshold, gate) with the best F1: a flag is raised at the threshold when a cue of
    its kind is in the reply, and only at the gate (if higher) when none is. Ties go to the
    threshold nearest 0.5."""
    def f1(threshold: float, gate: float) -> float:
        return score(gold, [p >= (threshold if cue else max(threshold, gate))
                            for p, cue in zip(probabilities, has_cue, strict=True)]).f1

    best = max((f1(t, g), -abs(t - 0.5), t, g) for t in THRESHOLDS for g in GATES)
    return best[2], best[3]


def apply(artefact: dict[str, Any], learnt: dict[str, Any]) -> dict[str, Any]:
    """ARTEFACT with each head's weights scaled by its Platt (a, b) and its threshold set."""
    for name, head in artefact["heads"].items():
        a, b = learnt["platt"].get(name, (1.0, 0.0))
        head["bias"] = round(head["bias"] * a + b, 5)
        head["weights"] = {feature: round(weight * a, 5)
                           for feature, weight in head["weights"].items()
                           if abs(weight * a) >= WEIGHT_FLOOR}
        head["threshold"] = learnt["thresholds"].get(name, 0.5)
        if name in learnt["gates"]:
            head["gate"] = learnt["gates"][name]
    artefact["calibration"] = {"scheme": learnt["scheme"], "hedge_below": learnt["hedge_below"]}
    return artefact


def learn_from(records: Sequence[Record], variant: Variant, rows: Rows) -> dict[str, Any]:
    """What `learn` takes from RECORDS cross-validated under CALIBRATION_SCHEME."""
    run = cross_validate(records, variant, CALIBRATION_SCHEME, rows)
    kept = [i for i, prediction in enumerate(run.predictions) if prediction is not None]
    return learn([records[i] for i in kept], [rows[i] for i in kept],
                 CrossValidation(run.scheme, [run.predictions[i] for i in kept]))


def fit_calibrated(records: Sequence[Record], variant: Variant, rows: Rows) -> dict[str, Any]:
    """The artefact `haven coach train` ships: calibrated and thresholded on the out-of-fold
    predictions of CALIBRATION_SCHEME within RECORDS, then trained on all of RECORDS."""
    return apply(fit_plain(records, variant, rows), learn_from(records, variant, rows))
