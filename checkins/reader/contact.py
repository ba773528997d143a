"""Does this text ask for a person to get in touch? (tables/contact.toml)

"can someone call me", "I need to talk", "necesito hablar con alguien",
"llámame porfa". Not when negated ("don't call me", "no necesito ayuda").
A crisis text is the crisis path's, read before this. Pure, like the rest of
the reader.
"""

from __future__ import annotations

import re
from functools import cache

from checkins.reader.tables import table
from checkins.reader.text import words

__all__ = ["asks_for_contact"]


@cache
def _patterns() -> tuple[list[re.Pattern], re.Pattern]:
    data = table("contact")
    requests = [re.compile(source) for source in data["requests"]["en"] + data["requests"]["es"]]
    return requests, re.compile(data["negation"]["pattern"])


def asks_for_contact(message: str) -> bool:
    """True when the text asks to be called, to talk, or for help."""
    requests, negated = _patterns()
    text = " ".join(words(message))
    if negated.search(text):
        return False
    return any(pattern.search(text) for pattern in requests)
