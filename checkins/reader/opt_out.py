"""Does this text ask us to stop texting? (tables/opt_out.toml)

A plain-language request to stop, in English or Spanish, anywhere in the
text: "please stop texting me", "take me off your list", "ya no me manden
mensajes", "quiero darme de baja". Not when it is negated ("don't stop
texting me"), about another person's texts ("my ex won't stop texting me",
"le dije a mi prima que ya no me escriba") or another sender's ("how do I
unsubscribe from the pharmacy texts?"), and not when it only objects to one
question ("stop asking about cravings") or says someone can't stop a habit.

The carrier keywords sent alone (STOP, PARA, BAJA...) are read by the SMS
layer (sms/keywords.py); this is the meaning layer above it. Pure, like the
rest of the reader.
"""

from __future__ import annotations

import re
from functools import cache

from checkins.reader.crisis import as_person
from checkins.reader.tables import compiled as compiled_with
from checkins.reader.tables import table
from checkins.reader.text import CLAUSE, words

__all__ = ["asks_to_stop"]


class _Tables:
    def __init__(self) -> None:
        data = table("opt_out")
        macros = data["macros"]

        def compiled(source: str) -> re.Pattern:
            return compiled_with(source, macros)

        requests = data["requests"]
        self.requests = [compiled(source) for source in requests["en"] + requests["es"]]
        self.whole = compiled(requests["whole"])
        self.stop_unless_answering = compiled(requests["stop_unless_answering"])
        self.negated = [compiled(source) for source in data["negated"]["patterns"]]
        self.people_verbs = frozenset(data["others"]["people_verbs"])
        self.senders = compiled(data["others"]["senders"])


@cache
def _tables() -> _Tables:
    return _Tables()


def _someone_elses(tokens: list[str], start: int, tables: _Tables) -> bool:
    """Another person, or asking another person, before the request in its clause."""
    for index in range(start - 1, -1, -1):
        word = tokens[index]
        if word == CLAUSE:
            return False
        if word in tables.people_verbs or as_person(word) in _PEOPLE:
            return True
    return False


_PEOPLE = frozenset(table("crisis")["people"]["third"]) - {"se"}


def asks_to_stop(message: str, answering_a_number: bool = False) -> bool:
    """True when the text asks, in plain words, for no more texts.
    `answering_a_number`: the member has a number question open, so "alto"
    ("high") is an answer, not "stop"."""
    tables = _tables()
    text = " ".join(words(message))
    plain = text.replace(f" {CLAUSE}", "").replace(CLAUSE, "").strip()
    if tables.whole.match(plain):
        return True
    if tables.stop_unless_answering.match(plain):
        return not answering_a_number
    if tables.senders.search(text) or any(pattern.search(text) for pattern in tables.negated):
        return False
    tokens = text.split(" ")
    for pattern in tables.requests:
        for match in pattern.finditer(text):
            if not _someone_elses(tokens, text.count(" ", 0, match.start()), tables):
                return True
    return False
