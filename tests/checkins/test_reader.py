"""Table-driven tests for the reply reader (checkins/reader/).

Pure functions: no database, no Django. Each table row is (reply, expected);
add a row when a real reply was read wrongly.
"""

import pytest

from checkins.reader import mentions_crisis, normalize, read_scale, read_yes_no

MOOD = (1, 5)
CRAVING = (0, 10)

# --------------------------------------------------------------------------
# read_scale
# --------------------------------------------------------------------------

MOOD_CASES = [
    # plain digits, spacing and punctuation
    ("4", 4),
    (" 4 ", 4),
    ("4.", 4),
    ("4!!", 4),
    ("4?", 4),
    ("(4)", 4),
    ("#4", 4),
    ("1", 1),
    ("5", 5),
    ("3\n", 3),
    ("\t2\t", 2),
    # fractions: denominator must be the top of the scale
    ("4/5", 4),
    ("4 / 5", 4),
    ("5/5", 5),
    ("4 out of 5", 4),
    ("4 of 5", 4),
    ("4 de 5", 4),
    ("3/10", None),
    ("10/10", None),
    ("2/4", None),
    ("0/5", None),
    # number words, English and Spanish, accents optional
    ("four", 4),
    ("FOUR", 4),
    ("Three.", 3),
    ("one", 1),
    ("uno", 1),
    ("una", 1),
    ("dos", 2),
    ("tres", 3),
    ("cuatro", 4),
    ("cinco", 5),
    ("four out of five", 4),
    ("zero", None),
    ("cero", None),
    ("seis", None),
    # inside sentences
    ("mood is 4 today", 4),
    ("i'd say 2", 2),
    ("I’d say 2", 2),
    ("prob 3", 3),
    ("feeling like a 3 today", 3),
    ("Me siento como un 4", 4),
    ("un 2, estoy triste", 2),
    ("pretty good, 4", 4),
    ("mood 4 (good)", 4),
    ("3 (ok)", 3),
    # emoji around the number
    ("😊4😊", 4),
    ("4 😊", 4),
    ("😢 2", 2),
    ("4️⃣", 4),
    ("👍🏽 5", 5),
    # ranges and doubles: asked again, never read as either end
    ("3-4", None),
    ("4-3", None),
    ("3 or 4", None),
    ("3 to 4", None),
    ("3 o 4", None),
    ("entre 3 y 4", None),
    ("between 2 and 3", None),
    ("two or three", None),
    ("3–4", None),
    ("4-6", None),
    ("0-1", None),
    # decimals: asked again (a whole number on the scale is the answer)
    ("4.5", None),
    ("2.5", None),
    ("2.4", None),
    ("3½", None),
    ("5.5", None),
    ("0.5", None),
    ("3,5", None),
    ("1.2.3", None),
    # off the scale
    ("0", None),
    ("6", None),
    ("-3", None),
    ("mood -2", None),
    ("100", None),
    ("1000000", None),
    ("10000000000000000000000", None),
    ("1,000", None),
    # several unrelated numbers
    ("2 hours ago it was 4", None),
    ("3, maybe 4", None),
    ("4 4", None),
    ("day 3, mood 4", None),
    ("at 7pm i was a 2", None),
    # scale echoes and recovery phrases are not answers
    ("from 1 to 5 i'd say 3", 3),
    ("on a scale of 1-5 a 4", 4),
    ("del 1 al 5, un 4", 4),
    ("one day at a time", None),
    ("One day at a time, 4", 4),
    ("un día a la vez", None),
    ("went to my 12 step meeting, 4", 4),
    ("no one called me. 2", 2),
    ("one of those days", None),
    # no number at all: words are not numbers
    ("", None),
    ("   ", None),
    ("😊😊", None),
    ("good", None),
    ("bad", None),
    ("great!", None),
    ("not great", None),
    ("muy bien", None),
    ("someone", None),
    ("often", None),
    ("mood4", None),
    ("b12 shot today, 4", 4),
]

CRAVING_CASES = [
    ("7", 7),
    ("0", 0),
    ("10", 10),
    ("7/10", 7),
    ("7 / 10", 7),
    ("7 out of 10", 7),
    ("7 outta 10", 7),
    ("7 of 10", 7),
    ("7 de 10", 7),
    ("10/10", 10),
    ("0/10", 0),
    ("7/5", None),
    ("4/5", None),
    ("like a 7 tbh", 7),
    ("LIKE A 7!!!", 7),
    ("ten", 10),
    ("Ten!", 10),
    ("zero", 0),
    ("cero", 0),
    ("seis", 6),
    ("séis", 6),
    ("SEIS", 6),
    ("siete", 7),
    ("ocho", 8),
    ("nueve", 9),
    ("diez", 10),
    ("six", 6),
    ("seven out of ten", 7),
    ("6-7", None),
    ("6 - 7", None),
    ("6 or 7", None),
    ("6 to 7", None),
    ("6-7/10", None),
    ("six-seven", None),
    ("6 o 7", None),
    ("entre 6 y 7", None),
    ("9-11", None),
    ("7.5", None),
    ("7.4", None),
    ("9.5", None),
    ("10.5", None),
    ("12", None),
    ("11", None),
    ("-3", None),
    ("100", None),
    ("2 hours ago it was 8", None),
    ("on a scale of 1 to 10, 7", 7),
    ("from 0 to 10 about a 3", 3),
    ("from 3 to 7", None),
    ("en una escala del 1 al 10, un 7", 7),
    ("on a scale from one to ten, seven", 7),
    ("🔟", 10),
    ("１０", 10),
    ("me siento en un 8", 8),
    ("none", None),
    ("nada", None),
    ("high", None),
]


