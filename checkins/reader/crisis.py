"""Does this text say the member, or someone with them, is in danger?

The knowledge is in tables/crisis.toml; this module only applies it, in
this order:

1. the text's words in canonical spelling (text.words), everyday phrases
   masked ("cut myself shaving");
2. a negation that is itself the crisis ("I don't want to live") -> crisis;
3. a crisis meaning ("I want to kill myself") -> crisis, unless the member
   denies it in the same clause ("I'm not going to kill myself") or it is
   about someone else ("my mom took a bunch of pills");
4. a topic word ("suicide", "overdose", "sobredosis") -> crisis, with the
   same checks, and not in awareness or news talk ("suicide prevention walk");
5. a final goodbye -> crisis, unless it says when they'll talk next;
6. someone else in danger right now ("my roommate is not breathing") ->
   other_in_danger.

Where in doubt the rules lean to crisis: a false alarm costs a peer
supporter a look; a miss can cost a life (docs/reader.md).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache

from checkins.reader.tables import compiled as compiled_with
from checkins.reader.tables import table
from checkins.reader.text import CLAUSE, words

__all__ = ["CRISIS", "NONE", "OTHER_IN_DANGER", "CrisisReading", "mentions_crisis", "read_crisis"]

NONE = "none"
CRISIS = "crisis"
OTHER_IN_DANGER = "other_in_danger"


@dataclass(frozen=True)
class CrisisReading:
    """What a text says about danger: kind is NONE, CRISIS or OTHER_IN_DANGER;
    category names the table section that decided it (for the report)."""

    kind: str
    category: str = ""

    @property
    def is_crisis(self) -> bool:
        return self.kind == CRISIS


@dataclass(frozen=True)
class _Rule:
    pattern: re.Pattern
    category: str


class _Tables:
    def __init__(self) -> None:
        data = table("crisis")
        macros = data["macros"]

        def compiled(source: str) -> re.Pattern:
            return compiled_with(source, macros)

        def rules(section: str, *keys: str) -> list[_Rule]:
            return [
                _Rule(compiled(source), entry["category"])
                for entry in data[section]
                for key in keys
                for source in entry.get(key, [])
            ]

        self.meanings = rules("meaning", "en", "es")
        self.negation_meanings = rules("negation_meaning", "en", "es")
        # One pass over the text first: most texts match no rule at all.
        self.any_meaning = re.compile("|".join(f"(?:{rule.pattern.pattern})" for rule in self.meanings))
        self.any_negation_meaning = re.compile(
            "|".join(f"(?:{rule.pattern.pattern})" for rule in self.negation_meanings)
        )
        self.topic = compiled(data["topic"][0]["words"])
        self.now = compiled(data["topic"][0]["now"])
        self.awareness = [compiled(data["awareness"]["en"]), compiled(data["awareness"]["es"])]
        self.death = compiled(data["awareness"]["death"])
        self.farewells = rules("farewell", "en", "es")
        self.farewell_until = compiled(data["farewell"][0]["until"])
        danger = data["other_in_danger"][0]
        self.other_with_a_person = [compiled(source) for source in danger["with_a_person"]]
        self.other_third_person = [compiled(source) for source in danger["third_person"]]
        self.other_person = compiled(danger["person"])
        self.masks = [compiled(source) for source in data["masks"]["patterns"]]
        self.first = frozenset(data["people"]["first"])
        self.third = frozenset(data["people"]["third"])
        self.object_me_after = frozenset(data["people"]["object_me_after"])
        self.spanish_perfect = compiled(data["people"]["spanish_perfect"])
        negation = data["negation"]
        self.negators = frozenset(negation["negators"])
        self.breaks = frozenset(negation["breaks"])
        self.subjects = frozenset(negation["subjects"])
        self.between = frozenset(negation["between"])
        self.weak_negators = frozenset(negation["weak_negators"])
        self.weak_names = frozenset(negation["weak_names"])
        self.reach = negation["reach"]


@cache
def _tables() -> _Tables:
    return _Tables()


def _index(text: str, position: int) -> int:
    """The word index at a character position of the joined text."""
    return text.count(" ", 0, position)


def _denied(tokens: list[str], start: int, tables: _Tables) -> bool:
    """A negator scopes over the statement starting at word `start`."""
    between: list[str] = []
    for index in range(start - 1, max(-1, start - 1 - tables.reach), -1):
        word = tokens[index]
        weak = word in tables.weak_negators and index + 1 < len(tokens) and tokens[index + 1] in tables.weak_names
        if word in tables.negators or weak:
            # "can't do this anymore, gonna end it": the denial closed before
            # the statement; so did one with other words between.
            return not any(w in ("more", "anymore", "longer") for w in between) and all(
                w in tables.between for w in between
            )
        if word in tables.breaks or word in tables.subjects:
            return False
        between.append(word)
    return False


def as_person(word: str) -> str:
    """A word as a person: "brothers" is "brother"."""
    return word[:-1] if word.endswith("s") and word[:-1] in _tables().third else word


def _is_first_person(tokens: list[str], index: int, tables: _Tables) -> bool:
    word = tokens[index]
    if word == "me" and index > 0 and tokens[index - 1] in tables.object_me_after:
        return False  # "next to me": an object, not who the statement is about
    # Spanish reflexive infinitives are first person by their ending: "matarme".
    return word in tables.first or (len(word) > 5 and word.endswith("rme"))


def _is_other_person(tokens: list[str], index: int, tables: _Tables) -> bool:
    word = tokens[index]
    if word == "he" and index + 1 < len(tokens) and tables.spanish_perfect.search(tokens[index + 1]):
        return False  # Spanish "he pensado": I have thought
    return as_person(word) in tables.third


def _about_someone_else(tokens: list[str], start: int, end: int, tables: _Tables) -> bool:
    """The statement's subject, looking back within its clause, is another person."""
    if any(_is_first_person(tokens, index, tables) for index in range(start, end)):
        return False
    for index in range(start - 1, -1, -1):
        if tokens[index] == CLAUSE or _is_first_person(tokens, index, tables):
            return False
        if _is_other_person(tokens, index, tables):
            return True
    return False


