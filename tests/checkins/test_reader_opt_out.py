"""Plain-language requests to stop (checkins/reader/opt_out.py), beside the
carrier keywords of tests/sms/test_keywords.py. The corpus holds the broad
cases; these are the ones that once lived in the SMS layer, plus the rules'
edges. Pure: no database."""

import pytest

from checkins.reader import asks_to_stop

REQUESTS = [
    "stop texting me",
    "Stop sending me messages",
    "please stop messaging me",
    "stop sending these texts",
    "unsubscribe me",
    "how do I unsubscribe?",
    "take me off this list",
    "please remove me from your list",
    "don't text me anymore",
    "Dont text me",
    "i don't want these messages anymore",
    "no more texts please",
    "ya no me manden mensajes",
    "No me manden más mensajes",
    "dejen de enviarme mensajes",
    "para de mandarme mensajes",
    "no quiero recibir más mensajes",
    "quiero darme de baja",
    "sáquenme de la lista",
    "stop sending me this stuff",
    "Please STOP texting me!!!",
    "basta de mensajes",
    "stop porfa",
    "baja por favor",
]

NOT_REQUESTS = [
    "please don't stop texting me",
    "no dejen de escribirme",
    "my ex won't stop texting me",
    "told my cousin to stop texting me",
    "le dije a mi prima que ya no me escriba",
    "how do i unsubscribe from the pharmacy texts",
    "stop asking about my mood",
    "ya no me pregunten si tomé",
    "I can't stop thinking about using",
    "no puedo dejar de pensar en tomar",
    "para mí fue un buen día",
    "leave me alone",
    "no more",
    "stop",  # the carrier keyword alone is the SMS layer's, not a sentence
]


@pytest.mark.parametrize("text", REQUESTS)
def test_a_request_to_stop(text):
    assert asks_to_stop(text)


@pytest.mark.parametrize("text", NOT_REQUESTS)
def test_not_a_request_to_stop(text):
    assert not asks_to_stop(text)


@pytest.mark.parametrize("text", ["\ud800", "\x00stop texting me\x00", "a" * 100_000, "stop " * 20_000])
def test_never_raises(text):
    asks_to_stop(text)
