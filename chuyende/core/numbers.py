"""Vietnamese number, rate and date formatting: `1.234,5`, `97,34%`, `31/03/2024`.

Every page, export and report prints figures through these functions.
"""

import datetime
from decimal import ROUND_HALF_UP, Decimal

MONTH_PADDING = 2


def compute_rate(numerator: int, denominator: int, *, precision: int) -> Decimal | None:
    """Percentage from counts, rounded half up to `precision` decimals; None when nothing is expected."""
    if denominator <= 0:
        return None
    raw = Decimal(numerator) * 100 / Decimal(denominator)
    return raw.quantize(Decimal(1).scaleb(-precision), rounding=ROUND_HALF_UP)


def format_number(value: int | Decimal | float | None, *, decimals: int | None = None) -> str:
    if value is None:
        return "–"
    number = Decimal(str(value))
    if decimals is not None:
        number = number.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    sign = "-" if number < 0 else ""
    text = f"{abs(number):f}"
    whole, _, fraction = text.partition(".")
    groups: list[str] = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    grouped = ".".join(groups)
    return f"{sign}{grouped},{fraction}" if fraction else f"{sign}{grouped}"


def format_rate(rate: Decimal | None, *, precision: int) -> str:
    if rate is None:
        return "–"
    return f"{format_number(rate, decimals=precision)}%"


def format_date(value: datetime.date | None) -> str:
    if value is None:
        return ""
    return value.strftime("%d/%m/%Y")


def format_date_long(value: datetime.date) -> str:
    """As in document headers (Hướng dẫn 36-HD/VPTW): `ngày 15 tháng 01 năm 2024`, `ngày 31 tháng 3
    năm 2024`: days below 10 and the months 1 and 2 take a leading zero, other months do not."""
    month = f"{value.month:02d}" if value.month < 3 else str(value.month)
    return f"ngày {value.day:02d} tháng {month} năm {value.year}"
