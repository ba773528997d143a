"""The reply reader: what did the member mean?

Members answer check-in questions by SMS, in their own words, in English or
Spanish. This module turns one reply into an answer the rest of the system can
store, or into None, which means "not understood, ask again". Reading a reply
wrongly is worse than asking again, so whenever a reply could reasonably be
read two ways the rules below give None.

Everything here is a pure function: no Django, no I/O, and no logging or
printing (a reply is health information and must never end up in a log).
No function raises on any ``str``, however long or strange, and a short reply
is read in a few tens of microseconds.

normalize(text)
    Lowercases, maps "smart" quotes and dashes to ASCII, turns fullwidth and
    other compatibility characters into plain ones (NFKC), strips accents
    ("séis" -> "seis", "daño" -> "dano"), removes invisible characters
    (zero-width spaces, emoji variation selectors, keycap marks, so "4️⃣" is
    "4"), turns control characters into spaces and collapses whitespace.
    "4½" becomes "4.5". All the word lists below are written in this form.

read_scale(text, low, high)
    Reads one number on the scale low..high (mood 1..5, craving 0..10).

    * Digits, and the number words zero..ten and cero..diez ("uno" and "una"
      are both 1): "4", " 4 ", "4.", "4!!", "four", "cuatro" -> 4.
    * The number may sit inside a sentence and among emoji:
      "like a 7 tbh", "prob 3", "i'd say 2", "mood is 4 today 😊".
    * Fractions count only when the bottom number is the top of the scale:
      "7/10", "7 out of 10", "7 of 10", "7 de 10" -> 7 on 0..10, but
      "3/10" on 1..5 -> None (was that a 2? a 3?).
    * RANGES AND DOUBLES TAKE THE HIGHER NUMBER: "6-7", "6 or 7", "6 to 7",
      "6 o 7", "entre 6 y 7" -> 7. For cravings this is the safer reading: a
      "6-7" craving is treated as a 7. (For mood, where low is bad, it is the
      less alarming one; the rule is the same on every scale so that it is
      easy to predict.) Both numbers must be on the scale.
    * DECIMALS ARE ROUNDED HALF UP when the number itself is on the scale:
      "7.5" -> 8, "4.5" on 1..5 -> 5, "5.5" on 1..5 -> None. A comma is never
      read as a decimal point ("7,5" might be "7, 5"), so it gives None.
    * None for: numbers off the scale ("12" on 0..10, "0" on 1..5, "100"),
      negative numbers ("-3"), two separate numbers ("2 hours ago it was 8",
      "like 6, maybe 7", even "4 4"), and replies without a number. A number
      glued to letters is not read ("b12", "mp3", and so also "mood4").
    * Repeating the scale is not an answer and is skipped:
      "on a scale of 1-10, 7" -> 7, "from 1 to 5 i'd say 3" -> 3.
    * Phrases that hold a number but are not an answer are skipped:
      "one day at a time", "un dia a la vez", "12 steps", "24/7", "no one",
      "one of those days".
    * Words such as "good" or "bad" are never turned into numbers.

read_yes_no(text)
    Reads a yes/no answer, in English or Spanish, with these rules in order
    (the word lists are YES_PHRASES, NO_PHRASES, HEDGE_PHRASES, ... below):

    1. A hedge anywhere in the reply ("maybe", "idk", "not sure", "kinda",
       "sometimes", "tal vez", "no sé", "más o menos", ...) -> None.
    2. Small opening words ("um", "well", "ok", "lol", "sadly", "pues", ...)
       are skipped.
    3. Some short answers count only as the whole reply: "y", "n", "i am",
       "i do", "im not", "i don't", "i haven't". ("I am" answers the
       question; "I am fine" does not.)
    4. THE FIRST WORDS DECIDE: a reply that starts with a yes-phrase is True
       ("yeah a little", "sí", "claro", "i did", 👍); one that starts with a
       no-phrase is False ("no, I stayed clean", "no cravings today", "nope",
       "nada", "i didn't", 👎). The longest phrase wins, so "claro que no" and
       "ya no" are no, "no doubt" is yes, and "no one cares" is not an answer.
       The rest of the reply is not read, except for rule 5.
    5. If the very next answer-phrase (after "and", "or", "but", "y", "o",
       "pero" or punctuation) means the opposite, the reply contradicts
       itself -> None: "yes and no", "yeah nah", "👍👎", and also
       "yes, no cravings" (asking again beats guessing).
    Anything else -> None ("ok", "I'm good", "i think so", "a little").
    Repeated letters are ignored, so "yesss", "nooo" and "siii" work.

mentions_crisis(text)
    True when the reply contains language of suicide, self-harm or overdose,
    in English or Spanish, anywhere in the message. It matches whole words
    and phrases from the lists below (CRISIS_PHRASES_EN, CRISIS_PHRASES_ES,
    CRISIS_WORD_BEGINNINGS) after normalizing, so case, accents, apostrophes
    and extra spaces do not matter. There is deliberately no handling of
    negation: "I'm not suicidal" is True, because any mention of it deserves
    a human look. Idioms such as "this traffic is killing me", "dead tired",
    "I'm dying to see my kids" or "me mató de risa" are not in the lists and
    give False. NOT_CRISIS_PHRASES lists the few everyday phrases that are
    removed before matching ("me corté el pelo").
    It leans towards True: a false alarm costs a staff member a look, a miss
    can cost much more. Known false alarms: "hurt myself at the gym",
    "I cut myself cooking", "suicide squad", and "OD" used as slang for
    "very" ("that's OD funny").
    The lists are plain text on purpose, so a clinician can review them.
"""

