"""The shipped model: linear heads over the coach's features, read once from
haven/coach/data/model.json. Pure Python at run time: no numpy, nothing downloaded."""

from __future__ import annotations

import hashlib
import json
import math
import threading
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from haven.coach.engine.cues import CueMatch
from haven.coach.engine.features import featurise, seeker_features

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
ARTEFACT_PATH = DATA_DIR / "model.json"
FORMAT = 1
MECHANISMS = ("emotional_reactions", "interpretations", "explorations")
FLAGS = ("advice", "judgement", "minimising", "self_focus", "secrecy_promise")
# The source files whose behaviour the shipped weights depend on.
FEATURE_SOURCES = ("text.py", "lexicon.py", "cues.py", "features.py")


class ArtefactError(RuntimeError):
    """The shipped model is missing or does not fit this code."""


@dataclass(frozen=True)
class Head:
    """One logistic regression: P(label) = sigmoid(bias + w · x)."""

    bias: float
    weights: dict[str, float]
    threshold: float = 0.5
    # Risk flags only: without a cue of the flag's own kind in the reply, the probability must
    # reach this instead. Evidence in the words, or a confident model: fewer false alarms on
    # writing unlike the corpus (docs/coach.md).
    gate: float = 0.0

    def score(self, features: dict[str, float]) -> float:
        weights = self.weights
        return self.bias + sum([weights.get(name, 0.0) * value
                                for name, value in features.items()])

    def probability(self, features: dict[str, float]) -> float:
        return _sigmoid(self.score(features))


@dataclass(frozen=True)
class Prediction:
    levels: dict[str, int]
    flags: dict[str, bool]
    asked_for_advice: bool
    probabilities: dict[str, float]


@dataclass(frozen=True)
class Model:
    groups: tuple[str, ...]
    heads: dict[str, Head]
    meta: dict[str, Any]
    vocabulary: frozenset[str] = frozenset()  # every feature some head weighs

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Model:
        if data.get("format") != FORMAT:
            raise ArtefactError(f"model format {data.get('format')!r}, this code reads {FORMAT}")
        heads = {name: Head(float(head["bias"]), {k: float(v) for k, v in head["weights"].items()},
                            float(head.get("threshold", 0.5)), float(head.get("gate", 0.0)))
                 for name, head in data["heads"].items()}
        meta = {key: value for key, value in data.items() if key != "heads"}
        vocabulary = frozenset(name for head in heads.values() for name in head.weights)
        return cls(tuple(data["groups"]), heads, meta, vocabulary)

    @property
    def hedge_below(self) -> float:
        """A raised flag under this calibrated probability is worded as a possibility."""
        return float(self.meta.get("calibration", {}).get("hedge_below", 0.0))

    def features(self, response: str, seeker: str,
                 cues: list[CueMatch] | None = None) -> dict[str, float]:
        """The reply's features that the model weighs (the rest could only cost time)."""
        vocabulary = self.vocabulary
        return {name: value for name, value in
                featurise(response, seeker, self.groups, cues).items()
                if name in vocabulary or name.startswith("ck:") or name.startswith("c:")}

    def predict(self, response: str, seeker: str = "", cues: list[CueMatch] | None = None,
                extra: dict[str, float] | None = None) -> Prediction:
        """Levels and flags for RESPONSE; EXTRA adds features computed elsewhere (the
        sentence-embedding variants of the model comparison)."""
        features = self.features(response, seeker, cues)
        if extra:
            features.update(extra)
        return self.decide(features, seeker_features(seeker))

    def decide(self, features: dict[str, float], seeker: dict[str, float]) -> Prediction:
        """Levels and flags from already computed reply and message features."""
        probabilities: dict[str, float] = {}
        levels: dict[str, int] = {}
        for mechanism in MECHANISMS:
            weak_head, strong_head = self.heads[mechanism + ">=1"], self.heads[mechanism + ">=2"]
            weak = weak_head.probability(features)
            strong = min(weak, strong_head.probability(features))
            probabilities[mechanism + ">=1"], probabilities[mechanism + ">=2"] = weak, strong
            # Each cumulative head at its own threshold (chosen on writers the model never saw).
            levels[mechanism] = (0 if weak < weak_head.threshold else
                                 2 if strong >= strong_head.threshold else 1)
        flags: dict[str, bool] = {}
        for flag in FLAGS:
            head = self.heads[flag]
            probabilities[flag] = head.probability(features)
            flags[flag] = probabilities[flag] >= head.threshold
            if flags[flag] and "ck:" + flag not in features:
                flags[flag] = probabilities[flag] >= max(head.threshold, head.gate)
        if "c:secrecy_limited" in features and "c:secrecy_unlimited" not in features:
            # Every promise of confidentiality in the reply states its limits ("… unless
            # someone's safety is at risk"): an honest promise, never this flag.
            flags["secrecy_promise"] = False
        asked_head = self.heads["asked_for_advice"]
        probabilities["asked_for_advice"] = asked_head.probability(seeker)
        asked = probabilities["asked_for_advice"] >= asked_head.threshold
        flags["unsolicited_advice"] = flags["advice"] and not asked
        return Prediction(levels, flags, asked, probabilities)


def _sigmoid(value: float) -> float:
    if value >= 0:
        return 1.0 / (1.0 + math.exp(-value))
    exponent = math.exp(value)
    return exponent / (1.0 + exponent)


def features_digest() -> str:
    """What the shipped weights were trained against: the feature code, hashed."""
    digest = hashlib.sha256()
    here = Path(__file__).resolve().parent
    for name in FEATURE_SOURCES:
        digest.update(name.encode())
        digest.update((here / name).read_bytes())
    return digest.hexdigest()


_lock = threading.Lock()


@cache
def _load(path: Path) -> Model:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise ArtefactError(f"no coach model at {path}; run `haven coach train`") from error
    return Model.from_dict(data)


def shipped_model(path: Path | None = None) -> Model:
    """The shipped model, read on first use and kept (thread-safe)."""
    with _lock:
        return _load(path or ARTEFACT_PATH)
