"""Answers to check-in questions, read the way people text them.

``read_answer(text, asked)`` reads a reply to one question: an int on the
question's scale, 1/0 for yes/no, or None for "not understood, ask again".
Reading a reply wrongly is worse than asking again, so a reply that could
reasonably be read two ways gives None. The words it knows are in
tables/answers.toml.

Scale questions, in order:
1. Labelled replies ("mood 3, cravings 7"): only the part labelled with the
   question asked is read; a reply labelled only for other questions is None.
2. Numbers: digits, number words (misspellings too: "fiev", "sinco"),
   keycap emoji, fractions over the top of the scale ("7/10"). A range
   ("6-7", "entre 2 y 3"), a decimal ("3.5"), two numbers, or a number off
   the scale is None: never clamped, never read as the less worrying end.
3. Words: the prompt's own anchors ("very low" when the prompt says
   "1 (very low)"), then the question's word list (mood: "awful" 1 ... "great"
   5; craving: "none" 0 ... "very strong" 10; a question whose prompt
   names agreement ends: "strongly disagree" 1 ... "strongly agree" 6),
   intensified ("really bad" 1)
   and negated ("not good" 2, "not terrible" unclear). Words that disagree
   with each other are None; a number beats words.

Yes/no questions are read by checkins/reader/yes_no.py.

Pure functions: no Django, no I/O, no logging, and no exception on any str.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import cache, lru_cache

from rapidfuzz.distance import OSA

from checkins.reader.tables import table
from checkins.reader.text import normalize, sound, squeeze
from checkins.reader.yes_no import read_yes_no

__all__ = ["SCALE", "YES_NO", "Asked", "read_answer", "read_scale", "read_yes_no"]

SCALE = "scale"
YES_NO = "yes_no"
UNCLEAR = "unclear"


@dataclass(frozen=True)
class Asked:
    """The question a reply answers: its key ("mood"), kind (SCALE or YES_NO),
    scale and prompt texts (whose anchor words are read too)."""

    key: str
    kind: str
    low: int = 0
    high: int = 0
    prompts: tuple[str, ...] = field(default=())


# --------------------------------------------------------------------------
# words in their loose form
# --------------------------------------------------------------------------

_WORD = re.compile(r"[^\W_]+")


def _loose(word: str) -> str:
    """A word compared loosely: squeezed, no plural "s", Spanish o/a alike."""
    word = squeeze(word)
    if len(word) > 3 and word.endswith("s"):
        word = word[:-1]
    if len(word) > 3 and word.endswith("a"):
        word = word[:-1] + "o"
    return word


class _Words:
    def __init__(self) -> None:
        data = table("answers")
        self.data = data
        self.intensifiers = frozenset(_loose(word) for word in data["intensifiers"]["words"])
        self.negators = frozenset(_loose(word) for word in data["negation"]["words"])
        self.unclear_negators = frozenset(_loose(word) for word in data["negation"]["unclear"])
        self.negation_skip = frozenset(_loose(word) for word in data["negation"]["skip"])
        self.scales = {
            name: {
                **self.phrases(scale.get("en", {})),
                **self.phrases(scale.get("es", {})),
            }
            for name, scale in data["scale"].items()
        }
        self.scale_range = {name: (scale["low"], scale["high"]) for name, scale in data["scale"].items()}
        self.faces = data["faces"]
        self.scale_masks = self.regex(data["scale_masks"]["phrases"])
        numbers = data["numbers"]
        self.number_words = {word: value for word, value in numbers["words"]}
        self.number_sounds = {sound(word): value for word, value in numbers["words"] if len(word) > 2}
        self.number_protected = frozenset(numbers["protected"])
        self.not_numbers = self.regex(numbers["not_numbers"])
        self.labels = {key: [normalize(label) for label in labels] for key, labels in data["labels"].items()}
        self.label_regex = re.compile(
            r"\b("
            + "|".join(
                re.escape(label)
                for label in sorted((label for labels in self.labels.values() for label in labels), key=len)[::-1]
            )
            + r")\b"
        )
        self.label_key = {label: key for key, labels in self.labels.items() for label in labels}

    def loose_words(self, text: str) -> list[str]:
        """Loose words, intensifiers read as "very", negations as "not", a
        word said twice ("very very") once."""
        out: list[str] = []
        for word in _WORD.findall(normalize(text).replace("'", "")):
            word = _loose(word)
            if word in self.intensifiers:
                word = "very"
            elif word in self.negators:
                word = "not"
            if not out or out[-1] != word:
                out.append(word)
        return out

    def phrases(self, entries: dict) -> dict[tuple[str, ...], int | str]:
        return {tuple(self.loose_words(phrase)): value for phrase, value in entries.items()}

    @staticmethod
    def regex(phrases: list[str]) -> re.Pattern:
        forms = sorted({normalize(phrase) for phrase in phrases}, key=len, reverse=True)
        return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(form) for form in forms) + r")(?!\w)")


@cache
def _words() -> _Words:
    return _Words()


# --------------------------------------------------------------------------
# labelled replies
# --------------------------------------------------------------------------

_LABEL_SEPARATOR = re.compile(r"^\s*[:=\-]")
_LEADS_WITH_NUMBER = re.compile(r"^\s*[:=\-]?\s*\d")


def _labelled_part(normalized: str, asked: Asked) -> str | None:
    """The part of a labelled reply that answers `asked`; the whole text when
    the reply is not labelled; None when it is labelled only for others."""
    words = _words()
    found = [(match, words.label_key[match.group(1)]) for match in words.label_regex.finditer(normalized)]
    if not found:
        return normalized
    keys = {key for _, key in found}
    labelled = len(keys) > 1 or any(
        _LABEL_SEPARATOR.match(normalized[match.end() :])
        or (asked.kind == SCALE and _LEADS_WITH_NUMBER.match(normalized[match.end() :]))
        for match, _ in found
    )
    if not labelled:
        return normalized
    for index, (match, key) in enumerate(found):
        if key == asked.key:
            end = found[index + 1][0].start() if index + 1 < len(found) else len(normalized)
            return normalized[match.end() : end].strip(" :=-,;/|")
    return None


# --------------------------------------------------------------------------
# numbers
# --------------------------------------------------------------------------

_KEYCAP_TEN = "\U0001f51f"  # 🔟
_HALF = re.compile(r"(\d+) (?:y|and a|and) (?:medio|half)\b")

# "scale of 1 to 10", "from 1 to 5", "del 1 al 5": the member repeating the
# question. With "scale" always skipped; otherwise only when the two numbers
# are exactly the ends of this scale ("from 3 to 7" is a real range).
_SCALE_ECHO = re.compile(
    r"\b(?:(?P<scale>scale|escala) (?:of |from |del |de |between )?|from |del |de |between |entre )"
    r"(?P<a>\d+) ?(?:-|to|al|a|and|y) ?(?P<b>\d+)\b"
)
_NUMBER = r"\d+(?:[.,]\d+)*"
_ANSWER = re.compile(
    r"(?:(?P<minus>(?<![\w-])-)|(?<!\w))"
    r"(?<!\d[.,])"
    rf"(?P<a>{_NUMBER})"
    rf"(?: ?(?:-|~|to|or|o|a|and|y|&|maybe|or maybe|o tal vez) ?(?P<b>{_NUMBER}))?"
    rf"(?: ?(?:/|out of|outta|of|de|sobre|over) ?(?P<den>{_NUMBER}))?"
)
_MAX_NUMBER_CHARS = 12


def _number_word(word: str) -> int | None:
    words = _words()
    if word in words.number_words:
        return words.number_words[word]
    if len(word) < 3 or word in words.number_protected or not word.isalpha():
        return None
    heard = sound(squeeze(word, keep=2))
    if heard in words.number_sounds:
        return words.number_sounds[heard]
    for target, value in words.number_sounds.items():
        if target[:1] == heard[:1] and OSA.distance(heard, target, score_cutoff=1) <= 1:
            # A three-letter number word ("six", "ten") only takes an extra
            # letter ("sixx", "tenn"), never a changed one ("sex").
            if len(target) <= 3 and not (len(heard) == len(target) + 1 and heard.startswith(target)):
                continue
            return value
    return None


def _spelled_numbers(normalized: str) -> str:
    def replace(match: re.Match) -> str:
        word = match.group(0)
        # "una" is an article in "en una escala del 1 al 10".
        if word in ("una", "uno") and normalized[match.end() : match.end() + 7] == " escala":
            return word
        value = _number_word(word)
        return word if value is None else str(value)

    return re.sub(r"[a-z]+", replace, normalized)


def _parse(token: str) -> Decimal | None:
    if "," in token or token.count(".") > 1 or len(token) > _MAX_NUMBER_CHARS:
        return None
    try:
        return Decimal(token)
    except InvalidOperation:
        return None


_ABSENT = object()


def _number(normalized: str, low: int, high: int):
    """The one number on the scale, None when numbers are there but unclear,
    or _ABSENT when the reply has no number."""
    words = _words()
    text = normalized.replace(_KEYCAP_TEN, " 10 ")
    text = words.not_numbers.sub(" ", text)
    text = _HALF.sub(r"\1.5", text)
    text = _spelled_numbers(text)
    text = _SCALE_ECHO.sub(
        lambda match: " "
        if match.group("scale") or (match.group("a"), match.group("b")) == (str(low), str(high))
        else match.group(0),
        text,
    )
    matches = list(_ANSWER.finditer(text))
    if not matches:
        return _ABSENT
    if len(matches) > 1 or matches[0].group("minus") or matches[0].group("b") is not None:
        return None  # two numbers, a range or a negative number: ask again
    match = matches[0]
    if match.group("den") is not None and _parse(match.group("den")) != high:
        return None
    value = _parse(match.group("a"))
    if value is None or value != value.to_integral_value() or not low <= value <= high:
        return None
    return int(value)


def read_scale(text: str, low: int, high: int) -> int | None:
    """The number on the scale low..high in a reply, or None (numbers only)."""
    if low > high:
        return None
    value = _number(normalize(text), low, high)
    return None if value is _ABSENT else value


# --------------------------------------------------------------------------
# scale words
# --------------------------------------------------------------------------

_ANCHOR = re.compile(r"(\d+)\s*\(([^()]{1,40})\)")


@lru_cache(maxsize=256)
def _anchors(prompts: tuple[str, ...], low: int, high: int) -> dict[tuple[str, ...], int]:
    """Words a prompt puts beside a number: "from 1 (very low) to 5 (very good)"."""
    words = _words()
    anchors: dict[tuple[str, ...], int] = {}
    for prompt in prompts:
        for number, label in _ANCHOR.findall(prompt):
            if low <= int(number) <= high and words.loose_words(label):
                anchors[tuple(words.loose_words(label))] = int(number)
    return anchors


@lru_cache(maxsize=256)
def _table_for_prompts(prompts: tuple[str, ...], low: int, high: int) -> str | None:
    """A word table chosen by the prompt, for questions the table does not
    name by key: a series question saying "1 (strongly disagree) to 6
    (strongly agree)" is read with the agreement words."""
    words = _words()
    texts = [normalize(prompt) for prompt in prompts]
    for name, scale in words.data["scale"].items():
        signs = [normalize(sign) for sign in scale.get("prompt_words", ())]
        if signs and words.scale_range[name] == (low, high) and any(s in t for s in signs for t in texts):
            return name
    return None