import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal

__all__ = [
    "CRISIS_PHRASES_EN",
    "CRISIS_PHRASES_ES",
    "CRISIS_WORD_BEGINNINGS",
    "FILLER_WORDS",
    "HEDGE_PHRASES",
    "NOT_ANSWER_PHRASES",
    "NOT_CRISIS_PHRASES",
    "NO_ONLY_ALONE",
    "NO_PHRASES",
    "YES_ONLY_ALONE",
    "YES_PHRASES",
    "mentions_crisis",
    "normalize",
    "read_scale",
    "read_yes_no",
]


# --------------------------------------------------------------------------
# normalize
# --------------------------------------------------------------------------

# Phones and keyboards insert typographic quotes and dashes; the rules below
# are written with plain ASCII ones.
_PUNCTUATION = str.maketrans(
    {
        "\u2018": "'",  # ‘
        "\u2019": "'",  # ’
        "\u201a": "'",  # ‚
        "\u201b": "'",  # ‛
        "\u2032": "'",  # ′
        "\u00b4": "'",  # ´ (typed as an apostrophe on some Spanish keyboards)
        "`": "'",
        "\u201c": '"',  # “
        "\u201d": '"',  # ”
        "\u201e": '"',  # „
        "\u201f": '"',  # ‟
        "\u2033": '"',  # ″
        "\u00ab": '"',  # «
        "\u00bb": '"',  # »
        "\u2010": "-",  # hyphen
        "\u2011": "-",  # non-breaking hyphen
        "\u2012": "-",  # figure dash
        "\u2013": "-",  # en dash
        "\u2014": "-",  # em dash
        "\u2015": "-",  # horizontal bar
        "\u2212": "-",  # minus sign
        "\u2044": "/",  # fraction slash (NFKC turns "½" into "1⁄2")
        "\u2215": "/",  # division slash
    }
)

# Pure-ASCII replies (most of them) take a fast path: only control
# characters and the backtick need mapping.
_ASCII_TABLE = str.maketrans({**{chr(code): " " for code in range(32)}, "\x7f": " ", "`": "'"})

# NFKC would turn "4½" into "41⁄2"; after a digit the fraction is a decimal.
_FRACTION_AFTER_DIGIT = re.compile(r"(?<=\d)[½¼¾]")
_FRACTION_DECIMALS = {"½": ".5", "¼": ".25", "¾": ".75"}

# Unicode categories removed outright: combining marks (accents, emoji
# variation selectors, the keycap in "4️⃣"), invisible format characters
# (zero-width space and joiner, BOM, soft hyphen) and lone surrogates.
_DROPPED_CATEGORIES = frozenset({"Mn", "Me", "Cf", "Cs"})


