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
4. OPT_OUT when the message asks in plain words to stop the texts, anywhere
   in it: "stop texting me", "please stop messaging me", "take me off this
   list", "don't text me anymore", "how do I unsubscribe", "ya no me manden
   mensajes", "dejen de enviarme mensajes", "no quiero recibir más mensajes",
   "darme de baja". Not when it says the opposite ("don't stop texting me",
   "no dejen de escribirme").
5. Anything else: None.

Documented choices:
* PARA, BAJA and CANCELAR are opt-out keywords only as the whole message
  ("baja autoestima hoy" is not an opt-out). PARA: "para mi fue
  un buen dia" is an answer, not an opt-out. ALTO is not a keyword: it also
  means "high", a likely answer to the craving question. BASTA is not a keyword: it is
  not on carrier lists and "¡basta!" alone is as likely to be frustration;
  "basta de mensajes" is caught by rule 4.
* "No stop" (the whole message) is an opt-out: read as "No. Stop.". Wrongly
  keeping texting someone who asked to stop is the worse mistake (and the
  member can text START).
* "Leave me alone" is not an opt-out: it can be a sign of distress that
  staff should see, so it goes through as an ordinary reply.
* "Stop" inside a sentence only counts with an object that is us or our
  texts: "I want to stop drinking", "I can't stop thinking about using",
  "stop by the meeting later?" and "I stopped using 3 days ago" are not
  opt-outs.
* Twilio itself blocks sending after STOP-family words and lifts the block
  only after START, UNSTOP or YES. The Spanish keywords and plain-language
  requests here are handled by this app only, so SI or COMENZAR re-enable
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

_MESSAGES = r"(?:messages?|msgs?|texts?|txts?|sms|reminders?|check ?ins?|questions)"
_SPANISH_MESSAGES = r"(?:mensajes|mensajitos|msjs|textos|sms)"
_SEND_ME_ES = r"(?:manden|mandes|mande|envien|envies|envie|escriban|escribas|escriba)"

# Plain-language requests to stop, matched anywhere in the message.
_PLAIN_OPT_OUT_RE = re.compile(
    "|".join(
        [
            # English
            r"\b(?:stop|quit) (?:texting|txting|messaging|msging|contacting|calling|bothering|spamming)"
            r" (?:me|us|this number|my number)\b",
            r"\b(?:stop|quit) sending (?:me|us)\b",
            rf"\b(?:stop|quit) sending (?:any |these |those |the |this |your )?(?:more )?{_MESSAGES}\b",
            r"\bunsubscribe\b",
            r"\bopt ?(?:me )?out\b",
            r"\b(?:take|remove|delete) (?:me|my number|my phone number) (?:off|from)\b",
            r"\b(?:remove|delete) my (?:phone )?number\b",
            r"\b(?:dont|do not|never) (?:text|txt|message|msg|contact|sms) me (?:anymore|any more|again|ever)\b",
            r"^(?:please )?(?:dont|do not) (?:text|txt|message|msg|contact) me(?: please)?$",
            rf"\b(?:dont|do not) send me (?:any |these )?(?:more )?{_MESSAGES}\b",
            rf"\b(?:dont|do not|no longer) want (?:to (?:get|receive) )?(?:these |those |your |any |the )?"
            rf"(?:more )?{_MESSAGES}\b",
            rf"\bno more {_MESSAGES}\b",
            # Spanish
            rf"\bno (?:me )?{_SEND_ME_ES} (?:mas )?{_SPANISH_MESSAGES}\b",
            rf"\bya no me (?:{_SEND_ME_ES}|contacten|contactes)\b",
            r"\b(?:deja|deje|dejen|para|pare|paren) de"
            r" (?:enviarme|mandarme|escribirme|contactarme|textearme|molestarme)\b",
            rf"\bno quiero (?:recibir |que me (?:manden|envien|escriban) )?(?:mas |ningun |ningunos )?"
            rf"{_SPANISH_MESSAGES}\b",
            rf"\bno mas {_SPANISH_MESSAGES}\b",
            rf"\bbasta de {_SPANISH_MESSAGES}\b",
            r"\b(?:darme|dame|denme|deme|me doy) de baja\b",
            r"\b(?:cancelar|cancela|cancelen|cancele) (?:mi |la )?(?:suscripcion|subscripcion)\b",
            r"\b(?:quitenme|quitame|quiteme|sacame|saquenme|saqueme|borrenme|borrame)"
            r" de (?:la|esta|su|tu|sus) lista\b",
        ]
    )
)

# The same words said the other way round: "please don't stop texting me",
# "no dejen de escribirme". These cancel a plain-language match (rule 4).
_NEGATED_OPT_OUT_RE = re.compile(
    r"\b(?:dont|do not|never|cant|cannot|wont|wouldnt) (?:you )?(?:ever )?(?:stop|quit|unsubscribe|cancel|opt)\b"
    r"|\bno (?:deja|deje|dejen|dejes|para|pare|paren|pares) de\b"
)

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
    if _PLAIN_OPT_OUT_RE.search(message) and not _NEGATED_OPT_OUT_RE.search(message):
        return Keyword.OPT_OUT
    return None