def _intensified(value: int | str, low: int, high: int) -> int | str:
    """"really bad" is one step further out than "bad"."""
    if value == UNCLEAR or high - low != 4:
        return value
    if value <= low + 1:
        return low
    if value >= high - 1:
        return high
    return UNCLEAR


def _scale_words(part: str, asked: Asked) -> int | None | object:
    words = _words()
    table_name = words.data["questions"].get(asked.key) or _table_for_prompts(asked.prompts, asked.low, asked.high)
    phrases: dict[tuple[str, ...], int | str] = {}
    if table_name and words.scale_range[table_name] == (asked.low, asked.high):
        phrases.update(words.scales[table_name])
        for face, value in words.faces.items() if table_name == "wellbeing" else ():
            part = part.replace(face, f" face{value} ")
    for value in range(asked.low, asked.high + 1):
        phrases.setdefault((f"face{value}",), value)
    phrases.update(_anchors(asked.prompts, asked.low, asked.high))
    tokens = words.loose_words(words.scale_masks.sub(" ", part))
    longest = max((len(key) for key in phrases), default=0)
    values: list[int | str] = []
    index = 0
    while index < len(tokens):
        found = _phrase_at(tokens, index, phrases, longest)
        if found is None:
            index += 1
            continue
        key, value = found
        value = _negated(tokens, index, key, value, phrases)
        values.append(value)
        index += len(key)
    if not values:
        return _ABSENT
    if UNCLEAR in values or len(set(values)) > 1:
        return None
    return values[0]