def normalize(text: str) -> str:
    """Lowercase, ASCII punctuation, no accents, single spaces (see module docstring)."""
    if not text:
        return ""
    if text.isascii():
        return " ".join(text.translate(_ASCII_TABLE).lower().split())
    text = _FRACTION_AFTER_DIGIT.sub(lambda match: _FRACTION_DECIMALS[match.group(0)], text)
    # Mapped before NFKC (which would split "´" into a space and an accent)
    # and after it (NFKC produces the fraction slash).
    text = unicodedata.normalize("NFKC", text.translate(_PUNCTUATION)).translate(_PUNCTUATION)
    kept = []
    for char in unicodedata.normalize("NFD", text.lower()):
        category = unicodedata.category(char)
        if category in _DROPPED_CATEGORIES:
            continue
        # Other control, private-use, unassigned and separator characters.
        kept.append(" " if category[0] in "CZ" else char)
    # NFC puts back together what NFD split and is not an accent (Hangul...).
    return " ".join(unicodedata.normalize("NFC", "".join(kept)).split())


# Words are runs of letters and digits; apostrophes are removed first so that
# "didn't" and "didnt" are the same word.
_WORD_RE = re.compile(r"[^\W_]+")


def _words(normalized: str) -> list[str]:
    return _WORD_RE.findall(normalized.replace("'", ""))


# --------------------------------------------------------------------------
# read_scale
# --------------------------------------------------------------------------

_NUMBER_WORDS = {
    "zero": "0",
    "one": "1",
    "two": "2",
    "three": "3",
    "four": "4",
    "five": "5",
    "six": "6",
    "seven": "7",
    "eight": "8",
    "nine": "9",
    "ten": "10",
    "cero": "0",
    "uno": "1",
    "una": "1",
    "dos": "2",
    "tres": "3",
    "cuatro": "4",
    "cinco": "5",
    "seis": "6",
    "siete": "7",
    "ocho": "8",
    "nueve": "9",
    "diez": "10",
}
# Not before "scale": in "en una escala del 1 al 10" the "una" is an article.
_NUMBER_WORD_RE = re.compile(r"\b(?:" + "|".join(_NUMBER_WORDS) + r")\b(?! (?:scale|escala)\b)")

# Phrases with a number in them that are not an answer. Recovery slogans
# come up often ("one day at a time" must not be read as a mood of 1).
_NOT_AN_ANSWER_RE = re.compile(
    r"\b(?:one|1) day at a time\b"
    r"|\bun dia a la vez\b"
    r"|\b(?:12|twelve|doce) ?-? ?(?:steps?|pasos?)\b"
    r"|\b24 ?/ ?7\b"
    r"|\bno one\b"
    r"|\bone of those days\b"
)

# "scale of 1 to 10", "from 1 to 5", "del 1 al 5": the member repeating the
# question. With the word "scale" it is always skipped; otherwise only when
# the two numbers are exactly the ends of this scale ("from 3 to 7" is a
# real range).
_SCALE_ECHO_RE = re.compile(
    r"\b(?:(?P<scale>scale|escala) (?:of |from |del |de |between )?|from |del |de |between |entre )"
    r"(?P<a>\d+) ?(?:-|to|al|a|and|y) ?(?P<b>\d+)\b"
)

_NUMBER = r"\d+(?:[.,]\d+)*"  # "7", "7.5", and on purpose also "7,5" and "1.2.3" (rejected later)
_ANSWER_RE = re.compile(
    # A minus sign counts only when it is not a range dash ("6-7", "mood-7").
    r"(?:(?P<minus>(?<![\w-])-)|(?<!\w))"
    # Not the tail of "4.5" or "4,5", and not glued to a word ("b12", "mp3").
    r"(?<!\d[.,])"
    rf"(?P<a>{_NUMBER})"
    rf"(?: ?(?:-|~|to|or|o|a|and|y|&) ?(?P<b>{_NUMBER}))?"
    rf"(?: ?(?:/|out of|outta|of|de|sobre|over) ?(?P<den>{_NUMBER}))?"
)

# Longer tokens are never on a scale; the cap also keeps Decimal cheap.
_MAX_NUMBER_CHARS = 12


def _parse_number(token: str) -> Decimal | None:
    """A plain integer or decimal; None for "7,5", "1.2.3" and absurdly long tokens."""
    if "," in token or token.count(".") > 1 or len(token) > _MAX_NUMBER_CHARS:
        return None
    return Decimal(token)