@pytest.mark.parametrize(("text", "expected"), MOOD_CASES)
def test_read_scale_mood(text, expected):
    assert read_scale(text, *MOOD) == expected


@pytest.mark.parametrize(("text", "expected"), CRAVING_CASES)
def test_read_scale_craving(text, expected):
    assert read_scale(text, *CRAVING) == expected


def test_read_scale_returns_plain_int():
    value = read_scale("7.0", *CRAVING)
    assert type(value) is int


def test_read_scale_inverted_bounds_is_none():
    assert read_scale("3", 5, 1) is None


# --------------------------------------------------------------------------
# read_yes_no
# --------------------------------------------------------------------------

YES_NO_CASES = [
    # yes
    ("y", True),
    ("Y", True),
    ("yes", True),
    ("Yes.", True),
    ("YES!!!", True),
    ("yesss", True),
    ("yeah", True),
    ("yea", True),
    ("ya", True),
    ("yep", True),
    ("yup", True),
    ("sure", True),
    ("i did", True),
    ("I did.", True),
    ("yes :(", True),
    ("sí", True),
    ("si", True),
    ("Sí, claro", True),
    ("claro", True),
    ("claro que sí", True),
    ("👍", True),
    ("👍🏽", True),
    ("✅", True),
    ("yeah a little", True),
    ("yes i did", True),
    ("um yes", True),
    ("ok yes", True),
    ("pues sí", True),
    ("of course", True),
    ("absolutely", True),
    ("yes, went to a meeting", True),
    ("no doubt", True),
    ("yes yes", True),
    ("yes but only a little", True),
    ("unfortunately yes", True),
    ("sadly yes", True),
    ("yh", True),
    ("I am", True),
    ("yes, no one was there", True),
    # no
    ("n", False),
    ("N", False),
    ("no", False),
    ("No.", False),
    ("NO!!", False),
    ("nooo", False),
    ("nah", False),
    ("nope", False),
    ("no way", False),
    ("not at all", False),
    ("not really", None),
    ("never", False),
    ("nada", False),
    ("no :)", False),
    ("i didn't", False),
    ("I didn’t", False),
    ("didnt", False),
    ("i did not", False),
    ("👎", False),
    ("❌", False),
    ("no, I stayed clean", False),
    ("no cravings today", False),
    ("nope, all good", False),
    ("Nah I'm good", False),
    ("no no no", False),
    ("nunca", False),
    ("para nada", False),
    ("claro que no", False),
    ("ya no", False),
    ("ya no uso", False),
    ("todavía no", False),
    ("definitely not", False),
    ("no, but I wanted to", False),
    ("well no", False),
    ("nel", False),
    ("im not", False),
    ("i haven't", False),
    ("I don't", False),
    # unclear
    ("", None),
    ("   ", None),
    ("yes and no", None),
    ("yes/no", None),
    ("yeah nah", None),
    ("no, yes", None),
    ("sí y no", None),
    ("👍👎", None),
    ("maybe", None),
    ("idk", None),
    ("not sure", None),
    ("kinda", None),
    ("kind of", None),
    ("yes maybe", None),
    ("no sé", None),
    ("no se", None),
    ("tal vez", None),
    ("más o menos", None),
    ("i don't know", None),
    ("sometimes", None),
    ("ok", None),
    ("I'm good", None),
    ("i think so", None),
    ("what?", None),
    ("😊", None),
    ("a little", None),
    ("yes, no cravings", None),
    ("4", None),
    ("no one cares", None),
    ("I am fine", None),
    ("I'm not ok", None),
    ("i don't feel good", None),
    ("no idea", None),
]


@pytest.mark.parametrize(("text", "expected"), YES_NO_CASES)
def test_read_yes_no(text, expected):
    assert read_yes_no(text) is expected


# --------------------------------------------------------------------------
# mentions_crisis
# --------------------------------------------------------------------------

