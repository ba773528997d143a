"""The reader measured against its labelled corpus: figures per category and
language (`python manage.py readerreport`, `make reader-report`).

The corpus lives with the tests (tests/reader_corpus/*.jsonl): one JSON object
a line with id, part (crisis, answer, opt_out), lang, category, text, expect,
question (answers only) and known_miss.
"""

from __future__ import annotations

import json
import time
from collections import defaultdict
from pathlib import Path

from checkins import reader
from checkins.programs import DEFAULT_QUESTIONS
from checkins.series import builtins
from sms.keywords import Keyword, classify

CORPUS = Path(__file__).resolve().parent.parent / "tests" / "reader_corpus"
QUESTIONS = {
    question["key"]: reader.Asked(
        question["key"],
        reader.SCALE if question["kind"] == "scale" else reader.YES_NO,
        question.get("scale_min") or 0,
        question.get("scale_max") or 0,
        (question["text_en"], question["text_es"]),
    )
    for question in DEFAULT_QUESTIONS
}
# The six-point agreement of BARC-10 (checkins/tables/series.toml), as its first item asks it.
_BARC10 = builtins()["barc10"]
QUESTIONS["agreement"] = reader.Asked(
    "barc10_1",
    reader.SCALE,
    _BARC10["scale_min"],
    _BARC10["scale_max"],
    tuple(f"{_BARC10['items'][0][lang]} {_BARC10['reply_' + lang]}" for lang in ("en", "es")),
)


def load(corpus: Path = CORPUS) -> list[dict]:
    cases = []
    for path in sorted(corpus.glob("*.jsonl")):
        with path.open(encoding="utf-8") as lines:
            cases.extend(json.loads(line) for line in lines if line.strip())
    return cases


CASES = load() if CORPUS.is_dir() else []


def reading(case: dict):
    """What the reader makes of one case, in the corpus's own terms."""
    text = case["text"]
    if case["part"] == "crisis":
        return reader.read_crisis(text).kind
    if case["part"] == "opt_out":
        return classify(text, opted_out=False) is Keyword.OPT_OUT or reader.asks_to_stop(text)
    asked = QUESTIONS[case["question"]]
    value = reader.read_answer(text, asked)
    if asked.kind == reader.YES_NO and value is not None:
        return bool(value)
    return value


def _percent(right: int, total: int) -> str:
    return f"{100 * right / total:5.1f} % ({right}/{total})" if total else "    - "


def report(cases: list[dict] | None = None) -> list[str]:
    """The report's lines."""
    cases = CASES if cases is None else cases
    lines: list[str] = []
    started = time.perf_counter()
    results = [(case, reading(case)) for case in cases]
    elapsed = time.perf_counter() - started
    misses = [(case, got) for case, got in results if got != case["expect"]]

    lines.append(f"Reader corpus: {len(cases)} cases, {1e6 * elapsed / max(1, len(cases)):.0f} µs a case on average")
    lines.append("")
    lines.append("Answers: right per question and language")
    table: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for case, got in results:
        if case["part"] == "answer":
            cell = table[(case["question"], case["lang"])]
            cell[0] += got == case["expect"]
            cell[1] += 1
    for question in QUESTIONS:
        row = "  ".join(f"{lang} {_percent(*table[(question, lang)])}" for lang in ("en", "es"))
        lines.append(f"  {question:<9} {row}")
    total = [sum(cell[0] for cell in table.values()), sum(cell[1] for cell in table.values())]
    lines.append(f"  {'all':<9} {_percent(*total)}")

    lines.append("")
    lines.append("Crisis: recall per category (a crisis read as the right kind)")
    _by_category(lines, [(c, g) for c, g in results if c["part"] == "crisis" and c["expect"] != "none"])
    lines.append("Crisis: false alarms per category (a look-alike read as danger)")
    _by_category(
        lines,
        [(c, g) for c, g in results if c["part"] == "crisis" and c["expect"] == "none"],
        wrong_is_alarm=True,
    )

    lines.append("")
    lines.append("Opt-out: right both ways")
    _by_category(lines, [(c, g) for c, g in results if c["part"] == "opt_out"])
    asks = [(c, g) for c, g in results if c["part"] == "opt_out" and c["expect"]]
    others = [(c, g) for c, g in results if c["part"] == "opt_out" and not c["expect"]]
    lines.append(f"  requests honoured     {_percent(sum(g for _, g in asks), len(asks))}")
    lines.append(f"  look-alikes left      {_percent(sum(not g for _, g in others), len(others))}")

    lines.append("")
    known = [case for case in cases if case["known_miss"]]
    lines.append(f"Known misses: {len(known)}")
    lines.extend(f"  {case['id']} [{case['category']}] {case['text']!r}" for case in known)
    surprises = [(case, got) for case, got in misses if not case["known_miss"]]
    lines.append(f"Misses not marked as known: {len(surprises)}")
    lines.extend(
        f"  {case['id']} [{case['category']}] {case['text']!r}: read {got!r}, expected {case['expect']!r}"
        for case, got in surprises
    )
    return lines


def _by_category(lines: list[str], results: list[tuple[dict, object]], wrong_is_alarm: bool = False) -> None:
    cells: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    for case, got in results:
        right = got == case["expect"]
        cell = cells[case["category"]][case["lang"]]
        cell[0] += (not right) if wrong_is_alarm else right
        cell[1] += 1
    for category, by_lang in cells.items():
        row = "  ".join(f"{lang} {_percent(*by_lang[lang])}" for lang in ("en", "es"))
        lines.append(f"  {category:<22} {row}")
    all_cells = [cell for by_lang in cells.values() for cell in by_lang.values()]
    lines.append(f"  {'all':<22} {_percent(sum(c[0] for c in all_cells), sum(c[1] for c in all_cells))}")
