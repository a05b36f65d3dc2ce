"""Training and evaluation on labelled records (corpus version 2, haven/coach/data/corpus-v2).

Training needs scikit-learn (in the dev extras, or `pip install -e .[coach-train]`); the
trained weights are written as plain JSON that haven.coach.engine.model reads without it."""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from haven.coach.engine.features import DEFAULT_GROUPS, FEATURES_VERSION, featurise, seeker_features
from haven.coach.engine.model import FLAGS, FORMAT, MECHANISMS, features_digest

LABELS = (*MECHANISMS, "advice", "unsolicited_advice", "judgement", "minimising", "self_focus",
          "secrecy_promise")
SPLITS = ("train", "dev", "test")
# Regularisation strength (scikit-learn's C, the inverse) when a variant names none; the
# shipped variant's C was chosen out of split (docs/coach.md).
DEFAULT_C = 1.0
# A risk flag with no cue of its kind in the reply needs this probability; the shipped model's
# gates are then chosen per flag on unseen writers (calibration.py).
FLAG_GATE = 0.7
MIN_DF = 3  # an n-gram seen in one or two training replies only is noise
WEIGHT_FLOOR = 0.005  # smaller weights are dropped: they change no decision, only the size


@dataclass(frozen=True)
class Record:
    id: str
    seeker: str
    response: str
    labels: dict[str, Any]
    asked_for_advice: bool
    spans: tuple[tuple[str, str], ...]
    split: str
    situation: str = ""
    register: str = ""


@dataclass
class Variant:
    """A model configuration compared in docs/coach.md."""

    name: str
    groups: tuple[str, ...] = DEFAULT_GROUPS
    c: float = DEFAULT_C
    class_weight: str | None = None
    c_per_head: dict[str, float] = field(default_factory=dict)
    flag_gate: float = FLAG_GATE


def load_corpus(directory: Path, *, strict: bool = False) -> list[Record]:
    """Every well-formed record of a labelled JSON Lines file (or of every *.jsonl file in a
    directory), in file and line order: e.g. `haven coach gold`'s output."""
    records: list[Record] = []
    seen: set[str] = set()
    paths = [directory] if directory.is_file() else sorted(directory.glob("*.jsonl"))
    for path in paths:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                record = record_from_dict(json.loads(line))
            except (ValueError, KeyError, TypeError) as error:
                message = f"{path.name}:{number}: skipped ({error})"
                if strict:
                    raise ValueError(message) from error
                print(message, file=sys.stderr)
                continue
            if record.id in seen:
                print(f"{path.name}:{number}: duplicate id {record.id}, skipped", file=sys.stderr)
                continue
            seen.add(record.id)
            records.append(record)
    return records


def record_from_dict(data: dict[str, Any]) -> Record:
    labels: dict[str, Any] = {}
    for mechanism in MECHANISMS:
        level = data[mechanism]
        if level not in (0, 1, 2) or isinstance(level, bool):
            raise ValueError(f"{mechanism} is {level!r}")
        labels[mechanism] = level
    for flag in (*FLAGS, "unsolicited_advice"):
        if not isinstance(data[flag], bool):
            raise ValueError(f"{flag} is {data[flag]!r}")
        labels[flag] = data[flag]
    if data["split"] not in SPLITS:
        raise ValueError(f"split is {data['split']!r}")
    if not isinstance(data["response"], str) or not isinstance(data.get("seeker", ""), str):
        raise ValueError("seeker and response must be strings")
    spans = tuple((span["kind"], span["text"]) for span in data.get("spans", []))
    return Record(str(data["id"]), data.get("seeker") or "", data["response"], labels,
                  bool(data.get("asked_for_advice", False)), spans, data["split"],
                  str(data.get("situation", "")), str(data.get("register", "")))


def corpus_digest(records: Iterable[Record]) -> str:
    """A hash of the records a model was trained on, independent of file layout."""
    digest = hashlib.sha256()
    for record in sorted(records, key=lambda r: r.id):
        digest.update(json.dumps([record.id, record.seeker, record.response, record.labels,
                                  record.asked_for_advice, record.split],
                                 sort_keys=True).encode())
    return digest.hexdigest()


def split(records: Sequence[Record], *names: str) -> list[Record]:
    return [record for record in records if record.split in names]


# Training --------------------------------------------------------------------------------------

def head_targets(record: Record) -> dict[str, bool]:
    targets: dict[str, bool] = {}
    for mechanism in MECHANISMS:
        targets[mechanism + ">=1"] = record.labels[mechanism] >= 1
        targets[mechanism + ">=2"] = record.labels[mechanism] >= 2
    for flag in FLAGS:
        targets[flag] = record.labels[flag]
    return targets


