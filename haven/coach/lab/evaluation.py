"""Precision, recall and F1 per label, the way `haven coach evaluate` reports them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from haven.coach.engine.model import MECHANISMS

FLAG_LABELS = ("advice", "unsolicited_advice", "judgement", "minimising", "self_focus",
               "secrecy_promise")


@dataclass(frozen=True)
class Score:
    precision: float
    recall: float
    f1: float
    support: int  # gold positives
    predicted: int

    def row(self) -> str:
        return (f"{self.precision:6.3f} {self.recall:6.3f} {self.f1:6.3f} "
                f"{self.support:7d} {self.predicted:9d}")


def score(gold: Sequence[bool], predicted: Sequence[bool]) -> Score:
    true_positive = sum(g and p for g, p in zip(gold, predicted, strict=True))
    predicted_count = sum(predicted)
    support = sum(gold)
    precision = true_positive / predicted_count if predicted_count else 0.0
    recall = true_positive / support if support else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    if not support and not predicted_count:
        precision = recall = f1 = 1.0  # nothing to find and nothing claimed
    return Score(precision, recall, f1, support, predicted_count)


def evaluate(gold: Sequence[dict[str, Any]], predicted: Sequence[dict[str, Any]]
             ) -> dict[str, Any]:
    """Scores per label. GOLD and PREDICTED are label dicts (the contract's label fields)."""
    report: dict[str, Any] = {"n": len(gold), "mechanisms": {}, "flags": {}}
    macro_parts: list[float] = []
    for mechanism in MECHANISMS:
        gold_levels = [g[mechanism] for g in gold]
        predicted_levels = [p[mechanism] for p in predicted]
        per_level = {level: score([g == level for g in gold_levels],
                                  [p == level for p in predicted_levels]) for level in (0, 1, 2)}
        binary = score([g >= 1 for g in gold_levels], [p >= 1 for p in predicted_levels])
        accuracy = sum(g == p for g, p in zip(gold_levels, predicted_levels, strict=True))
        macro = sum(s.f1 for s in per_level.values()) / 3
        report["mechanisms"][mechanism] = {
            "levels": per_level, "binary": binary, "macro_f1": macro,
            "accuracy": accuracy / len(gold) if gold else 0.0,
            "within_one": sum(abs(g - p) <= 1 for g, p in zip(gold_levels, predicted_levels,
                                                              strict=True)) / max(1, len(gold)),
        }
        macro_parts.append(macro)
    for flag in FLAG_LABELS:
        result = score([g[flag] for g in gold], [p[flag] for p in predicted])
        report["flags"][flag] = result
        macro_parts.append(result.f1)
    report["overall_macro_f1"] = sum(macro_parts) / len(macro_parts)
    report["exact_match"] = sum(
        all(g[label] == p[label] for label in (*MECHANISMS, *FLAG_LABELS))
        for g, p in zip(gold, predicted, strict=True)) / max(1, len(gold))
    return report


def span_scores(gold_spans: Sequence[Sequence[tuple[str, int, int]]],
                predicted_spans: Sequence[Sequence[tuple[str, int, int]]]) -> dict[str, float]:
    """How well findings point at the annotated words, over labels both sides found.

    hit rate: share of gold spans that a predicted span of the same kind overlaps;
    precision: share of predicted spans that overlap a gold span of the same kind;
    character F1: overlap of the character sets, per kind and record, averaged."""
    hits = total = predicted_hits = predicted_total = 0
    f1s: list[float] = []
    for gold, predicted in zip(gold_spans, predicted_spans, strict=True):
        kinds = {kind for kind, _, _ in gold} & {kind for kind, _, _ in predicted}
        for kind in kinds:
            gold_kind = [(s, e) for k, s, e in gold if k == kind]
            predicted_kind = [(s, e) for k, s, e in predicted if k == kind]
            for start, end in gold_kind:
                total += 1
                hits += any(s < end and start < e for s, e in predicted_kind)
            for start, end in predicted_kind:
                predicted_total += 1
                predicted_hits += any(s < end and start < e for s, e in gold_kind)
            gold_chars = {i for s, e in gold_kind for i in range(s, e)}
            predicted_chars = {i for s, e in predicted_kind for i in range(s, e)}
            common = len(gold_chars & predicted_chars)
            if gold_chars and predicted_chars and common:
                precision = common / len(predicted_chars)
                recall = common / len(gold_chars)
                f1s.append(2 * precision * recall / (precision + recall))
            else:
                f1s.append(0.0)
    return {"hit_rate": hits / total if total else 0.0,
            "precision": predicted_hits / predicted_total if predicted_total else 0.0,
            "char_f1": sum(f1s) / len(f1s) if f1s else 0.0, "pairs": float(len(f1s))}


def format_report(report: dict[str, Any], spans: dict[str, float] | None = None) -> str:
    lines = [f"records: {report['n']}", "",
             f"{'label':38} {'prec':>6} {'recall':>6} {'F1':>6} {'support':>7} {'predicted':>9}"]
    for mechanism, result in report["mechanisms"].items():
        for level, level_score in result["levels"].items():
            lines.append(f"{mechanism + ' = ' + str(level):38} {level_score.row()}")
        lines.append(f"{mechanism + ' >= 1 (binarised)':38} {result['binary'].row()}")
        lines.append(f"{mechanism + ' exact accuracy':38} {result['accuracy']:6.3f}   "
                     f"(macro F1 over levels {result['macro_f1']:.3f}, "
                     f"within one level {result['within_one']:.3f})")
    for flag, flag_score in report["flags"].items():
        lines.append(f"{flag:38} {flag_score.row()}")
    lines += ["", f"overall macro F1 (3 mechanisms' level macro F1 + 6 flags): "
                  f"{report['overall_macro_f1']:.3f}",
              f"all nine labels exactly right: {report['exact_match']:.3f}"]
    if spans:
        lines.append(f"spans (labels found on both sides, {int(spans['pairs'])} pairs): "
                     f"gold spans hit {spans['hit_rate']:.3f}, findings on a gold span "
                     f"{spans['precision']:.3f}, character F1 {spans['char_f1']:.3f}")
    return "\n".join(lines)
