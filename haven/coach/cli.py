"""`haven coach score | evaluate | train | compare`. Runs without Django, a database or a
network: `haven coach …` and `python -m haven.coach …` come straight here."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any

from haven.coach.engine.analysis import DraftTooLong, analyse, error_line, to_contract
from haven.coach.engine.model import ARTEFACT_PATH, DATA_DIR, ArtefactError, shipped_model

CORPUS_V2_DIR = DATA_DIR / "corpus-v2"  # docs/coach-annotation.md, version 2

PROG = "haven coach"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=PROG, description="The empathy coach.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    score = commands.add_parser(
        "score", help="analyse JSON Lines from stdin, one result line per input line",
        description="Reads {\"id\", \"seeker\", \"response\"} JSON Lines on stdin and writes one "
                    "result line per input line, in order, on stdout (docs/coach.md).")
    score.add_argument("--model", type=Path, default=None, help=argparse.SUPPRESS)

    evaluate = commands.add_parser(
        "evaluate", help="F1 per label in split and out of split (leave writers out, leave "
                         "register out) on corpus version 2; or the shipped model on a file",
        description="Without --corpus: cross-validates the shipped pipeline (training, "
                    "calibration, thresholds) on corpus version 2 three ways and prints the "
                    "figures side by side (needs scikit-learn; a few minutes). With --corpus "
                    "FILE: the shipped model on that labelled JSON Lines file.")
    evaluate.add_argument("--corpus", type=Path, default=None,
                          help="a labelled JSON Lines file (e.g. from `haven coach gold`)")
    evaluate.add_argument("--model", type=Path, default=None,
                          help="with --corpus: a model artefact (default: the shipped one)")

    train = commands.add_parser(
        "train", help="rebuild the shipped model from corpus version 2 (needs scikit-learn)")
    train.add_argument("--output", type=Path, default=ARTEFACT_PATH)

    compare = commands.add_parser(
        "compare", help="the model comparison of docs/coach.md, out of split (needs "
                        "scikit-learn; the embedding rows need the coach-embeddings extra)")
    compare.add_argument("--embeddings", action="store_true",
                         help="include the sentence-embedding variants")

    agreement = commands.add_parser(
        "agreement", help="Cohen's kappa of the two labellers per label (corpus version 2)")
    agreement.add_argument("--corpus", type=Path, default=CORPUS_V2_DIR,
                           help="directory with raw/ and labels/ (default: the version-2 corpus)")

    gold = commands.add_parser(
        "gold", help="write the version-2 corpus's agreed and adjudicated labels as one file")
    gold.add_argument("--corpus", type=Path, default=CORPUS_V2_DIR)
    gold.add_argument("--output", type=Path, required=True,
                      help="a JSON Lines file `haven coach evaluate --corpus FILE` reads")

    args = parser.parse_args(argv)
    try:
        if args.command == "score":
            return score_stream(sys.stdin.buffer, sys.stdout.buffer, sys.stderr, args.model)
        if args.command == "evaluate":
            return _evaluate(args)
        if args.command == "train":
            return _train(args)
        if args.command == "agreement":
            return _agreement(args)
        if args.command == "gold":
            return _gold(args)
        return _compare(args)
    except ArtefactError as error:
        print(f"{PROG}: {error}", file=sys.stderr)
        return 1
    except ImportError as error:
        print(f"{PROG} {args.command}: needs {error.name or error}; install it with "
              f"`pip install -e '.[coach-train]'`", file=sys.stderr)
        return 1


# score -----------------------------------------------------------------------------------------

def score_stream(source: IO[bytes], sink: IO[bytes], errors: IO[str],
                 model_path: Path | None = None) -> int:
    """The batch contract: one output line per input line, in order, flushed as it goes (a
    caller may feed one line at a time). A bad line gets an error line; the batch goes on."""
    model = shipped_model(model_path)
    for number, raw in enumerate(_lines(source), 1):
        line = score_line(raw, number, errors, model)
        sink.write(json.dumps(line, ensure_ascii=True).encode("ascii") + b"\n")
        sink.flush()
    return 0


def _lines(source: IO[bytes]) -> Iterable[bytes]:
    # Split on "\n" only: a JSON string may hold U+2028 and other separators as they are.
    while True:
        raw = source.readline()
        if not raw:
            return
        yield raw


def score_line(raw: bytes, number: int, errors: IO[str], model: Any = None) -> dict[str, Any]:
    record_id: Any = None

    def fail(message: str) -> dict[str, Any]:
        print(f"{PROG} score: line {number}: {message}", file=errors, flush=True)
        return error_line(record_id, message)

    try:
        text = raw.decode("utf-8").rstrip("\r\n")
    except UnicodeDecodeError:
        return fail("the line is not valid UTF-8")
    if not text.strip():
        return fail("the line is empty; expected a JSON object")
    try:
        record = json.loads(text)
    except (ValueError, RecursionError) as error:
        return fail(f"the line is not valid JSON ({error})")
    if not isinstance(record, dict):
        return fail("the line is JSON but not an object")
    if "id" not in record:
        return fail('"id" is missing')
    if isinstance(record["id"], str | int) and not isinstance(record["id"], bool):
        record_id = record["id"]
    else:
        return fail('"id" must be a string or an integer')
    response, seeker = record.get("response"), record.get("seeker", "")
    if not isinstance(response, str):
        return fail('"response" is missing or not a string')
    if seeker is None:
        seeker = ""
    if not isinstance(seeker, str):
        return fail('"seeker" must be a string (it may be empty)')
    try:
        return to_contract(record_id, analyse(response, seeker, model=model))
    except DraftTooLong as error:
        return fail(str(error))
    except Exception as error:  # noqa: BLE001 (one bad draft must not stop the batch)
        return fail(f"the coach failed on this line ({type(error).__name__}: {error})")


# evaluate, train, compare ----------------------------------------------------------------------

def _evaluate(args: argparse.Namespace) -> int:
    if args.corpus is not None:
        return _evaluate_file(args.corpus, args.model)
    from haven.coach.lab.comparison import evaluate_pipeline, load_v2, side_by_side

    records = load_v2()
    print(f"Cross-validating the shipped pipeline on {len(records)} version-2 records "
          f"(three schemes; a few minutes)")
    print(side_by_side(records, evaluate_pipeline(records)))
    return 0


def _evaluate_file(path: Path, model_path: Path | None) -> int:
    from haven.coach.lab.evaluation import format_report
    from haven.coach.lab.training import evaluate_model, load_corpus

    if not path.exists():
        print(f"{PROG} evaluate: {path} does not exist", file=sys.stderr)
        return 1
    records = load_corpus(path)
    if not records:
        print(f"{PROG} evaluate: {path} holds no labelled records", file=sys.stderr)
        return 1
    model = shipped_model(model_path)
    report, spans = evaluate_model(model, records)
    print(f"Empathy coach on {path} (model {model.meta.get('variant')}, trained on "
          f"{model.meta.get('records')} records)")
    print(format_report(report, spans))
    return 0


def _train(args: argparse.Namespace) -> int:
    from haven.coach.lab.calibration import fit_calibrated
    from haven.coach.lab.comparison import load_v2
    from haven.coach.lab.generalisation import featurise_all
    from haven.coach.lab.training import SHIPPED_VARIANT, write_artefact

    records = load_v2()
    artefact = fit_calibrated(records, SHIPPED_VARIANT,
                              featurise_all(records, SHIPPED_VARIANT))
    write_artefact(artefact, args.output)
    size = args.output.stat().st_size
    print(f"trained on {len(records)} version-2 records, variant {SHIPPED_VARIANT.name}, "
          f"calibrated on writers left out: {args.output} ({size / 1024:.0f} KiB)")
    return 0


def _compare(args: argparse.Namespace) -> int:
    from haven.coach.lab.comparison import run_comparison

    return run_comparison(embeddings=args.embeddings)


if __name__ == "__main__":
    sys.exit(main())


def _agreement(args: argparse.Namespace) -> int:
    from haven.coach.lab.agreement import agreement, format_agreement, labelled_pairs

    pairs = labelled_pairs(args.corpus)
    if not pairs:
        print(f"{PROG} agreement: no record in {args.corpus} has two labellers yet",
              file=sys.stderr)
        return 1
    print(format_agreement(agreement(pairs)))
    return 0


def _gold(args: argparse.Namespace) -> int:
    from haven.coach.lab.agreement import gold_records

    records, undecided = gold_records(args.corpus)
    args.output.write_text("".join(json.dumps(record) + "\n" for record in records),
                           encoding="utf-8")
    print(f"{len(records)} records written to {args.output} (split \"test\"); "
          f"{undecided} left out: a disputed label has no decision yet")
    return 0
