import datetime
from decimal import Decimal

from django import template

from chuyende.core import numbers

register = template.Library()


@register.filter
def vn_number(value: int | Decimal | float | None) -> str:
    return numbers.format_number(value)


@register.filter
def vn_rate(value: Decimal | None, precision: int = 2) -> str:
    return numbers.format_rate(value, precision=int(precision))


@register.filter
def vn_date(value: datetime.date | None) -> str:
    return numbers.format_date(value)


@register.filter
def bar_width(value: Decimal | None) -> str:
    """A progress-bar width in CSS percent, clamped to 0..100, with a dot decimal for CSS."""
    if value is None:
        return "0"
    return f"{max(Decimal(0), min(Decimal(100), Decimal(value))):.2f}"


@register.filter
def vn_number_signed(value: Decimal | None, decimals: int = 2) -> str:
    """"+1,85", "-0,50", "0,00": a difference with its sign."""
    if value is None:
        return "–"
    sign = "+" if value > 0 else ""
    return sign + numbers.format_number(value, decimals=decimals)
