"""The reader: what did the member mean? (docs/reader.md)

A small, pure component: no Django, no I/O, no logging (a text is health
information and must never reach a log), and no exception on any str. Its
knowledge lives in the TOML tables beside it, English and Spanish side by side:

- tables/text.toml     spelling, text speak, key words for fuzzy matching
- tables/crisis.toml   crisis meanings, negation, someone else in danger
- tables/answers.toml  scale words, number words, yes/no, recovery speak
- tables/opt_out.toml  plain-language requests to stop
- tables/contact.toml  asking to be called or to talk

Modules: text (normalising), crisis, answers (scales), yes_no, opt_out, contact.
"""

from checkins.reader.answers import SCALE, YES_NO, Asked, read_answer, read_scale
from checkins.reader.yes_no import read_yes_no
from checkins.reader.contact import asks_for_contact
from checkins.reader.crisis import CRISIS, NONE, OTHER_IN_DANGER, CrisisReading, mentions_crisis, read_crisis
from checkins.reader.opt_out import asks_to_stop
from checkins.reader.text import normalize

__all__ = [
    "CRISIS",
    "NONE",
    "OTHER_IN_DANGER",
    "SCALE",
    "YES_NO",
    "Asked",
    "asks_for_contact",
    "CrisisReading",
    "asks_to_stop",
    "mentions_crisis",
    "normalize",
    "read_answer",
    "read_crisis",
    "read_scale",
    "read_yes_no",
]