def _is_scale_echo(match: re.Match, low: int, high: int) -> bool:
    if match.group("scale"):
        return True
    a, b = match.group("a"), match.group("b")
    return len(a) <= 6 and len(b) <= 6 and int(a) == low and int(b) == high


def _value_of(match: re.Match, low: int, high: int) -> int | None:
    if match.group("minus"):
        return None
    if match.group("den") is not None and _parse_number(match.group("den")) != high:
        return None
    values = [_parse_number(match.group("a"))]
    if match.group("b") is not None:
        values.append(_parse_number(match.group("b")))
    for value in values:
        if value is None or not low <= value <= high:
            return None
    return int(max(values).to_integral_value(rounding=ROUND_HALF_UP))


def read_scale(text: str, low: int, high: int) -> int | None:
    """The number on the scale low..high in the reply, or None if not clearly one."""
    if low > high:
        return None
    normalized = normalize(text)
    if not normalized:
        return None
    normalized = normalized.replace("\U0001f51f", " 10 ")  # the "🔟" emoji
    normalized = _NOT_AN_ANSWER_RE.sub(" ", normalized)
    normalized = _NUMBER_WORD_RE.sub(lambda match: _NUMBER_WORDS[match.group(0)], normalized)
    normalized = _SCALE_ECHO_RE.sub(
        lambda match: " " if _is_scale_echo(match, low, high) else match.group(0), normalized
    )
    found = None
    for match in _ANSWER_RE.finditer(normalized):
        if found is not None:
            return None  # two separate numbers: ambiguous
        found = match
    if found is None:
        return None
    return _value_of(found, low, high)


# --------------------------------------------------------------------------
# read_yes_no
# --------------------------------------------------------------------------

# A reply that starts with one of these is a yes (rule 4).
YES_PHRASES = (
    "yes", "yeah", "yea", "yeh", "ye", "yh", "yah", "ya", "yep", "yup", "yas", "yessir",
    "sure", "of course", "ofc", "absolutely", "definitely", "def", "certainly",
    "correct", "affirmative", "no doubt", "hell yes", "hell yeah", "i did", "did",
    "si", "sip", "claro", "claro que si", "por supuesto", "obvio", "asi es", "simon",
)  # fmt: skip

# A reply that starts with one of these is a no (rule 4).
NO_PHRASES = (
    "no", "nah", "naw", "na", "nope", "nop", "nay", "nel", "negative", "never", "none", "nada",
    "no way", "not at all", "not really", "not once", "not today", "not yet", "hell no",
    "definitely not", "def not", "absolutely not", "of course not", "certainly not",
    "i didnt", "i did not", "didnt", "did not",
    "nunca", "para nada", "tampoco", "ya no", "claro que no", "por supuesto que no",
    "obvio no", "obvio que no", "todavia no", "aun no", "de ninguna manera",
)  # fmt: skip

# Answers only when they are the whole reply (rule 3): "i am" is a yes, but
# "i am fine" is not; "i dont" is a no, but "i don't feel good" is not.
YES_ONLY_ALONE = ("y", "i am", "i do", "i have")
NO_ONLY_ALONE = ("n", "im not", "i am not", "i dont", "i do not", "i havent", "i have not", "havent")

# Start like a no but are not one: "no one cares" must not read as "no"
# to "Are you having thoughts of hurting yourself?".
NOT_ANSWER_PHRASES = ("no one", "no importa")

# Any of these anywhere in the reply makes it unclear (rule 1).
HEDGE_PHRASES = (
    "maybe", "mayb", "perhaps", "possibly", "probably", "idk", "idek", "dunno",
    "i dont know", "dont know", "not sure", "not really sure", "unsure", "not certain",
    "kinda", "kind of", "sorta", "sort of", "somewhat", "sometimes", "depends",
    "so so", "hard to say", "dont remember", "cant remember", "no idea", "no clue",
    "tal vez", "talvez", "quizas", "quiza", "a lo mejor", "puede ser", "no se", "no lo se",
    "ni idea", "no estoy seguro", "no estoy segura", "mas o menos", "a veces", "depende",
    "no me acuerdo", "no recuerdo",
)  # fmt: skip

