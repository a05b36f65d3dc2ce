"""The shipped model artefact fits the code and the corpus it claims, stays small, and
training it again gives the same weights."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from haven.coach.engine.features import FEATURES_VERSION
from haven.coach.engine.model import ARTEFACT_PATH, ArtefactError, features_digest, shipped_model
from haven.coach.lab.generalisation import load_v2
from haven.coach.lab.training import SHIPPED_VARIANT, corpus_digest, train

RETRAIN = "run `haven coach train` and commit haven/coach/data/model.json"


def shipped() -> dict:
    return json.loads(ARTEFACT_PATH.read_text(encoding="utf-8"))


def test_the_shipped_model_was_trained_on_this_feature_code() -> None:
    artefact = shipped()
    assert artefact["features_version"] == FEATURES_VERSION, RETRAIN
    assert artefact["features_sha256"] == features_digest(), (
        f"text.py, lexicon.py, cues.py or features.py changed since training: {RETRAIN}")


def test_the_shipped_model_was_trained_on_this_corpus() -> None:
    artefact = shipped()
    records = load_v2()
    assert artefact["records"] == len(records)
    assert artefact["corpus_sha256"] == corpus_digest(records), (
        f"corpus version 2 (its texts or adjudicated labels) changed since training: {RETRAIN}")


def test_the_shipped_model_is_the_shipped_variant_and_small() -> None:
    artefact = shipped()
    assert artefact["variant"] == SHIPPED_VARIANT.name
    assert tuple(artefact["groups"]) == SHIPPED_VARIANT.groups
    assert ARTEFACT_PATH.stat().st_size < 5 * 1024 * 1024


def test_training_is_deterministic() -> None:
    pytest.importorskip("sklearn")
    records = load_v2()[::20]
    first, second = train(records, SHIPPED_VARIANT), train(records, SHIPPED_VARIANT)
    assert json.dumps(first, sort_keys=True) == json.dumps(second, sort_keys=True)
    assert first["corpus_sha256"] == corpus_digest(reversed(records))  # order does not matter


def test_the_model_is_read_once() -> None:
    assert shipped_model() is shipped_model()


def test_a_missing_model_says_how_to_make_one(tmp_path: Path) -> None:
    with pytest.raises(ArtefactError, match="haven coach train"):
        shipped_model(tmp_path / "model.json")
