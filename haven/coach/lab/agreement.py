"""How far two independent labellers agree, label by label (Cohen's kappa): the corpus is
only as good as this figure. `haven coach agreement` prints it for the version-2 corpus:
writers' records in raw/<writer>.jsonl, each labeller's in labels/<writer>.<labeller>.jsonl."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MECHANISMS = ("emotional_reactions", "interpretations", "explorations")
FLAGS = ("advice", "unsolicited_advice", "judgement", "minimising", "self_focus",
         "secrecy_promise", "asked_for_advice")
LABELS = MECHANISMS + FLAGS


def cohen_kappa(first: Sequence[Hashable], second: Sequence[Hashable]) -> float:
    """Agreement beyond chance of two labellers over the same items: 1 perfect, 0 no better
    than chance. Both constant and equal counts as perfect."""
    if len(first) != len(second) or not first:
        raise ValueError("Kappa needs two equally long, non-empty sequences of labels.")
    total = len(first)
    observed = sum(a == b for a, b in zip(first, second, strict=True)) / total
    counts_a, counts_b = Counter(first), Counter(second)
    expected = sum(counts_a[k] * counts_b[k] for k in counts_a) / (total * total)
    if expected == 1.0:
        return 1.0
    return (observed - expected) / (1.0 - expected)


@dataclass(frozen=True)
class Agreement:
    label: str
    items: int
    kappa: float
    raw: float  # share of items both gave the same value


def _read(path: Path) -> dict[str, dict[str, Any]]:
    rows = (json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line)
    return {str(row["id"]): row for row in rows}


def labelled_pairs(corpus: Path) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """(first labeller's record, second's) for every record two labellers labelled."""
    by_writer: dict[str, list[Path]] = {}
    for path in sorted((corpus / "labels").glob("*.*.jsonl")):
        by_writer.setdefault(path.name.split(".")[0], []).append(path)
    pairs = []
    for paths in by_writer.values():
        if len(paths) < 2:
            continue
        first, second = _read(paths[0]), _read(paths[1])
        pairs += [(first[key], second[key]) for key in first if key in second]
    return pairs


def agreement(pairs: Sequence[tuple[dict[str, Any], dict[str, Any]]]) -> list[Agreement]:
    report = []
    for label in LABELS:
        first = [a[label] for a, _b in pairs]
        second = [b[label] for _a, b in pairs]
        same = sum(x == y for x, y in zip(first, second, strict=True))
        report.append(Agreement(label, len(pairs), cohen_kappa(first, second),
                                same / len(pairs)))
    return report


def format_agreement(report: Sequence[Agreement]) -> str:
    lines = [f"{'label':<20} {'items':>6} {'kappa':>6} {'same':>6}"]
    lines += [f"{row.label:<20} {row.items:>6} {row.kappa:>6.2f} {row.raw:>6.2f}"
              for row in report]
    return "\n".join(lines)


def _decisions(corpus: Path) -> dict[str, dict[str, Any]]:
    decided: dict[str, dict[str, Any]] = {}
    for path in sorted((corpus / "adjudication").glob("decisions*.jsonl")):
        for row in _read(path).values():
            decided.setdefault(str(row["id"]), {}).update(row["decided"])
    return decided


def _revisions(corpus: Path) -> dict[str, dict[str, Any]]:
    """Labels decided again after a revision of the guide (e.g. version 2.1's hard calls):
    they replace whatever the labellers or the first adjudication gave."""
    revised: dict[str, dict[str, Any]] = {}
    for path in sorted((corpus / "adjudication").glob("revisions*.jsonl")):
        for row in _read(path).values():
            revised.setdefault(str(row["id"]), {}).update(row["decided"])
    return revised


def gold_records(corpus: Path, *, split: str = "test") -> tuple[list[dict[str, Any]], int]:
    """One label set per double-labelled record, in the version-1 record format that
    `haven coach evaluate|train` read: the labels both labellers gave, the adjudicator's
    decision where they differed, and any label decided again under a revised guide. Returns
    the records and how many were left out because a disputed label has no decision yet."""
    raw: dict[str, dict[str, Any]] = {}
    for path in sorted((corpus / "raw").glob("*.jsonl")):
        raw.update(_read(path))
    decided, revised = _decisions(corpus), _revisions(corpus)
    records, undecided = [], 0
    for first, second in labelled_pairs(corpus):
        key = str(first["id"])
        labels = {label: first[label] for label in LABELS}
        disputed = [label for label in LABELS if first[label] != second[label]]
        if any(label not in decided.get(key, {}) for label in disputed):
            undecided += 1
            continue
        labels.update({label: decided[key][label] for label in disputed})
        labels.update(revised.get(key, {}))
        present = {label for label in LABELS if labels[label] and label != "asked_for_advice"}
        spans = {(str(span["kind"]), str(span["text"]))
                 for labels_of in (first, second) for span in labels_of["spans"]
                 if span["kind"] in present}
        source = raw[key]
        records.append({"id": key, "seeker": source["seeker"], "response": source["response"],
                        **labels, "split": split, "situation": source.get("topic", ""),
                        "register": source.get("register", ""),
                        "spans": [{"kind": kind, "text": text} for kind, text in sorted(spans)]})
    return records, undecided