CRISIS_CASES = [
    # English
    ("I want to kill myself", True),
    ("i want to kill my self", True),
    ("KMS", True),
    ("honestly might just kms", True),
    ("i want to die", True),
    ("I just wanna die", True),
    ("everyone would be better off dead without me", True),
    ("they'd be better off without me", True),
    ("i want to end it all", True),
    ("suicide", True),
    ("feeling suicidal", True),
    ("Suicidal again", True),
    ("thinking of ending my life", True),
    ("I don't want to live anymore", True),
    ("i dont want to live anymore", True),
    ("I dont want to be alive", True),
    ("I want to hurt myself", True),
    ("cutting myself again", True),
    ("I cut myself last night", True),
    ("self harm", True),
    ("self-harm urges", True),
    ("selfharm", True),
    ("i took too many pills", True),
    ("overdose", True),
    ("I overdosed last week", True),
    ("he's overdosing", True),
    ("OD'd last night", True),
    ("I OD’d", True),
    ("i almost od", True),
    ("gonna OD", True),
    ("I want   to    kill   myself", True),
    ("i wish i was dead", True),
    ("nothing to live for", True),
    ("i'm not suicidal", False),
    ("thinking about unaliving myself", True),
    ("I want to end it", True),
    ("i want to sleep and never wake up", True),
    # Spanish
    ("no quiero vivir", True),
    ("Ya no quiero vivir", True),
    ("quiero morir", True),
    ("quiero morirme", True),
    ("me quiero morir", True),
    ("me quiero matar", True),
    ("quiero suicidarme", True),
    ("pienso en el suicidio", True),
    ("quiero hacerme daño", True),
    ("quiero hacerme dano", True),
    ("tuve una sobredosis", True),
    ("me corté", True),
    ("me corte anoche", True),
    ("ME QUIERO MATAR", True),
    ("quiero quitarme la vida", True),
    ("estaría mejor muerta", True),
    ("tomé demasiadas pastillas", True),
    ("me hice daño", True),
    ("quiero irme de este mundo", True),
    # tricky negatives
    ("I killed it at work today", False),
    ("this traffic is killing me", False),
    ("dead tired", False),
    ("I'm dying to see my kids", False),
    ("my phone died", False),
    ("cut back on coffee", False),
    ("I want to stop using", False),
    ("i can't stop thinking about using", False),
    ("overdue bill", False),
    ("la película me mató de risa", False),
    ("that was odd", False),
    ("ran 5 kms today", False),
    ("me corté el pelo", False),
    ("killer workout", False),
    ("I'm dead lol that meme", False),
    ("my sponsor is the best", False),
    ("4", False),
    ("yes", False),
    ("no", False),
    ("", False),
    ("   ", False),
    ("me muero de ganas de ver a mis hijos", False),
    ("mi mamá me va a matar", False),
    ("tomo pastillas para la presión", False),
    ("i hurt my back at work", False),
    ("good day, went to a meeting", False),
]


@pytest.mark.parametrize(("text", "expected"), CRISIS_CASES)
def test_mentions_crisis(text, expected):
    assert mentions_crisis(text) is expected


# --------------------------------------------------------------------------
# normalize
# --------------------------------------------------------------------------

NORMALIZE_CASES = [
    ("  Hello   World ", "hello world"),
    ("SÉIS", "seis"),
    ("daño", "dano"),
    ("I’d “say”", "i'd \"say\""),
    ("6–7", "6-7"),
    ("a\u200bb", "ab"),
    ("line\none\ttab", "line one tab"),
    ("４", "4"),
    ("4️⃣", "4"),
    ("4½", "4.5"),
    ("bad\x00byte", "bad byte"),
    ("", ""),
]


@pytest.mark.parametrize(("text", "expected"), NORMALIZE_CASES)
def test_normalize(text, expected):
    assert normalize(text) == expected


# --------------------------------------------------------------------------
# never raise
# --------------------------------------------------------------------------

WEIRD_INPUTS = [
    "",
    "\x00\x01\x02",
    "\ud800",  # a lone surrogate
    "a\udfffb 7",
    "\u202e7\u202c",  # right-to-left override
    "Z̸̢͉̙a̴͓͎l̶̰g̷o̵ 4",
    "\U0001f468\u200d\U0001f469\u200d\U0001f467",  # family emoji (ZWJ sequence)
    "٣",  # Arabic-Indic digit three
    "𝟕",  # mathematical bold seven
    "9" * 5000,  # more digits than int() accepts by default
    "1." * 20000,
    "-" * 10000 + "7",
    "yes " * 25000,
    "no" * 50000,
    "a" * 100000,
    "kill " * 20000,
    "7 " * 50000,
]


@pytest.mark.parametrize("text", WEIRD_INPUTS, ids=range(len(WEIRD_INPUTS)))
def test_never_raises(text):
    normalize(text)
    read_scale(text, *MOOD)
    read_scale(text, *CRAVING)
    read_yes_no(text)
    mentions_crisis(text)
