"""Text as members type it, turned into the form the meaning tables are written in.

Two forms are used by the rest of the reader:

``normalize(text)``
    Lowercase, ASCII punctuation, no accents, no invisible characters, single
    spaces. Keycap emoji become their digit ("4️⃣" -> "4") and "4½" becomes
    "4.5". Answers are read in this form.

``words(text)``
    The words of a text in canonical spelling, with ``#`` between clauses.
    Spelling and text speak are mapped through ``tables/text.toml``
    ("wanna" -> "want to", "kiero" -> "quiero", "2nite" -> "tonight"),
    repeated letters are squeezed ("diiiie" -> "die"), misspelled key words
    are recognised with rapidfuzz ("suicidel" -> "suicidal"), and words run
    together are split when the pieces are known ("iwanttodie").
    Crisis and opt-out meanings are read in this form.

Everything here is pure and fast: no Django, no I/O, no logging.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from rapidfuzz.distance import OSA

from checkins.reader.tables import table

__all__ = ["CLAUSE", "normalize", "sound", "squeeze", "words"]

# --------------------------------------------------------------------------
# normalize
# --------------------------------------------------------------------------

# Phones insert typographic quotes and dashes; the tables use ASCII ones.
_PUNCTUATION = str.maketrans(
    {
        "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'", "\u00b4": "'", "`": "'",
        "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"', "\u00ab": '"', "\u00bb": '"',
        "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2015": "-", "\u2212": "-",
        "\u2044": "/", "\u2215": "/",
    }
)  # fmt: skip

# Pure-ASCII texts (most of them) take a fast path.
_ASCII_TABLE = str.maketrans({**{chr(code): " " for code in range(32)}, "\x7f": " ", "`": "'"})

# NFKC would turn "4½" into "41⁄2"; after a digit the fraction is a decimal.
_FRACTION_AFTER_DIGIT = re.compile(r"(?<=\d)[½¼¾]")
_FRACTION_DECIMALS = {"½": ".5", "¼": ".25", "¾": ".75"}

# Combining marks (accents, emoji variation selectors, the keycap in "4️⃣"),
# invisible format characters and lone surrogates are dropped.
_DROPPED_CATEGORIES = frozenset({"Mn", "Me", "Cf", "Cs"})


def normalize(text: str) -> str:
    """Lowercase, ASCII punctuation, no accents, single spaces."""
    if not text:
        return ""
    if text.isascii():
        return " ".join(text.translate(_ASCII_TABLE).lower().split())
    text = _FRACTION_AFTER_DIGIT.sub(lambda match: _FRACTION_DECIMALS[match.group(0)], text)
    text = unicodedata.normalize("NFKC", text.translate(_PUNCTUATION)).translate(_PUNCTUATION)
    kept = []
    for char in unicodedata.normalize("NFD", text.lower()):
        category = unicodedata.category(char)
        if category in _DROPPED_CATEGORIES:
            continue
        kept.append(" " if category[0] in "CZ" else char)
    return " ".join(unicodedata.normalize("NFC", "".join(kept)).split())


# --------------------------------------------------------------------------
# spelling
# --------------------------------------------------------------------------

_REPEATS_3 = re.compile(r"(.)\1\1+")
_REPEATS_2 = re.compile(r"(.)\1+")
_REPEATS_3_AT_END = re.compile(r"(.)\1\1+$")


def squeeze(word: str, keep: int = 1) -> str:
    """Repeated letters squeezed: to one ("goood" -> "god"), or to two with keep=2
    ("goood" -> "good"), which leaves real double letters alone."""
    if keep == 2:
        return _REPEATS_3.sub(r"\1\1", word)
    return _REPEATS_2.sub(r"\1", word)


_SOUNDS = (
    ("qu", "k"), ("q", "k"), ("ce", "se"), ("ci", "si"), ("c", "k"), ("z", "s"), ("v", "b"),
    ("ll", "y"), ("h", ""), ("ph", "f"),
)  # fmt: skip


@lru_cache(maxsize=4096)
def sound(word: str) -> str:
    """How a word sounds, roughly, so that Spanish spelt by ear meets the
    table: "kiero" and "quiero", "bibir" and "vivir", "pastiyas" and
    "pastillas" sound the same."""
    for written, said in _SOUNDS:
        word = word.replace(written, said)
    return squeeze(word)


class _Lexicon:
    """The canonical spellings, built once from tables/text.toml."""

    def __init__(self) -> None:
        data = table("text")
        self.spelling: dict[str, str] = data["spelling"]
        self.phrases = sorted(
            ((tuple(key.split()), value) for key, value in data["phrases"].items()),
            key=lambda item: -len(item[0]),
        )
        self.first_words = {key[0] for key, _ in self.phrases}
        self.protected = frozenset(data["fuzzy"]["protected"])
        self.targets = frozenset(data["fuzzy"]["sound_alike"]) | frozenset(data["fuzzy"]["misspelled"])
        self.by_sound = {sound(word): word for word in data["fuzzy"]["sound_alike"]}
        self.fuzzy_targets = [(sound(word), word) for word in data["fuzzy"]["misspelled"]]
        self.split_words = frozenset(data["split"]["words"]) | self.targets
        self.split_keys = frozenset(data["split"]["keys"])
        self.known = self.targets | self.protected | self.split_words | frozenset(self.spelling.values())


@lru_cache(maxsize=1)
def _lexicon() -> _Lexicon:
    return _Lexicon()


@lru_cache(maxsize=8192)
def _canonical(word: str) -> str:
    """One word in canonical spelling (possibly several words, space separated)."""
    lexicon = _lexicon()
    if word in lexicon.spelling:
        return lexicon.spelling[word]
    if word in lexicon.known or word.isdigit():
        return word
    # Squeezed to one letter only when a letter was repeated three times or
    # more ("dieeee" -> "die"), so that "too" stays "too".
    candidates = (squeeze(word, keep=2), squeeze(word)) if _REPEATS_3.search(word) else (word,)
    for candidate in candidates:
        if candidate in lexicon.spelling:
            return lexicon.spelling[candidate]
        if candidate in lexicon.known:
            return candidate
    if _REPEATS_3_AT_END.search(word):
        # A letter drawn out at the end is one letter: "uppp", "nooo", "byeee".
        return _canonical(_REPEATS_3_AT_END.sub(r"\1", word))
    if len(word) < 3 or word in lexicon.protected:
        return word
    heard = sound(squeeze(word, keep=2))
    if heard in lexicon.by_sound:
        return lexicon.by_sound[heard]
    match = _closest(word, heard)
    if match:
        return match
    if len(word) >= 6:
        return _split(word) or word
    return word


def _closest(word: str, heard: str) -> str | None:
    """The key word this one misspells, if it is close enough to be sure."""
    best, best_distance = None, 99
    for target_sound, target in _lexicon().fuzzy_targets:
        if target_sound[:1] != heard[:1] or abs(len(target_sound) - len(heard)) > 2:
            continue
        # Short words allow one slip, long ones two ("suicidel", "sobredocis").
        allowed = 1 if len(target) < 9 else 2
        distance = OSA.distance(heard, target_sound, score_cutoff=allowed)
        if distance <= allowed and distance < best_distance:
            best, best_distance = target, distance
    return best


def _split(word: str) -> str | None:
    """Words run together ("iwanttodie", "mequieromorir"), split into known
    words, but only when one of them is a key word: "therapist" stays whole."""
    lexicon = _lexicon()
    known = lexicon.split_words
    best: list[list[str] | None] = [None] * (len(word) + 1)
    best[0] = []
    for end in range(1, len(word) + 1):
        for start in range(max(0, end - 12), end):
            if best[start] is not None and word[start:end] in known:
                candidate = best[start] + [word[start:end]]
                if best[end] is None or len(candidate) < len(best[end]):
                    best[end] = candidate
    pieces = best[len(word)]
    if pieces and len(pieces) > 1 and any(piece in lexicon.split_keys for piece in pieces):
        return " ".join(_canonical(piece) for piece in pieces)
    return None


# --------------------------------------------------------------------------
# words
# --------------------------------------------------------------------------

CLAUSE = "#"

# "OD'd", "OD'ing": split at the apostrophe, which would otherwise give "odd".
_OD_APOSTROPHE = re.compile(r"\bod'(?:d|ed|ing|s)?\b")
# Dotted or spaced letters: "k.m.s", "k m s" (joined by the phrase table).
_DOTTED = re.compile(r"\b(\w)\.(?=\w\b)")
_CLAUSE_MARKS = re.compile(r"[.!?;:,()\[\]\n]+|\s-\s|\.\.\.")
_WORD = re.compile(r"[^\W_]+|#")
_LINE_BREAKS = re.compile(r"[\r\n\u2028\u2029]+")


def _phrased(tokens: list[str]) -> list[str]:
    lexicon = _lexicon()
    out: list[str] = []
    index = 0
    while index < len(tokens):
        if tokens[index] in lexicon.first_words:
            for key, value in lexicon.phrases:
                if tuple(tokens[index : index + len(key)]) == key:
                    out.extend(value.split())
                    index += len(key)
                    break
            else:
                out.append(tokens[index])
                index += 1
        else:
            out.append(tokens[index])
            index += 1
    return out


# "2" between two words is "to" ("want 2 die"); a number next to a number is not.
def _number_speak(tokens: list[str]) -> list[str]:
    out = list(tokens)
    for index in range(1, len(tokens) - 1):
        if tokens[index] == "2" and tokens[index - 1].isalpha() and tokens[index + 1].isalpha():
            out[index] = "to"
    return out


@lru_cache(maxsize=2048)
def _words_of(normalized: str) -> tuple[str, ...]:
    text = _OD_APOSTROPHE.sub("od ", normalized)
    text = _DOTTED.sub(r"\1 ", text)
    text = _CLAUSE_MARKS.sub(f" {CLAUSE} ", text).replace("'", "")
    tokens = _number_speak(_WORD.findall(text))
    canonical: list[str] = []
    for token in tokens:
        canonical.extend(_canonical(token).split() if token != CLAUSE else [CLAUSE])
    return tuple(_phrased(_phrased(canonical)))


def words(text: str) -> tuple[str, ...]:
    """The text's words in canonical spelling, ``#`` between clauses."""
    # A line break ends a clause ("1\nnot ok\nwant to die").
    return _words_of(normalize(_LINE_BREAKS.sub(" . ", text))[:2000])