# Opening words skipped before the answer (rule 2): "um yes", "sadly yes", "pues si".
FILLER_WORDS = (
    "um", "uhm", "uh", "hm", "m", "eh", "ah", "oh", "well", "ok", "okay", "so", "lol",
    "haha", "hahaha", "jaja", "jajaja", "hey", "hi", "hello", "hola", "honestly", "tbh",
    "actually", "unfortunately", "sadly", "pues", "bueno", "oye", "lamentablemente",
    "desafortunadamente", "desgraciadamente",
)  # fmt: skip

# Words allowed between two answer phrases (rule 5): "yes and no", "si o no".
_CONNECTORS = ("and", "or", "but", "y", "o", "pero", "n")

_EMOJI_ANSWERS = (
    ("\U0001f44d", "yes"),  # 👍
    ("\u2705", "yes"),  # ✅
    ("\u2714", "yes"),  # ✔
    ("\U0001f44e", "no"),  # 👎
    ("\u274c", "no"),  # ❌
)

_REPEATED_LETTER_RE = re.compile(r"(.)\1+")


def _squeeze(text: str) -> str:
    """Collapse repeated letters ("yesss" -> "yes"); the word lists get the same treatment."""
    return _REPEATED_LETTER_RE.sub(r"\1", text)


def _phrase_words(phrase: str) -> tuple[str, ...]:
    return tuple(_words(_squeeze(normalize(phrase))))


def _meanings(*groups: tuple[tuple[str, ...], bool | None]) -> dict[tuple[str, ...], bool | None]:
    return {_phrase_words(phrase): meaning for phrases, meaning in groups for phrase in phrases}


# Phrase (as a tuple of words) -> True, False, or None for "not an answer".
_LEADING = _meanings((YES_PHRASES, True), (NO_PHRASES, False), (NOT_ANSWER_PHRASES, None))
_ALONE = _meanings((YES_ONLY_ALONE, True), (NO_ONLY_ALONE, False))
_LONGEST_LEADING = max(len(key) for key in _LEADING)
_LONGEST_ALONE = max(len(key) for key in _ALONE)
_HEDGES = tuple(" " + " ".join(_phrase_words(phrase)) + " " for phrase in HEDGE_PHRASES)
_FILLERS = frozenset(_phrase_words(" ".join(FILLER_WORDS)))
_CONNECTOR_WORDS = frozenset(_CONNECTORS)
_NOT_FOUND = object()


def _leading_answer(words: list[str], start: int) -> tuple[bool | None, int] | None:
    """The meaning of the longest phrase from `start` in _LEADING, and where it ends."""
    for size in range(min(_LONGEST_LEADING, len(words) - start), 0, -1):
        meaning = _LEADING.get(tuple(words[start : start + size]), _NOT_FOUND)
        if meaning is not _NOT_FOUND:
            return meaning, start + size
    return None


def read_yes_no(text: str) -> bool | None:
    """True for yes, False for no, None when unclear (see module docstring for the rules)."""
    normalized = normalize(text)
    for emoji, word in _EMOJI_ANSWERS:
        normalized = normalized.replace(emoji, f" {word} ")
    # Squeezing the whole text at once is the same as word by word (a letter
    # and a separator are never the same character), and much faster.
    words = _words(_squeeze(normalized))
    padded = " " + " ".join(words) + " "
    if any(hedge in padded for hedge in _HEDGES):
        return None
    position = 0
    while position < len(words) and words[position] in _FILLERS:
        position += 1
    if len(words) - position <= _LONGEST_ALONE:
        alone = _ALONE.get(tuple(words[position:]))
        if alone is not None:
            return alone
    first = _leading_answer(words, position)
    if first is None or first[0] is None:
        return None
    meaning, position = first
    while position < len(words) and words[position] in _CONNECTOR_WORDS:
        position += 1
    following = _leading_answer(words, position)
    if following is not None and following[0] is (not meaning):
        return None  # "yes and no", "yeah nah"
    return meaning


# --------------------------------------------------------------------------
# mentions_crisis
# --------------------------------------------------------------------------

