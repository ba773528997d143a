"""Asking for a person to get in touch (checkins/reader/contact.py). Pure."""

import pytest

from checkins.reader import asks_for_contact

ASKS = [
    "rough night, can someone call me?",
    "i need to talk",
    "can we talk later today",
    "could you call me when you get a chance",
    "i need help",
    "is anyone there",
    "necesito hablar con alguien",
    "llámame porfa",
    "me pueden llamar?",
    "quiero platicar con mi padrino",
]
DOES_NOT_ASK = [
    "dont call me im at work",
    "no necesito nada gracias",
    "called my sponsor today",
    "my mom called me",
    "talk later",
    "4",
    "good",
    "stop texting me",
    "no me llamen",
]


@pytest.mark.parametrize("text", ASKS)
def test_asks_to_be_contacted(text):
    assert asks_for_contact(text)


@pytest.mark.parametrize("text", DOES_NOT_ASK)
def test_does_not_ask(text):
    assert not asks_for_contact(text)
