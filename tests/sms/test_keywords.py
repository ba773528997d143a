"""Table-driven tests for carrier keywords (sms/keywords.py). No database, no Django.

Plain-language requests to stop ("please stop texting me") are the reader's:
tests/checkins/test_reader_opt_out.py."""

import pytest

from sms.keywords import Keyword, classify

OPT_OUT = Keyword.OPT_OUT
OPT_IN = Keyword.OPT_IN
HELP = Keyword.HELP

# (text, expected while opted in, expected while opted out)
CASES = [
    # carrier opt-out keywords, whole message
    ("STOP", OPT_OUT, OPT_OUT),
    ("stop", OPT_OUT, OPT_OUT),
    ("Stop.", OPT_OUT, OPT_OUT),
    ("  STOP!!  ", OPT_OUT, OPT_OUT),
    ("STOP 🛑", OPT_OUT, OPT_OUT),
    ("STOPALL", OPT_OUT, OPT_OUT),
    ("stop all", OPT_OUT, OPT_OUT),
    ("UNSUBSCRIBE", OPT_OUT, OPT_OUT),
    ("Cancel", OPT_OUT, OPT_OUT),
    ("END", OPT_OUT, OPT_OUT),
    ("quit", OPT_OUT, OPT_OUT),
    ("REVOKE", OPT_OUT, OPT_OUT),
    ("OPTOUT", OPT_OUT, OPT_OUT),
    ("OPT OUT", OPT_OUT, OPT_OUT),
    ("opt-out", OPT_OUT, OPT_OUT),
    ("PARA", OPT_OUT, OPT_OUT),
    ("BAJA", OPT_OUT, OPT_OUT),
    ("baja!!", OPT_OUT, OPT_OUT),
    ("Cancelar", OPT_OUT, OPT_OUT),
    ("CANCELAR 🙏", OPT_OUT, OPT_OUT),
    ("baja autoestima hoy", None, None),  # not alone: a sentence, not the keyword
    ("cancelar la cita de mañana?", None, None),
    ("Alto", None, None),  # "high": an answer, not an opt-out
    ("stop stop stop", OPT_OUT, OPT_OUT),
    ("please stop", OPT_OUT, OPT_OUT),
    ("STOP PLEASE", OPT_OUT, OPT_OUT),
    ("no stop", OPT_OUT, OPT_OUT),
    ("No, stop.", OPT_OUT, OPT_OUT),
    ("STOP 🙏", OPT_OUT, OPT_OUT),
    ("unsubscribe me", OPT_OUT, OPT_OUT),
    # not carrier keywords
    ("stop texting me", None, None),  # a request in words: the reader reads it
    ("I can't stop thinking about using", None, None),
    ("stop by the meeting later?", None, None),
    ("I want to stop drinking", None, None),
    ("para mi fue un buen dia", None, None),
    ("para mí fue un buen día", None, None),
    ("i stopped using 3 days ago", None, None),
    ("don't stop checking on me", None, None),
    ("please don't stop texting me", None, None),
    ("no dejen de escribirme", None, None),
    ("leave me alone", None, None),
    ("the end of a long day", None, None),
    ("I need to quit smoking too", None, None),
    ("can't stop texting my ex lol", None, None),
    ("stopped", None, None),
    ("no more", None, None),
    # opt-in
    ("START", OPT_IN, OPT_IN),
    ("start.", OPT_IN, OPT_IN),
    ("UNSTOP", OPT_IN, OPT_IN),
    ("comenzar", OPT_IN, OPT_IN),
    ("YES", None, OPT_IN),
    ("yes!", None, OPT_IN),
    ("Sí", None, OPT_IN),
    ("si", None, OPT_IN),
    ("yes please", None, None),
    ("start again tomorrow", None, None),
    # help
    ("HELP", HELP, HELP),
    ("help?", HELP, HELP),
    ("INFO", HELP, HELP),
    ("Ayuda", HELP, HELP),
    ("help me", None, None),
    ("I need help", None, None),
    # everything else
    ("", None, None),
    ("   ", None, None),
    ("?!", None, None),
    ("4", None, None),
    ("no", None, None),
    ("ok", None, None),
    ("stopp", None, None),
    ("basta", None, None),
    ("S.T.O.P", None, None),
    ("cancel my appointment", None, None),
    ("I quit my job", None, None),
    ("yes, stop by later", None, None),
]


@pytest.mark.parametrize(("text", "opted_in_expected", "opted_out_expected"), CASES)
def test_classify(text, opted_in_expected, opted_out_expected):
    assert classify(text, opted_out=False) is opted_in_expected
    assert classify(text, opted_out=True) is opted_out_expected


def test_opted_out_is_keyword_only():
    with pytest.raises(TypeError):
        classify("STOP", True)  # type: ignore[misc]


@pytest.mark.parametrize("text", ["\ud800", "\x00STOP\x00", "a" * 100_000, "stop " * 20_000, "Z̸̢͉̙a̴͓͎l̶̰g̷o̵"])
def test_never_raises(text):
    classify(text, opted_out=False)
    classify(text, opted_out=True)