def _phrase_at(tokens, index, phrases, longest):
    for size in range(min(longest, len(tokens) - index), 0, -1):
        key = tuple(tokens[index : index + size])
        if key in phrases:
            return key, phrases[key]
        if key[0] == "very" and size > 1 and key[1:] in phrases:
            return key, _intensified(phrases[key[1:]], *_ends(phrases))
    return None


def _ends(phrases) -> tuple[int, int]:
    numbers = [value for value in phrases.values() if isinstance(value, int)]
    return (min(numbers), max(numbers)) if numbers else (0, 0)


def _negated(tokens, index, key, value, phrases):
    """ "not good" is 2 (the table says so); "not terrible" and "nada bien"
    are unclear; "not very good" is "not good"."""
    words = _words()
    if key[0] == "not":
        return value
    between = []
    for back in range(index - 1, max(-1, index - 4), -1):
        word = tokens[back]
        if word in words.unclear_negators:
            return UNCLEAR
        if word == "not":
            if any(other not in words.negation_skip for other in between):
                return UNCLEAR
            plain = key[1:] if key[0] == "very" else key
            return phrases.get(("not",) + plain, UNCLEAR)
        between.append(word)
    return value


# --------------------------------------------------------------------------
# one reply to one question
# --------------------------------------------------------------------------


def read_answer(text: str, asked: Asked) -> int | None:
    """The value a reply gives the question asked, or None to ask again."""
    normalized = normalize(text)
    if not normalized:
        return None
    part = _labelled_part(normalized, asked)
    if part is None:
        return None
    if asked.kind == YES_NO:
        value = read_yes_no(part, safety=asked.key == "safety")
        return None if value is None else int(value)
    if asked.low > asked.high:
        return None
    number = _number(part, asked.low, asked.high)
    if number is not _ABSENT:
        return number
    worded = _scale_words(part, asked)
    return None if worded is _ABSENT else worded
