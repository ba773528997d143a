"""Yes/no answers, read the way people text them (tables/answers.toml, [yes_no]).

1. A reply that asks something back ("define slip") is None.
2. The safety question: a hedge that leans yes ("kinda", "a veces") is yes;
   plain uncertainty ("idk", "no sé") is None; no hedge is ever no. Other
   questions: any hedge is None.
3. The opening words ("yes", "nope", "claro que no"), and recovery speak
   anywhere ("relapsed", "stayed clean", "no he tomado"); a negated recovery
   phrase means the opposite. If they disagree, None. A number inside the
   reply doesn't change it.

Pure, like the rest of the reader.
"""

from __future__ import annotations

import re
from functools import cache

from checkins.reader.tables import table
from checkins.reader.text import normalize, squeeze

__all__ = ["read_yes_no"]

_WORD = re.compile(r"[^\W_]+")


class _YesNo:
    def __init__(self) -> None:
        data = table("answers")["yes_no"]

        def words_of(phrase: str) -> tuple[str, ...]:
            text = re.sub(r"\d+", " num ", squeeze(normalize(phrase)).replace("'", ""))
            return tuple(_WORD.findall(text))

        def meanings(*groups):
            return {words_of(phrase): meaning for phrases, meaning in groups for phrase in phrases}

        self.words_of = words_of
        self.leading = meanings((data["yes"], True), (data["no"], False), (data["not_answers"], None))
        self.alone = meanings((data["yes_alone"], True), (data["no_alone"], False))
        self.recovery = meanings((data["lapse"], True), (data["clean"], False))
        self.fillers = frozenset(word for phrase in data["fillers"] for word in words_of(phrase))
        self.questions = meanings((data["questions"], None))
        self.leans_yes = meanings((data["leans_yes"], True), (data["uncertain"], None))
        self.hedges = meanings((data["hedges"], None), (data["uncertain"], None))
        self.negators = frozenset(word for phrase in data["negators"] for word in words_of(phrase))
        self.connectors = frozenset({"and", "or", "but", "y", "o", "pero", "n"})
        self.longest = max(len(key) for key in [*self.leading, *self.recovery, *self.leans_yes, *self.hedges])


@cache
def _yes_no() -> _YesNo:
    return _YesNo()


_EMOJI_ANSWERS = (
    ("\U0001f44d", " yes "),  # 👍
    ("\u2705", " yes "),  # ✅
    ("\u2714", " yes "),  # ✔
    ("\U0001f44e", " no "),  # 👎
    ("\u274c", " no "),  # ❌
)
_CLAUSES = re.compile(r"[,.;:!?\n]+")
_NOT_FOUND = object()


def _longest(words: list[str], start: int, phrases: dict, longest: int):
    for size in range(min(longest, len(words) - start), 0, -1):
        meaning = phrases.get(tuple(words[start : start + size]), _NOT_FOUND)
        if meaning is not _NOT_FOUND:
            return meaning, start + size
    return None


def _scan(words: list[str], phrases: dict, longest: int) -> list[tuple[object, int]]:
    """Every phrase of `phrases` in `words`, longest first, with where it starts."""
    found, index = [], 0
    while index < len(words):
        hit = _longest(words, index, phrases, longest)
        if hit is None:
            index += 1
        else:
            found.append((hit[0], index))
            index = hit[1]
    return found


def _recovery(clause: list[str], yes_no: _YesNo) -> set[bool]:
    meanings = set()
    for meaning, start in _scan(clause, yes_no.recovery, yes_no.longest):
        first = clause[start]
        negated = first not in yes_no.negators and any(
            word in yes_no.negators for word in clause[max(0, start - 3) : start]
        )
        meanings.add((not meaning) if negated else meaning)
    return meanings


def read_yes_no(text: str, safety: bool = False) -> bool | None:
    """True for yes, False for no, None when unclear (see the module docstring)."""
    yes_no = _yes_no()
    normalized = normalize(text)
    for emoji, word in _EMOJI_ANSWERS:
        normalized = normalized.replace(emoji, word)
    clauses = [
        list(_WORD.findall(re.sub(r"\d+", " num ", squeeze(part).replace("'", ""))))
        for part in _CLAUSES.split(normalized)
    ]
    words = [word for clause in clauses for word in clause]
    if not words:
        return None

    position = 0
    if _longest(words, 0, yes_no.leading, yes_no.longest) is None:
        while position < len(words) and words[position] in yes_no.fillers:
            position += 1
    if position < len(words) and _longest(words, position, yes_no.questions, yes_no.longest):
        return None

    if safety:
        hedges = [meaning for meaning, _ in _scan(words, yes_no.leans_yes, yes_no.longest)]
        if True in hedges:
            return True
        if hedges:
            return None
    elif _scan(words, yes_no.hedges, yes_no.longest):
        return None

    meanings: set[bool] = set()
    alone = _ALONE_NOT_FOUND
    if len(words) - position <= 3:
        alone = yes_no.alone.get(tuple(words[position:]), _ALONE_NOT_FOUND)
    if alone is not _ALONE_NOT_FOUND:
        meanings.add(alone)
    else:
        first = _longest(words, position, yes_no.leading, yes_no.longest)
        if first is not None:
            if first[0] is None:
                return None
            meanings.add(first[0])
            after = first[1]
            while after < len(words) and words[after] in yes_no.connectors:
                after += 1
            following = _longest(words, after, yes_no.leading, yes_no.longest)
            if following is not None and following[0] is (not first[0]):
                return None  # "yes and no", "yeah nah"
    for clause in clauses:
        meanings |= _recovery(clause, yes_no)
    if len(meanings) != 1:
        return None
    return meanings.pop()


_ALONE_NOT_FOUND = object()
