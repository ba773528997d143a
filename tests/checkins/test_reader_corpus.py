"""The reader against its labelled corpus (tests/reader_corpus/*.jsonl).

Every case is one row: a text, what it means, its part (crisis, answer,
opt_out), language and category. Cases marked known_miss are expected to fail
(xfail, strict: one that starts passing must be unmarked). `make reader-report`
prints the same cases as figures per category and language.
"""

import pytest

from checkins.reader_report import CASES, QUESTIONS, reading

pytestmark = pytest.mark.reader


def _id(case: dict) -> str:
    return case["id"]


@pytest.mark.parametrize(
    "case",
    [
        pytest.param(case, marks=pytest.mark.xfail(strict=True, reason="known miss")) if case["known_miss"] else case
        for case in CASES
    ],
    ids=_id,
)
def test_corpus_case(case):
    assert reading(case) == case["expect"], f"{case['category']}: {case['text']!r}"


def test_the_corpus_is_big_enough_and_a_third_spanish():
    by_part = {}
    for case in CASES:
        by_part.setdefault(case["part"], []).append(case)
    crisis = [c for c in by_part["crisis"] if c["expect"] != "none"]
    look_alikes = [c for c in by_part["crisis"] if c["expect"] == "none"]
    assert len(crisis) >= 400 and len(look_alikes) >= 300
    assert len(by_part["answer"]) >= 600 and {c["question"] for c in by_part["answer"]} == set(QUESTIONS)
    assert len(by_part["opt_out"]) >= 200
    for cases in by_part.values():
        assert sum(c["lang"] == "es" for c in cases) * 3 >= len(cases)
