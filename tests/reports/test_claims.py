"""The claim reader (DOMAIN.md §4.2): every claim of the corpus gets its verdict, and a number changed
by one in a claim that holds is caught."""

import re

import pytest

from chuyende.core.numbers import format_number
from chuyende.reports.claims import (
    CANNOT_CHECK,
    DOES_NOT_HOLD,
    HOLDS,
    NUMBER,
    check_text,
    mask_non_figures,
    parse_number,
    read_claims,
)
from tests.reports.claims_corpus import CORPUS


@pytest.mark.parametrize(("sentence", "verdicts"), CORPUS, ids=[s[:50] for s, _v in CORPUS])
def test_every_claim_of_the_corpus_gets_its_verdict(sentence, verdicts):
    assert [claim.verdict for claim in check_text(sentence)] == verdicts


def test_the_corpus_is_large_enough_and_varied():
    assert len(CORPUS) >= 60
    verdicts = [v for _s, found in CORPUS for v in found]
    assert verdicts.count(HOLDS) >= 40 and verdicts.count(DOES_NOT_HOLD) >= 15 and CANNOT_CHECK in verdicts


def mutate(token: str, step: int) -> str | None:
    """The number changed by one in its last digit, printed as it was ("01" → "02", "1.264" →
    "1.265", "97,34" → "97,35"); None when it would go below zero."""
    if "," in token:
        whole, decimals = token.replace(".", "").split(",")
        value = int(whole + decimals) + step
        if value < 0:
            return None
        digits = str(value).zfill(len(whole) + len(decimals))
        return format_number(int(digits[: -len(decimals)] or "0")) + "," + digits[-len(decimals) :]
    value = int(parse_number(token)) + step
    if value < 0:
        return None
    if re.fullmatch(r"0\d+", token):
        return str(value).zfill(len(token))
    return format_number(value)


def mutants(sentence: str) -> list[tuple[str, str]]:
    """(mutated sentence, what changed) for each number of each holding claim, by one each way."""
    found = []
    masked = mask_non_figures(sentence)
    for claim in check_text(sentence):
        if claim.verdict != HOLDS:
            continue
        for number in NUMBER.finditer(masked, claim.start, claim.end):
            for step in (1, -1):
                changed = mutate(number.group(), step)
                if changed is not None:
                    found.append(
                        (
                            sentence[: number.start()] + changed + sentence[number.end() :],
                            f"{number.group()} → {changed}",
                        )
                    )
    return found


def test_at_least_95_percent_of_the_mutants_do_not_hold():
    caught, missed = 0, []
    for sentence, _verdicts in CORPUS:
        for mutated, change in mutants(sentence):
            if any(claim.verdict == DOES_NOT_HOLD for claim in check_text(mutated)):
                caught += 1
            else:
                missed.append(f"{change}: {mutated}")
    total = caught + len(missed)
    assert total >= 200
    assert caught / total >= 0.95, "\n".join(missed)


def test_a_claim_says_what_was_stated_what_it_should_be_and_where():
    claims = read_claims(["Mở đầu.", "Có 255/264 đảng viên học tập, đạt 96,50%."], pages=[1, 2])
    [claim] = claims
    assert claim.as_json() | {} == claim.as_json()
    assert (claim.verdict, claim.stated, claim.computed) == (DOES_NOT_HOLD, "96,50%", "96,59%")
    assert claim.text == "255/264 đảng viên học tập, đạt 96,50%"
    assert (claim.paragraph, claim.page) == (2, 2)
    assert claim.where == "trang 2, đoạn 2"
    assert set(claim.as_json()) >= {"text", "verdict", "stated", "computed", "where"}


def test_dates_document_numbers_and_labels_are_not_figures():
    text = (
        "Đến ngày 31/03 đạt 96,50%. Kế hoạch số 87-KH/HU, gồm 3 nội dung và 2 phụ lục. "
        "Hướng dẫn 01/2021/TT-BNV ngày 5/3/2024, đạt 40%. Tháng 3/2024 đạt 12%."
    )
    assert {claim.verdict for claim in check_text(text)} == {CANNOT_CHECK}
    masked = mask_non_figures("Số 12-HD/BTGTU, ngày 19/12/2023, quý I/2024, Hội nghị 1: 255/264")
    assert "12" not in masked[:20] and "2023" not in masked and "2024" not in masked and " 1:" not in masked
    assert masked.endswith("255/264")


def test_vietnamese_numbers_are_read_as_typed():
    assert parse_number("1.234") == 1234
    assert str(parse_number("96,05")) == "96.05"
    assert str(parse_number("1.234,5")) == "1234.5"
    assert parse_number("12.957") == 12957