def _about_a_death(text: str, tokens: list[str], tables: _Tables) -> bool:
    """The text is about someone who died ("my uncle died of an overdose")."""
    return bool(tables.death.search(text)) and any(
        _is_other_person(tokens, index, tables) for index in range(len(tokens))
    )


def _reading(match: re.Match, text: str, tokens: list[str], tables: _Tables, deny: bool) -> str:
    """Whether one matched statement is about the member (CRISIS), about
    someone else (OTHER_IN_DANGER, for now) or denied (NONE)."""
    start = _index(text, match.start())
    end = _index(text, match.end() - 1) + 1
    if deny and _denied(tokens, start, tables):
        return NONE
    return OTHER_IN_DANGER if _about_someone_else(tokens, start, end, tables) else CRISIS


def _masked(text: str, tables: _Tables) -> str:
    for mask in tables.masks:
        text = mask.sub(lambda match: " ".join("_" for _ in match.group(0).split()), text)
    return text


@lru_cache(maxsize=512)
def read_crisis(message: str) -> CrisisReading:
    """Read one text for danger (see the module docstring for the order)."""
    tables = _tables()
    text = _masked(" ".join(words(message)), tables)
    if not text.strip(f" {CLAUSE}"):
        return CrisisReading(NONE)
    tokens = text.split(" ")
    talk = any(pattern.search(text) for pattern in tables.awareness) or _about_a_death(text, tokens, tables)
    someone_else = False

    # A negation that is the crisis is never a denial; a meaning may be denied.
    for rules, prefilter, deny in (
        (tables.negation_meanings, tables.any_negation_meaning, False),
        (tables.meanings, tables.any_meaning, True),
    ):
        for rule in rules if prefilter.search(text) else ():
            for match in rule.pattern.finditer(text):
                kind = _reading(match, text, tokens, tables, deny=deny)
                if kind == CRISIS:
                    return CrisisReading(CRISIS, rule.category)
                someone_else = someone_else or kind == OTHER_IN_DANGER
    if not tables.farewell_until.search(text):
        for rule in tables.farewells:
            if rule.pattern.search(text):
                return CrisisReading(CRISIS, "farewell")

    if _other_in_danger(text, tokens, tables):
        return CrisisReading(OTHER_IN_DANGER, "other_in_danger")
    if not talk:
        for match in tables.topic.finditer(text):
            kind = _reading(match, text, tokens, tables, deny=True)
            if kind == CRISIS:
                return CrisisReading(CRISIS, "topic")
            someone_else = someone_else or kind == OTHER_IN_DANGER
    # A crisis statement about someone else, happening now: "my friend says
    # she's going to jump", "mi primo se está sobredosificando ahorita".
    if someone_else and not talk and tables.now.search(text):
        return CrisisReading(OTHER_IN_DANGER, "other_in_danger")
    return CrisisReading(NONE)


def _other_in_danger(text: str, tokens: list[str], tables: _Tables) -> bool:
    if any(pattern.search(text) for pattern in tables.other_third_person):
        return True
    if not tables.other_person.search(text):
        return False
    for pattern in tables.other_with_a_person:
        for match in pattern.finditer(text):
            start = _index(text, match.start())
            if start == 0 or tokens[start - 1] not in ("i", "im"):
                return True
    return False


def mentions_crisis(message: str) -> bool:
    """True when the text says the member is in crisis, or someone with them
    is in danger now: both reach staff at once."""
    return read_crisis(message).kind != NONE
