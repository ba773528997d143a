"""Carrier keywords in inbound SMS: opt-out, opt-in and help.

US carrier rules (CTIA) and Twilio require every number to honour STOP-type
and HELP-type keywords. `classify` says whether an inbound message is one of
them; the caller then records the opt-out/opt-in and sends the required reply.
It is pure: no Django, no I/O, and it never logs or prints the message.

How a message is compared: accents, case, and whitespace or punctuation around
the message are ignored, and punctuation inside it counts as a space
("OPT-OUT", "opt out" and "Opt_Out!" are the same). Rules, in order:

1. OPT_OUT when the whole message is one of OPT_OUT_KEYWORDS (Twilio's default
   list: STOP, STOPALL, STOP ALL, UNSUBSCRIBE, CANCEL, END, QUIT, REVOKE,
   OPTOUT / OPT OUT / OPT-OUT, plus the Spanish PARA, BAJA and CANCELAR), or is made only
   of such keywords ("stop stop stop"), or is one of OPT_OUT_SHORT_REPLIES
   ("please stop", "no stop", "stop it").
2. OPT_IN when the whole message is START, UNSTOP or COMENZAR; and, only when
   the member is currently opted out, YES or SI / SÍ (while opted in, "yes"
   is an answer to a check-in question).
3. HELP when the whole message is HELP, INFO or AYUDA.
4. Anything else: None. A request in plain words ("please stop texting me",
   "ya no me manden mensajes") is a matter of meaning, not a carrier keyword:
   the reader decides it (checkins/reader/opt_out.py), above this layer.

Documented choices:
* PARA, BAJA and CANCELAR are opt-out keywords only as the whole message
  ("baja autoestima hoy" is not an opt-out). PARA: "para mi fue
  un buen dia" is an answer, not an opt-out. ALTO is not a keyword: it also
  means "high", a likely answer to the craving question. BASTA is not a keyword: it is
  not on carrier lists and "¡basta!" alone is as likely to be frustration.
* "No stop" (the whole message) is an opt-out: read as "No. Stop.". Wrongly
  keeping texting someone who asked to stop is the worse mistake (and the
  member can text START).
* Twilio itself blocks sending after STOP-family words and lifts the block
  only after START, UNSTOP or YES. The Spanish keywords here (and the
  reader's plain-language requests) are handled by this app only, so SI or COMENZAR re-enable
  our sending after PARA, but not after a carrier-level STOP.
"""

import enum
import re
import unicodedata

__all__ = [
    "HELP_KEYWORDS",
    "OPT_IN_KEYWORDS",
    "OPT_IN_WHEN_OPTED_OUT",
    "OPT_OUT_KEYWORDS",
    "OPT_OUT_SHORT_REPLIES",
    "Keyword",
    "classify",
]


class Keyword(enum.Enum):
    OPT_OUT = "opt_out"
    OPT_IN = "opt_in"
    HELP = "help"


# All lists are in compared form: lowercase, no accents, single spaces.
OPT_OUT_KEYWORDS = frozenset(
    {
        "stop", "stopall", "stop all", "unsubscribe", "cancel", "end", "quit", "revoke",
        "optout", "opt out",
        "para", "baja", "cancelar",
    }
)  # fmt: skip

# Short whole-message replies that clearly mean "stop".
OPT_OUT_SHORT_REPLIES = frozenset(
    {
        "please stop", "pls stop", "plz stop", "stop please", "stop pls", "stop plz",
        "no stop", "stop it", "stop now", "stop texting", "stop messaging", "stop texts",
        "stop the texts", "stop messages", "unsubscribe me", "unsubscribe please",
        "para por favor", "por favor para",
    }
)  # fmt: skip

OPT_IN_KEYWORDS = frozenset({"start", "unstop", "comenzar"})
OPT_IN_WHEN_OPTED_OUT = frozenset({"yes", "si"})
HELP_KEYWORDS = frozenset({"help", "info", "ayuda"})

_SEPARATORS_RE = re.compile(r"[\W_]+")


def _compared_form(text: str) -> str:
    """Lowercase, no accents, no apostrophes, words separated by single spaces."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    no_accents = "".join(char for char in decomposed if not unicodedata.combining(char))
    no_apostrophes = no_accents.replace("'", "").replace("\u2019", "")
    return _SEPARATORS_RE.sub(" ", no_apostrophes).strip()


def classify(text: str, *, opted_out: bool) -> Keyword | None:
    """The carrier keyword this inbound message is, or None for an ordinary message.

    `opted_out` is the member's current state: "yes" only opts back in while
    opted out (otherwise it answers a check-in question).
    """
    message = _compared_form(text)
    if not message:
        return None
    if (
        message in OPT_OUT_KEYWORDS
        or message in OPT_OUT_SHORT_REPLIES
        or all(word in OPT_OUT_KEYWORDS for word in message.split())
    ):
        return Keyword.OPT_OUT
    if message in OPT_IN_KEYWORDS or (opted_out and message in OPT_IN_WHEN_OPTED_OUT):
        return Keyword.OPT_IN
    if message in HELP_KEYWORDS:
        return Keyword.HELP
    return None
