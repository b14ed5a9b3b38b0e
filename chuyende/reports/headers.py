"""Defaults for a new report's header block (Hướng dẫn 36-HD/VPTW), all editable by the user."""

import datetime
import re
from dataclasses import dataclass

from chuyende.figures.tree import name_on, position_on
from chuyende.organisation.models import Unit

TERM_START_YEAR = 2020  # party committees sit for five-year terms: 2020-2025, 2025-2030, ...
TERM_YEARS = 5

_COMMITTEE = re.compile(
    r"^Đảng bộ (tỉnh|thành phố|huyện|quận|thị xã|xã|phường|thị trấn)\s+(.+)$", re.IGNORECASE
)
_CELL = re.compile(r"^Chi bộ\s+(.+)$", re.IGNORECASE)
_HIGH_LEVELS = {"tỉnh": "TU", "thành phố": "TU", "huyện": "HU", "quận": "QU", "thị xã": "TXU"}


@dataclass(frozen=True)
class Header:
    superior_body: str
    issuing_body: str
    symbol: str
    place: str
    signature_title: str
    recipients: str


def term_of(day: datetime.date) -> str:
    start = TERM_START_YEAR + TERM_YEARS * ((day.year - TERM_START_YEAR) // TERM_YEARS)
    return f"{start}-{start + TERM_YEARS}"


def _committee_body(level: str, place: str) -> str:
    """"huyện", "Hòa An" → "HUYỆN ỦY HÒA AN"; communes have a "ĐẢNG ỦY"."""
    if level.lower() in _HIGH_LEVELS:
        return f"{level.upper()} ỦY {place.upper()}"
    return f"ĐẢNG ỦY {level.upper()} {place.upper()}"


def default_header(unit: Unit, on: datetime.date) -> Header:
    """The header of a report of `unit` as of `on`: names and the superior unit of that day."""
    position = position_on(unit, on)
    parent = position.parent
    name = position.name
    report_to = f"- {name_on(parent, on)} (để báo cáo),\n" if parent is not None else ""
    superior = name_on(parent, on).upper() if parent is not None else ""
    committee = _COMMITTEE.match(name)
    if committee:
        level, place = committee.group(1), committee.group(2)
        if level.lower() in _HIGH_LEVELS:
            return Header(
                superior_body=_committee_body(level, place), issuing_body="BAN TUYÊN GIÁO",
                symbol=f"BC/BTG{_HIGH_LEVELS[level.lower()]}", place=place, signature_title="TRƯỞNG BAN",
                recipients=f"{report_to}- Thường trực cấp ủy (để báo cáo),\n- Lưu VT.",
            )
        return Header(
            superior_body=superior, issuing_body=_committee_body(level, place), symbol="BC/ĐU", place=place,
            signature_title="T/M ĐẢNG ỦY\nBÍ THƯ", recipients=f"{report_to}- Lưu Văn phòng Đảng ủy.",
        )
    cell = _CELL.match(name)
    place = cell.group(1) if cell else name
    return Header(
        superior_body=superior, issuing_body=name.upper(), symbol="BC/CB", place=place,
        signature_title="T/M CHI BỘ\nBÍ THƯ", recipients=f"{report_to}- Lưu Chi bộ.",
    )
