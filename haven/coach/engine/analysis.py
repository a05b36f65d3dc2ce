"""The coach's public API: `analyse(response, seeker)` reads a supporter's draft in the context of
the colleague's last message and returns levels, risk flags and findings; `to_contract` turns
that into one line of the batch contract (see docs/coach.md)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from haven.coach.engine import feedback
from haven.coach.engine.cues import CueMatch, find_cues, limited_nearby
from haven.coach.engine.model import FLAGS, MECHANISMS, Model, shipped_model
from haven.coach.engine.text import Segment, clauses, normalise, sentences, tokens

MAX_CHARS = 10_000
CONTRACT_FLAGS = ("advice", "unsolicited_advice", "judgement", "minimising", "self_focus",
                  "secrecy_promise")
# Kinds whose findings cover the whole sentence; the others point at the clause doing the work.
SENTENCE_KINDS = frozenset({"explorations", "advice", "unsolicited_advice", "secrecy_promise",
                            "self_focus"})
MAX_FINDINGS_PER_KIND = 3

EMPTY_NOTE = ("The draft is empty. Write your reply and the coach will show what it does well "
              "and what to reconsider.")
NOT_ENGLISH_NOTE = ("This draft doesn't look like English. The coach only reads English, so it "
                    "has not judged it; nothing here means the reply is good or bad.")
NOTHING_TO_READ_NOTE = ("The draft has no words the coach can read (only symbols, numbers or "
                        "emoji), so it has not judged it.")


class DraftTooLong(ValueError):
    """A draft over MAX_CHARS characters: the coach refuses it rather than read part of it."""

    def __init__(self, length: int) -> None:
        super().__init__(f"the reply is {length:,} characters long; the coach reads at most "
                         f"{MAX_CHARS:,}")
        self.length = length


@dataclass(frozen=True)
class Finding:
    kind: str  # a label name: emotional_reactions … secrecy_promise
    start: int  # offsets into the reply, in characters (Python string indices), end exclusive
    end: int
    explanation: str
    suggestion: str

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "start": self.start, "end": self.end,
                "explanation": self.explanation, "suggestion": self.suggestion}


@dataclass(frozen=True)
class Analysis:
    emotional_reactions: int = 0
    interpretations: int = 0
    explorations: int = 0
    advice: bool = False
    unsolicited_advice: bool = False
    judgement: bool = False
    minimising: bool = False
    self_focus: bool = False
    secrecy_promise: bool = False
    findings: tuple[Finding, ...] = ()
    note: str = ""  # set when the coach did not (or could not fully) judge the draft
    asked_for_advice: bool = False  # about the colleague's message: did they ask what to do?
    judged: bool = True
    probabilities: dict[str, float] = field(default_factory=dict, compare=False, repr=False)

    def labels(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in (*MECHANISMS, *CONTRACT_FLAGS)}


def analyse(response: str, seeker: str = "", *, model: Model | None = None) -> Analysis:
    """Read RESPONSE (a draft reply) in the context of SEEKER (the colleague's last message).

    Raises DraftTooLong for a reply over MAX_CHARS characters. An empty reply, or one the coach
    cannot judge (not English, no words), gives all-zero labels, no findings and a note."""
    if len(response) > MAX_CHARS:
        raise DraftTooLong(len(response))
    seeker = seeker[-MAX_CHARS:]  # the end of a very long message is what the reply answers
    if not response.strip():
        return Analysis(note=EMPTY_NOTE, judged=False)
    problem = language_problem(response)
    if problem:
        return Analysis(note=problem, judged=False)
    model = model or shipped_model()
    cues = find_cues(response)
    prediction = model.predict(response, seeker, cues)
    levels, flags = prediction.levels, prediction.flags
    findings: list[Finding] = []
    response_sentences = sentences(response)
    for kind in (*MECHANISMS, *CONTRACT_FLAGS):
        level = levels[kind] if kind in MECHANISMS else int(flags[kind])
        if not level:
            continue
        sure = kind in MECHANISMS or prediction.probabilities[
            "advice" if kind == "unsolicited_advice" else kind] >= model.hedge_below
        for start, end, cue_name in _spans(kind, response, seeker, response_sentences, cues,
                                           model):
            findings.append(Finding(kind, start, end,
                                    feedback.explanation(kind, level, sure=sure),
                                    feedback.suggestion(kind, level, seeker, cue_name)))
    findings.sort(key=lambda finding: (finding.start, finding.end, finding.kind))
    labels: dict[str, Any] = {**levels, **flags}  # one field of Analysis each
    return Analysis(**labels, findings=tuple(findings),
                    asked_for_advice=prediction.asked_for_advice,
                    probabilities=prediction.probabilities)


def to_contract(id: Any, analysis: Analysis) -> dict[str, Any]:  # noqa: A002 (the contract's name)
    """One output line of `haven coach score`."""
    line: dict[str, Any] = {"id": id, **analysis.labels(),
                            "findings": [finding.as_dict() for finding in analysis.findings]}
    if analysis.note:
        line["note"] = analysis.note
    return line


def error_line(id: Any, message: str) -> dict[str, Any]:  # noqa: A002
    """The line for an input the coach could not analyse: placeholder labels and the error."""
    return {**to_contract(id, Analysis(judged=False)), "error": message}


def language_problem(text: str) -> str | None:
    """A note when TEXT is not something the coach can judge: not English, or no words.

    Cheap on purpose: the share of Latin letters, then English against other languages'
    function words. Short replies ("ok", "omg same") pass unless clearly in another script."""
    letters = [character for character in text if character.isalpha()]
    if not letters:
        return NOTHING_TO_READ_NOTE
    latin = sum("a" <= character <= "z" for character in normalise("".join(letters)))
    if latin / len(letters) < 0.7:
        return NOT_ENGLISH_NOTE
    words = [token.text for token in tokens(text) if token.text.isalpha()]
    if len(words) < 4:
        return None
    from haven.coach.engine.lexicon import FOREIGN_FUNCTION_WORDS, FUNCTION_WORDS, KEEP_WORDS

    english = sum(word in FUNCTION_WORDS for word in words)
    foreign = sum(word in FOREIGN_FUNCTION_WORDS for word in words)
    if foreign >= 2 and foreign > english:
        return NOT_ENGLISH_NOTE
    known = sum(word in KEEP_WORDS for word in words)
    if len(words) >= 8 and known / len(words) < 0.12:
        return NOT_ENGLISH_NOTE
    return None


# Spans ---------------------------------------------------------------------------------------

def _spans(kind: str, response: str, seeker: str, response_sentences: list[Segment],
           cues: list[CueMatch], model: Model) -> list[tuple[int, int, str | None]]:
    """Where a present label shows in the reply: the clauses or sentences of its cues, or, when
    no cue matched, the sentence the model scores highest for it."""
    cue_kind = "advice" if kind == "unsolicited_advice" else kind
    lowered = normalise(response)
    spans: list[tuple[int, int, str | None]] = []
    clause_cache: dict[int, list[Segment]] = {}
    for cue in sorted((c for c in cues if c.kind == cue_kind), key=lambda c: (c.start, -c.end)):
        if kind == "secrecy_promise" and limited_nearby(lowered, response_sentences, cue):
            continue
        if len(spans) > MAX_FINDINGS_PER_KIND and cue.start >= spans[-1][1]:
            break  # enough findings of this kind; the rest would be dropped anyway
        start, end = _widen(kind, response, response_sentences, cue, clause_cache)
        if spans and start < spans[-1][1]:  # overlaps the previous one: merge
            previous = spans[-1]
            spans[-1] = (min(previous[0], start), max(previous[1], end), previous[2])
        else:
            spans.append((start, end, cue.name))
    if spans:
        return spans[:MAX_FINDINGS_PER_KIND]
    best = _best_sentence(kind, response_sentences, seeker, cues, model)
    return [(best.start, best.end, None)] if best else []


def _widen(kind: str, response: str, response_sentences: list[Segment], cue: CueMatch,
           clause_cache: dict[int, list[Segment]]) -> tuple[int, int]:
    sentence = next((s for s in response_sentences if s.start <= cue.start < s.end), None)
    if sentence is None:
        return cue.start, cue.end
    if kind in SENTENCE_KINDS:
        return min(sentence.start, cue.start), max(sentence.end, cue.end)
    if sentence.start not in clause_cache:
        clause_cache[sentence.start] = clauses(response, sentence)
    sentence_clauses = clause_cache[sentence.start]
    parts = [c for c in sentence_clauses if c.start < cue.end and cue.start < c.end]
    if not parts:
        return cue.start, cue.end
    start, end = parts[0].start, parts[-1].end
    if len(response[start:end].split()) < 3:  # "Honestly," or "Ugh": take the next clause too
        following = [c for c in sentence_clauses if c.start >= end]
        if following:
            end = following[0].end
    if end < sentence.end and response[sentence.end - 1] in "?!." and \
            not response[end:sentence.end - 1].strip():
        end = sentence.end  # keep the sentence's own punctuation
    return min(start, cue.start), max(end, cue.end)


def _best_sentence(kind: str, response_sentences: list[Segment], seeker: str,
                   cues: list[CueMatch], model: Model) -> Segment | None:
    head = model.heads[kind + ">=1" if kind in MECHANISMS else
                       "advice" if kind == "unsolicited_advice" else kind]
    if not response_sentences:
        return None

    def score(sentence: Segment) -> float:
        # The reply's cues that lie in this sentence, moved to its offsets: no second scan.
        inside = [CueMatch(c.kind, c.name, c.level, c.start - sentence.start,
                           c.end - sentence.start)
                  for c in cues if sentence.start <= c.start and c.end <= sentence.end]
        return head.score(model.features(sentence.text, seeker, inside))

    return max(response_sentences, key=score)


__all__ = ["Analysis", "DraftTooLong", "Finding", "MAX_CHARS", "analyse", "error_line",
           "language_problem", "to_contract", "FLAGS"]