def train(records: Sequence[Record], variant: Variant | None = None,
          extra_rows: Sequence[dict[str, float]] | None = None,
          rows: Sequence[dict[str, float]] | None = None) -> dict[str, Any]:
    """Fit every head on RECORDS; the JSON-ready artefact. Deterministic for given records.
    EXTRA_ROWS adds features per record (the sentence-embedding variants); ROWS are the
    records' features when already computed."""
    variant = variant or Variant("default")
    if rows is None:
        rows = [featurise(r.response, r.seeker, variant.groups) for r in records]
    if extra_rows is not None:
        rows = [{**row, **extra} for row, extra in zip(rows, extra_rows, strict=True)]
    heads: dict[str, Any] = {}
    targets = [head_targets(record) for record in records]
    matrix, names = _matrix(rows)
    for name in targets[0]:
        heads[name] = _fit_head(matrix, names, [t[name] for t in targets],
                                variant.c_per_head.get(name, variant.c), variant.class_weight)
    for flag in FLAGS:
        heads[flag]["gate"] = variant.flag_gate
    seeker_matrix, seeker_names = _matrix([seeker_features(r.seeker) for r in records])
    heads["asked_for_advice"] = _fit_head(seeker_matrix, seeker_names,
                                          [r.asked_for_advice for r in records],
                                          variant.c_per_head.get("asked_for_advice", variant.c),
                                          variant.class_weight)
    return {
        "format": FORMAT,
        "features_version": FEATURES_VERSION,
        "features_sha256": features_digest(),
        "corpus_sha256": corpus_digest(records),
        "trained_on": sorted({r.split for r in records}),
        "records": len(records),
        "variant": variant.name,
        "groups": list(variant.groups),
        "heads": heads,
    }


def _matrix(rows: Sequence[dict[str, float]]) -> tuple[Any, list[str]]:
    """The rows as a sparse matrix over the features seen in at least MIN_DF rows."""
    from sklearn.feature_extraction import DictVectorizer

    document_frequency: dict[str, int] = {}
    for row in rows:
        for name in row:
            document_frequency[name] = document_frequency.get(name, 0) + 1
    kept = [{k: v for k, v in row.items() if document_frequency[k] >= MIN_DF and k != "bias_"}
            for row in rows]
    vectoriser = DictVectorizer(sort=True)
    matrix = vectoriser.fit_transform(kept)
    return matrix, [str(name) for name in vectoriser.get_feature_names_out()]


def _fit_head(matrix: Any, names: list[str], labels: list[bool], c: float,
              class_weight: str | None) -> dict[str, Any]:
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    target = np.array(labels, dtype=int)
    if target.min() == target.max():  # a label never (or always) seen: a constant head
        bias = 8.0 if target[0] else -8.0
        return {"bias": bias, "threshold": 0.5, "weights": {}}
    # liblinear: fast and deterministic on sparse text features; it wants 32-bit indices.
    matrix = matrix.tocsr(copy=True)
    matrix.indices = matrix.indices.astype(np.int32)
    matrix.indptr = matrix.indptr.astype(np.int32)
    classifier = LogisticRegression(C=c, class_weight=class_weight, solver="liblinear",
                                    max_iter=1000, random_state=0)
    classifier.fit(matrix, target)
    weights = {name: round(float(weight), 5)
               for name, weight in zip(names, classifier.coef_[0], strict=True)
               if abs(weight) >= WEIGHT_FLOOR}
    return {"bias": round(float(classifier.intercept_[0]), 5), "threshold": 0.5,
            "weights": dict(sorted(weights.items()))}


def write_artefact(artefact: dict[str, Any], path: Path) -> None:
    text = json.dumps(artefact, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    path.write_text(text + "\n", encoding="utf-8")


# The configuration `haven coach train` ships; chosen out of split (`haven coach compare`,
# docs/coach.md).
SHIPPED_VARIANT = Variant("lexical", groups=DEFAULT_GROUPS, c=0.3, class_weight="balanced")


# Evaluation ------------------------------------------------------------------------------------

def gold_spans(record: Record) -> list[tuple[str, int, int]]:
    spans = []
    for kind, text in record.spans:
        start = record.response.find(text)
        if start >= 0 and text:
            spans.append((kind, start, start + len(text)))
    return spans


def evaluate_model(model: Any, records: Sequence[Record]) -> tuple[dict[str, Any],
                                                                     dict[str, float]]:
    """Run the whole coach (labels and findings) on RECORDS; the label report and span scores."""
    from haven.coach.engine.analysis import analyse
    from haven.coach.lab.evaluation import evaluate, span_scores

    predicted, predicted_spans = [], []
    for record in records:
        analysis = analyse(record.response, record.seeker, model=model)
        predicted.append(analysis.labels())
        predicted_spans.append([(f.kind, f.start, f.end) for f in analysis.findings])
    report = evaluate([record.labels for record in records], predicted)
    spans = span_scores([gold_spans(record) for record in records], predicted_spans)
    return report, spans
