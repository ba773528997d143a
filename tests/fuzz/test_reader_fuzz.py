"""The reply reader never raises and always answers in range or "not understood" (None)."""

from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from checkins import reader
from checkins.reader.crisis import _tables as crisis_tables
from checkins.reader.text import words as words_of
from tests.fuzz.conftest import FUZZ_EXAMPLES

fuzz = settings(max_examples=FUZZ_EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Texts the way phones send them: any unicode, plus the pieces that matter to the reader.
pieces = st.sampled_from(
    ["4", "10", "7/10", "6-7", "4.5", "-3", "½", "４", "4️⃣", "one", "diez", "yes", "no", "sí", "nope", "maybe",
     "kill myself", "od", "STOP", "out of", " ", "\n", "\u200b", "\x00", "👍", "👎", "'", "’", "ñ", "é"]
)  # fmt: skip
replies = st.one_of(
    st.text(max_size=300),
    st.lists(st.one_of(pieces, st.text(max_size=8)), max_size=25).map("".join),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=2000, max_size=6000),
)
scales = st.tuples(st.integers(-5, 20), st.integers(-5, 20)).map(sorted)


@fuzz
@given(replies, scales)
@example("4" * 5000, (1, 5))
@example("\ud800", (0, 10))
def test_read_scale_never_raises_and_stays_on_the_scale(text, scale):
    low, high = scale
    value = reader.read_scale(text, low, high)
    assert value is None or (isinstance(value, int) and low <= value <= high)


@fuzz
@given(replies)
def test_read_yes_no_never_raises(text):
    assert reader.read_yes_no(text) in (True, False, None)


@fuzz
@given(replies)
def test_mentions_crisis_never_raises(text):
    assert reader.mentions_crisis(text) in (True, False)


@fuzz
@given(st.integers(0, 10), st.sampled_from(["{}", " {} ", "{}.", "{}!!", "like a {}", "{}/10", "prob {}"]))
def test_a_plain_number_on_the_scale_reads_as_itself(value, style):
    assert reader.read_scale(style.format(value), 0, 10) == value


words = st.text(alphabet="abcdefghijklmnopqrstuvwxyz ,.!?", max_size=60)
NEGATORS = crisis_tables().negators | crisis_tables().weak_negators


@fuzz
@given(words, st.sampled_from(["i want to kill myself", "thinking about suicide", "took too many pills",
                               "me quiero morir", "i dont want to live"]), words)  # fmt: skip
def test_crisis_words_are_found_anywhere_in_a_message(before, phrase, after):
    # Random letters can spell a denial ("ni", "no", "not"), which rightly
    # scopes over the phrase after it, or another person ("gf", "he"), which
    # makes it about someone else (docs/reader.md): leave those out.
    # Read as the reader reads them: text speak spelt out ("gf" is "girlfriend").
    before_words = set(words_of(before))
    assume(not NEGATORS & before_words and not crisis_tables().third & before_words)
    assume(not any(crisis_tables().other_person.search(word) for word in before_words))
    assert reader.mentions_crisis(f"{before} {phrase} {after}")
