"""Vietnamese formatting of numbers, rates and dates, and the one rate computation."""

import datetime
from decimal import Decimal

import pytest

from chuyende.core.numbers import compute_rate, format_date, format_date_long, format_number, format_rate


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (1234.5, "1.234,5"),
        (12408, "12.408"),
        (0, "0"),
        (999, "999"),
        (1000, "1.000"),
        (5_600_000, "5.600.000"),
        (Decimal("97.34"), "97,34"),
        (-1234, "-1.234"),
        (None, "–"),
    ],
)
def test_format_number(value, text):
    assert format_number(value) == text


@pytest.mark.parametrize(
    ("value", "decimals", "text"),
    [
        (Decimal("2.345"), 2, "2,35"),  # half up (half-even would give 2,34)
        (Decimal("2.355"), 2, "2,36"),
        (Decimal("0.125"), 2, "0,13"),
        (Decimal("6.25"), 1, "6,3"),
        (Decimal("6.35"), 1, "6,4"),
        (Decimal("1234.5"), 0, "1.235"),
        (Decimal("80"), 2, "80,00"),
    ],
)
def test_format_number_rounds_half_up(value, decimals, text):
    assert format_number(value, decimals=decimals) == text


@pytest.mark.parametrize(
    ("rate", "precision", "text"),
    [
        (Decimal("97.34"), 2, "97,34%"),
        (Decimal("97.345"), 2, "97,35%"),
        (Decimal("80"), 2, "80,00%"),
        (Decimal("100"), 1, "100,0%"),
        (Decimal("96.25"), 1, "96,3%"),
        (None, 2, "–"),
    ],
)
def test_format_rate(rate, precision, text):
    assert format_rate(rate, precision=precision) == text


@pytest.mark.parametrize(
    ("numerator", "denominator", "precision", "rate"),
    [
        (256, 263, 2, Decimal("97.34")),
        (4212, 4690 - 201 - 152, 2, Decimal("97.12")),  # the DOMAIN example: 97,12%
        (2, 3, 2, Decimal("66.67")),
        (2, 3, 1, Decimal("66.7")),
        (1, 16, 1, Decimal("6.3")),  # 6,25 -> 6,3
        (1, 160, 2, Decimal("0.63")),  # 0,625 -> 0,63
        (0, 5, 2, Decimal("0.00")),
        (5, 5, 1, Decimal("100.0")),
        (0, 0, 2, None),  # nothing expected: no rate, not 0%
    ],
)
def test_compute_rate_from_counts(numerator, denominator, precision, rate):
    result = compute_rate(numerator, denominator, precision=precision)
    assert result == rate
    assert str(result) == str(rate)


def test_rates_print_from_counts_end_to_end():
    assert format_rate(compute_rate(256, 263, precision=2), precision=2) == "97,34%"
    assert format_rate(compute_rate(0, 0, precision=2), precision=2) == "–"


def test_dates():
    assert format_date(datetime.date(2024, 3, 31)) == "31/03/2024"
    assert format_date(datetime.date(2024, 1, 5)) == "05/01/2024"
    assert format_date(None) == ""
    assert format_date_long(datetime.date(2024, 1, 15)) == "ngày 15 tháng 01 năm 2024"
    assert format_date_long(datetime.date(2024, 3, 5)) == "ngày 05 tháng 3 năm 2024"
    assert format_date_long(datetime.date(2024, 2, 29)) == "ngày 29 tháng 02 năm 2024"
    assert format_date_long(datetime.date(2024, 12, 1)) == "ngày 01 tháng 12 năm 2024"
