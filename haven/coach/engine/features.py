"""Features of a reply in the context of the colleague's message: cue patterns, lexicon counts,
sentence shapes (who is the subject, what kind of question), overlap with the message, and word
n-grams with content words masked so that topic words ("manager", "exam") carry no weight."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache

from haven.coach.engine import lexicon
from haven.coach.engine.cues import CueMatch, find_cues, limited_nearby
from haven.coach.engine.text import Segment, Token, normalise, sentences, tokens

# Bump when the features change in a way the shipped model must be retrained for; the
# artefact's freshness test also hashes this module, the cues and the lexicon.
FEATURES_VERSION = 1

# Feature groups; a model variant names the groups it uses.
GROUPS = ("cues", "shape", "context", "masked", "words", "chars")
DEFAULT_GROUPS = ("cues", "shape", "context", "masked")

DISCOURSE_OPENERS = lexicon.word_set("""
so and but honestly ok okay well oh look hey also then maybe just seriously like yeah tbh
""")
ASK_FOR_ADVICE_CUES = (
    "what should i", "what do i do", "what would you do", "what can i do",
    "what do you think i", "should i", "do you think i should", "would you", "any advice",
    "any tips", "any ideas", "any suggestions", "advice", "tips", "how do i", "how should i",
    "how can i", "what's the best", "is it worth", "what are my options", "help me figure",
    "help me decide", "do i ", "is it ok if i", "am i supposed to", "where do i", "who do i",
    "how would you", "what would you", "is there any way", "is there a way", "what to do",
    "i don't know if i should", "how to", "is it ok to", "is it okay to", "how do you",
    "what's the right", "what is the right", "do you think i",
)
VENT_CUES = ("just need to vent", "just needed to vent", "not looking for advice",
             "don't need advice", "just want to vent", "just wanted to vent",
             "needed to get this off", "need to get this off", "just venting", "rant", "vent")


def featurise(response: str, seeker: str = "", groups: Iterable[str] = DEFAULT_GROUPS,
              cues: list[CueMatch] | None = None) -> dict[str, float]:
    """Sparse features of RESPONSE (read in the context of SEEKER) for the chosen GROUPS."""
    chosen = set(groups)
    features: dict[str, float] = {"bias_": 1.0}
    response_tokens = tokens(response)
    if cues is None:
        cues = find_cues(response)
    response_sentences = sentences(response)
    rows = sentence_words(response_tokens, response_sentences)
    if "cues" in chosen:
        _cue_features(response, response_sentences, cues, features)
    if "shape" in chosen:
        _shape_features(response, response_tokens, response_sentences, rows, features)
    if "context" in chosen:
        _context_features(seeker, response_tokens, response_sentences, rows, cues, features)
    if "masked" in chosen:
        _ngrams(_masked(rows), "m", features)
    if "words" in chosen:
        _ngrams(rows, "w", features)
    if "chars" in chosen:
        _chars(response, features)
    return features


def sentence_words(text_tokens: list[Token], text_sentences: list[Segment]) -> list[list[str]]:
    """The canonical words of each sentence, from one tokenisation of the whole text."""
    rows: list[list[str]] = [[] for _ in text_sentences]
    index = 0
    for token in text_tokens:
        while index < len(text_sentences) and token.start >= text_sentences[index].end:
            index += 1
        if index == len(text_sentences):
            break
        if token.start >= text_sentences[index].start:
            rows[index].append(token.text)
    return rows


def seeker_features(seeker: str) -> dict[str, float]:
    """Whether the colleague asked for advice: features of their message alone (a fresh
    dict; the work is cached, since one message is often scored against many replies)."""
    return dict(_seeker_features(seeker))


@lru_cache(maxsize=512)
def _seeker_features(seeker: str) -> dict[str, float]:
    features: dict[str, float] = {"bias_": 1.0}
    if not seeker.strip():
        features["s:empty"] = 1.0
        return features
    seeker_tokens = tokens(seeker)
    lowered = " " + " ".join(token.text for token in seeker_tokens) + " "
    for cue in ASK_FOR_ADVICE_CUES:
        if " " + cue in lowered:
            features["s:ask:" + cue.strip()] = 1.0
    for cue in VENT_CUES:
        if cue in lowered:
            features["s:vent"] = 1.0
    seeker_sentences = sentences(seeker)
    seeker_rows = sentence_words(seeker_tokens, seeker_sentences)
    questions = [index for index, s in enumerate(seeker_sentences)
                 if s.text.rstrip().endswith("?")]
    features["s:questions"] = min(len(questions), 3) / 3
    if questions and questions[-1] == len(seeker_sentences) - 1:
        features["s:ends_with_question"] = 1.0
    for index in questions:
        words = seeker_rows[index]
        if words and words[0] in lexicon.WH_WORDS:
            features["s:q_wh"] = 1.0
        if "i" in words[:4] and words[0] in lexicon.AUXILIARIES | lexicon.WH_WORDS:
            features["s:q_first_person"] = 1.0
        if "you" in words[:4] and words[0] in lexicon.AUXILIARIES | lexicon.WH_WORDS:
            features["s:q_to_you"] = 1.0
    _ngrams(_masked(seeker_rows), "s", features, weight=0.5)
    return features


# Cue features --------------------------------------------------------------------------------

def _cue_features(response: str, response_sentences: list[Segment], cues: list[CueMatch],
                  features: dict[str, float]) -> None:
    by_kind: Counter[str] = Counter()
    strong: Counter[str] = Counter()
    for cue in cues:
        features["c:" + cue.name] = 1.0
        by_kind[cue.kind] += 1
        if cue.level >= 2:
            strong[cue.kind] += 1
    for kind, count in by_kind.items():
        features["ck:" + kind] = math.log1p(count)
    for kind, count in strong.items():
        features["ck2:" + kind] = math.log1p(count)
    secrecy = [cue for cue in cues if cue.kind == "secrecy_promise"]
    if secrecy:
        lowered = normalise(response)
        for cue in secrecy:
            limited = limited_nearby(lowered, response_sentences, cue)
            features["c:secrecy_limited" if limited else "c:secrecy_unlimited"] = 1.0
    # How much of the reply the cues of each kind cover: a long reflecting clause is more
    # likely to be specific (level 2) than a bare "I get it".
    lengths: dict[int, int] = {}
    for kind in ("emotional_reactions", "interpretations", "explorations"):
        spans = [cue for cue in cues if cue.kind == kind]
        if spans:
            longest = max(_clause_words(response, response_sentences, cue, lengths)
                          for cue in spans)
            features["cl:" + kind] = min(longest, 30) / 30


def _clause_words(response: str, response_sentences: list[Segment], cue: CueMatch,
                  lengths: dict[int, int]) -> int:
    """Words in the sentence around CUE (LENGTHS caches them by sentence start)."""
    for sentence in response_sentences:
        if sentence.start <= cue.start < sentence.end:
            if sentence.start not in lengths:
                lengths[sentence.start] = len(sentence.text.split())
            return lengths[sentence.start]
    return len(response[cue.start:cue.end].split())


# Shape features ------------------------------------------------------------------------------

def _shape_features(response: str, response_tokens: list[Token],
                    response_sentences: list[Segment], rows: list[list[str]],
                    features: dict[str, float]) -> None:
    words = [token.text for token in response_tokens if token.text not in "!?"]
    count = len(words)
    features["len:log"] = math.log1p(count) / 5
    for limit in (3, 8, 20, 50, 120):
        if count <= limit:
            features[f"len:<={limit}"] = 1.0
            break
    else:
        features["len:>120"] = 1.0
    if count == 0:
        return
    first = sum(word in lexicon.FIRST_PERSON for word in words)
    second = sum(word in lexicon.SECOND_PERSON for word in words)
    feelings = sum(word in lexicon.FEELINGS for word in words)
    features["r:first"] = first / count * 5
    features["r:second"] = second / count * 5
    features["r:feelings"] = feelings / count * 5
    features["n:feelings"] = math.log1p(feelings)
    features["n:first"] = math.log1p(first)
    features["n:second"] = math.log1p(second)
    features["n:exclaim"] = math.log1p(response.count("!"))
    if response == response.lower() and any(c.isalpha() for c in response):
        features["all_lower"] = 1.0
    subjects: Counter[str] = Counter()
    for sentence, sentence_words in zip(response_sentences, rows, strict=True):
        kind = _sentence_kind(sentence.text, sentence_words)
        features["sk:" + kind] = features.get("sk:" + kind, 0.0) + 1.0
        subject = _subject(sentence_words)
        subjects[subject] += 1
        if kind.startswith("q_") and any(w in lexicon.INNER_EXPERIENCE | lexicon.FEELINGS
                                         for w in sentence_words):
            features["q_inner"] = 1.0
        if subject == "i" and not any(w in lexicon.SECOND_PERSON for w in sentence_words):
            # A sentence about the supporter with no "you" in it: the core of self focus.
            features["n:i_only"] = features.get("n:i_only", 0.0) + 1.0
            if any(w in ("was", "had", "did", "went", "got", "used", "were") for w in
                   sentence_words):
                features["n:i_past"] = features.get("n:i_past", 0.0) + 1.0
    for key in [key for key in features if key.startswith("sk:") or key.startswith("n:i_")]:
        features[key] = math.log1p(features[key])
    total = max(1, sum(subjects.values()))
    for subject, number in subjects.items():
        features["subj:" + subject] = number / total
    if rows:
        features["subj_first:" + _subject(rows[0])] = 1.0


def _subject(sentence_words: list[str]) -> str:
    """Who a sentence is about, from its first pronoun-like word after any discourse opener."""
    for word in sentence_words[:6]:
        if word in DISCOURSE_OPENERS or word in ("!", "?"):
            continue
        if word in lexicon.FIRST_PERSON:
            return "i"
        if word in lexicon.SECOND_PERSON:
            return "you"
        if word in lexicon.FIRST_PERSON_PLURAL:
            return "we"
        if word in lexicon.THIRD_PERSON:
            return "they"
        if word in ("it", "it's", "that", "that's", "this", "there", "there's"):
            return "it"
        if word in lexicon.WH_WORDS or word in lexicon.AUXILIARIES:
            continue
        return "other"
    return "other"


def _sentence_kind(text: str, sentence_words: list[str]) -> str:
    content = [w for w in sentence_words if w not in DISCOURSE_OPENERS and w not in "!?"]
    if not content:
        return "empty"
    head = content[0]
    if text.rstrip().endswith("?") or head in lexicon.WH_WORDS and len(content) > 2:
        has_you = any(w in lexicon.SECOND_PERSON for w in content)
        if head == "why":
            return "q_why_you" if has_you else "q_why"
        if head in lexicon.WH_WORDS:
            return "q_open_you" if has_you else "q_open"
        if head in lexicon.AUXILIARIES:
            return "q_closed_you" if has_you else "q_closed"
        return "q_other"
    if head in lexicon.IMPERATIVE_VERBS and (len(content) == 1 or content[1] not in
                                             ("me", "us", "i")):
        return "imperative"
    if head in lexicon.FIRST_PERSON:
        return "i_statement"
    if head in lexicon.SECOND_PERSON:
        return "you_statement"
    return "statement"


# Context features: the reply against the colleague's message ---------------------------------

def _context_features(seeker: str, response_tokens: list[Token],
                      response_sentences: list[Segment], rows: list[list[str]],
                      cues: list[CueMatch], features: dict[str, float]) -> None:
    if not seeker.strip():
        features["ctx:no_seeker"] = 1.0
        return
    seeker_content = _seeker_content(seeker)
    response_content = [t.text for t in response_tokens if _is_content(t.text)]
    shared = [w for w in response_content if w in seeker_content]
    features["ctx:shared_n"] = math.log1p(len(shared))
    if response_content:
        features["ctx:shared_share"] = len(shared) / len(response_content)
    echoed = {w for w in shared if w in lexicon.FEELINGS}
    if echoed:
        features["ctx:feeling_echoed"] = 1.0
    # Does the clause of a reflecting or reacting cue mention something from the message?
    for kind in ("emotional_reactions", "interpretations", "explorations"):
        for cue in cues:
            if cue.kind != kind:
                continue
            index = next((i for i, s in enumerate(response_sentences)
                          if s.start <= cue.start < s.end), None)
            if index is None:
                continue
            words = set(rows[index])
            specific = {w for w in words if _is_content(w)} - {"sounds", "sorry", "feel"}
            if specific & seeker_content:
                features["ctx:specific:" + kind] = 1.0
                break
    for key, value in _seeker_features(seeker).items():
        if key.startswith("s:ask") or key in ("s:vent", "s:ends_with_question", "s:q_first_person"):
            features["ctx:" + key] = value


@lru_cache(maxsize=512)
def _seeker_content(seeker: str) -> frozenset[str]:
    return frozenset(t.text for t in tokens(seeker) if _is_content(t.text))


def _is_content(word: str) -> bool:
    return len(word) > 2 and word not in lexicon.FUNCTION_WORDS and not word.isdigit()


# N-grams -------------------------------------------------------------------------------------

def _masked(rows: list[list[str]]) -> list[list[str]]:
    masked: list[list[str]] = []
    for words in rows:
        row = []
        for word in words:
            if word in lexicon.KEEP_WORDS:
                row.append(word)
            elif word.isdigit():
                row.append("_num")
            elif word.endswith("ing"):
                row.append("_ing")
            elif word.endswith("ed"):
                row.append("_ed")
            elif word.endswith("ly"):
                row.append("_ly")
            else:
                row.append("_w")
        masked.append(row)
    return masked


def _ngrams(rows: list[list[str]], prefix: str, features: dict[str, float],
            weight: float = 1.0) -> None:
    counts: Counter[str] = Counter()
    for row in rows:
        padded = ["<s>", *row, "</s>"]
        for word in row:
            counts[word] += 1
        for index in range(len(padded) - 1):
            counts[padded[index] + " " + padded[index + 1]] += 1
        for index in range(len(padded) - 2):
            counts[" ".join(padded[index:index + 3])] += 1
    for gram, number in counts.items():
        features[prefix + ":" + gram] = weight * (1.0 + math.log(number))


def _chars(text: str, features: dict[str, float]) -> None:
    lowered = " " + " ".join(normalise(text).split()) + " "
    counts: Counter[str] = Counter()
    for size in (3, 4, 5):
        for index in range(len(lowered) - size + 1):
            counts[lowered[index:index + size]] += 1
    for gram, number in counts.items():
        features["ch:" + gram] = 0.5 * (1.0 + math.log(number))