# Whole words or phrases, written as members type them: lowercase, no
# accents, apostrophes optional ("dont" also matches "don't"). A phrase
# matches only whole words: "kms" does not match "kmsl".
CRISIS_PHRASES_EN = (
    # suicide
    "kill myself", "killing myself", "kill my self", "killmyself", "kms",
    "end my life", "ending my life", "end my own life", "take my life", "take my own life",
    "taking my own life", "end it all", "ending it all",
    "want to end it", "wanna end it", "gonna end it", "going to end it",
    "want to die", "wanna die", "wanting to die", "ready to die",
    "want to be dead", "wanna be dead", "wish i was dead", "wish i were dead",
    "better off dead", "better off without me",
    "dont want to live", "dont wanna live", "dont want to be alive", "dont want to be here anymore",
    "dont want to wake up", "never wake up", "no reason to live", "no reason to go on",
    "nothing to live for", "not worth living",
    "hang myself", "shoot myself", "slit my wrist", "slit my wrists", "jump off a bridge",
    "sewerslide", "sewer slide",
    # self-harm
    "hurt myself", "hurting myself", "harm myself", "harming myself",
    "self harm", "selfharm", "self harming", "self injury",
    "cut myself", "cutting myself", "burn myself", "burning myself",
    # overdose ("OD'd" and "OD'ing" are read as "od d" and "od ing")
    "od", "oded", "oding", "took too many pills", "too many pills",
    "took a bunch of pills", "whole bottle of pills",
)  # fmt: skip

CRISIS_PHRASES_ES = (
    # suicidio
    "no quiero vivir", "no quiero seguir viviendo", "no quiero estar vivo", "no quiero estar viva",
    "quiero morir", "quiero morirme", "me quiero morir", "quisiera morirme",
    "quisiera estar muerto", "quisiera estar muerta", "mejor muerto", "mejor muerta",
    "me quiero matar", "quiero matarme", "me voy a matar", "voy a matarme", "pienso en matarme",
    "quitarme la vida", "acabar con mi vida", "terminar con mi vida", "acabar con todo",
    "irme de este mundo", "ahorcarme",
    # autolesion
    "hacerme dano", "me hice dano", "me estoy haciendo dano", "lastimarme",
    "cortarme", "me corte", "me estoy cortando",
    # sobredosis
    "demasiadas pastillas", "tome muchas pastillas",
)  # fmt: skip

# Any word that begins with one of these: "suicide", "suicidal", "suicidio",
# "suicidarme"; "overdose", "overdosed", "overdosing" (but not "overdue");
# "autolesion", "autolesionarme"; "unalive", "unaliving"; "sobredosis".
CRISIS_WORD_BEGINNINGS = ("suicid", "overdos", "autolesi", "unaliv", "sobredosis")

# Everyday phrases removed before matching. Keep this list short: anything
# here can hide a real message.
NOT_CRISIS_PHRASES = (
    "me corte el pelo", "me corte el cabello", "cortarme el pelo", "cortarme el cabello",
    "cut myself shaving",
)  # fmt: skip


def _crisis_form(text: str) -> str:
    """Words separated by single spaces, the form the crisis lists are matched in."""
    return " ".join(_words(_OD_APOSTROPHE_RE.sub("od ", normalize(text))))


def _phrases_regex(phrases: tuple[str, ...]) -> str:
    forms = {_crisis_form(phrase) for phrase in phrases} - {""}
    # Longest first, so a longer phrase is preferred where two overlap.
    return "|".join(re.escape(form) for form in sorted(forms, key=len, reverse=True))


# "OD'd" / "OD'ing": split at the apostrophe, because removing it would
# give "odd".
_OD_APOSTROPHE_RE = re.compile(r"\bod'")
_CRISIS_RE = re.compile(
    r"\b(?:"
    + _phrases_regex(CRISIS_PHRASES_EN + CRISIS_PHRASES_ES)
    + r")\b|\b(?:"
    + "|".join(CRISIS_WORD_BEGINNINGS)
    + r")"
)
_NOT_CRISIS_RE = re.compile(
    r"\b(?:"
    + _phrases_regex(NOT_CRISIS_PHRASES)
    # A distance ("ran 5 kms"), not "kill myself".
    + r"|\d+ kms"
    + r")\b"
)


def mentions_crisis(text: str) -> bool:
    """True when the reply contains language of suicide, self-harm or overdose."""
    words = _crisis_form(text)
    if not words:
        return False
    words = _NOT_CRISIS_RE.sub(" ", words)
    return _CRISIS_RE.search(words) is not None
