"""Text handling for the coach: normalising casual writing, tokens with character offsets,
sentences and clauses. Pure Python, so the coach starts fast and needs nothing heavy."""

from __future__ import annotations

import re
from dataclasses import dataclass

APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'", "\u02bc": "'"})

# Casual spellings mapped to one canonical token, so "dont", "don't" and "don’t" are one
# feature and "u"/"ur" count as second person. Ambiguous forms ("ill", "id", "were", "its")
# are left alone on purpose.
CANONICAL = {
    "dont": "don't", "doesnt": "doesn't", "didnt": "didn't", "cant": "can't", "wont": "won't",
    "isnt": "isn't", "arent": "aren't", "wasnt": "wasn't", "werent": "weren't",
    "shouldnt": "shouldn't", "wouldnt": "wouldn't", "couldnt": "couldn't", "havent": "haven't",
    "hasnt": "hasn't", "hadnt": "hadn't", "aint": "ain't",
    "im": "i'm", "ive": "i've", "youre": "you're", "youve": "you've", "youd": "you'd",
    "youll": "you'll", "theyre": "they're", "theyve": "they've", "thats": "that's",
    "whats": "what's", "hows": "how's", "wheres": "where's", "whos": "who's", "theres": "there's",
    "hes": "he's", "shes": "she's", "lets": "let's", "itll": "it'll", "id've": "i'd've",
    "u": "you", "ya": "you", "yu": "you", "ur": "your", "yr": "your", "r": "are", "n": "and",
    "pls": "please", "plz": "please", "bc": "because", "cuz": "because", "cos": "because",
    "coz": "because", "tho": "though", "rly": "really", "srsly": "seriously", "ppl": "people",
    "gonna": "going to", "wanna": "want to", "gotta": "got to", "kinda": "kind of",
    "sorta": "sort of", "dunno": "don't know", "idk": "i don't know", "thx": "thanks",
    "sry": "sorry", "soz": "sorry", "abt": "about", "w/": "with", "b4": "before",
    "imo": "in my opinion", "imho": "in my opinion", "tbf": "to be fair", "ngl": "not going to lie",
}

TOKEN_RE = re.compile(r"[a-z0-9]+(?:'[a-z]+)*|<3|[!?]")
SENTENCE_END_RE = re.compile(r"[.!?…]+[\"')\]]*(?=\s|$)|\n+")
# Clause boundaries inside a sentence: commas, semicolons, colons, dashes and brackets.
CLAUSE_BREAK_RE = re.compile(r"\s*(?:[,;:()]|\s[-\u2013\u2014]+\s|\u2014|--)\s*")


@dataclass(frozen=True)
class Token:
    text: str  # canonical, lower case
    start: int  # offsets into the original string
    end: int


@dataclass(frozen=True)
class Segment:
    start: int
    end: int
    text: str


def normalise(text: str) -> str:
    """Lower case with straight apostrophes; the same length as the input, so offsets hold."""
    lowered = text.translate(APOSTROPHES).lower()
    if len(lowered) != len(text):  # a few characters lower-case to two ("İ"): keep one
        lowered = "".join(character.lower()[:1] for character in text.translate(APOSTROPHES))
    return lowered


def tokens(text: str) -> list[Token]:
    """Word tokens with offsets into TEXT; casual spellings become their canonical form
    (one raw token may become several canonical words, all with the raw token's offsets)."""
    found: list[Token] = []
    for match in TOKEN_RE.finditer(normalise(text)):
        word = match.group()
        canonical = CANONICAL.get(word, word)
        for part in canonical.split(" "):
            found.append(Token(part, match.start(), match.end()))
    return found


def words(text: str) -> list[str]:
    return [token.text for token in tokens(text)]


def sentences(text: str) -> list[Segment]:
    """Sentences as spans of TEXT, trimmed of surrounding space; never empty."""
    spans: list[Segment] = []
    position = 0
    for match in SENTENCE_END_RE.finditer(text):
        end = match.end() if match.group().strip() else match.start()
        _add_trimmed(text, position, end, spans)
        position = match.end()
    _add_trimmed(text, position, len(text), spans)
    return spans


def clauses(text: str, sentence: Segment) -> list[Segment]:
    """The clauses of one sentence, split at commas, semicolons, colons and dashes."""
    spans: list[Segment] = []
    position = sentence.start
    for match in CLAUSE_BREAK_RE.finditer(text, sentence.start, sentence.end):
        _add_trimmed(text, position, match.start(), spans)
        position = match.end()
    _add_trimmed(text, position, sentence.end, spans)
    return spans


def _add_trimmed(text: str, start: int, end: int, into: list[Segment]) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start and any(character.isalnum() for character in text[start:end]):
        into.append(Segment(start, end, text[start:end]))


def segment_at(segments: list[Segment], position: int) -> Segment | None:
    for segment in segments:
        if segment.start <= position < segment.end:
            return segment
    return None
