"""Check any report: read its text (`reading`), find and judge its claims (`claims`).

The one entry point for the checker page, the API and `manage.py check_report`; it writes nothing.
"""

import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

from chuyende.reports.claims import (
    _EXCLUSION,
    HOLDS,
    NUMBER,
    RATE,
    RATIO,
    VERDICTS,
    Claim,
    mask_non_figures,
    parse_number,
    rate_matches,
    read_claims,
)
from chuyende.reports.reading import ReadDocument, read_document, read_plain_text


@dataclass(frozen=True)
class CheckedReport:
    document: ReadDocument
    claims: list[Claim]

    @property
    def verdicts(self) -> dict[str, int]:
        counted = Counter(claim.verdict for claim in self.claims)
        return {verdict: counted.get(verdict, 0) for verdict in VERDICTS}

    def paragraphs(self) -> list[tuple[str, list[Claim]]]:
        """Each paragraph read, with the claims found in it."""
        by_paragraph: dict[int, list[Claim]] = {}
        for claim in self.claims:
            by_paragraph.setdefault(claim.paragraph, []).append(claim)
        return [(text, by_paragraph.get(index, [])) for index, text in enumerate(self.document.paragraphs, 1)]

    def as_json(self) -> dict[str, Any]:
        document = self.document
        return {
            "claims": [claim.as_json() for claim in self.claims],
            "verdicts": self.verdicts,
            "read": {
                "kind": document.kind,
                "paragraphs": len(document.paragraphs),
                "pages_read": document.pages_read,
                "pages_total": document.pages_total,
                "complete": document.complete,
                "extent": document.extent,
            },
        }


def check_report(*, data: bytes | None = None, text: str | None = None, precision: int = 2) -> CheckedReport:
    """The claims of a report file (`data`) or of pasted `text`; raises `UnreadableDocument`."""
    document = read_document(data=data) if data is not None else read_plain_text(text or "")
    claims = read_claims(document.paragraphs, pages=document.pages, precision=precision)
    return CheckedReport(document=document, claims=claims)


_NON_MEMBERS = re.compile(r"ngoài đảng|chưa là đảng viên|quần chúng|người dân", re.IGNORECASE)
_EXEMPT = re.compile(r"miễn", re.IGNORECASE)
_AWAY = re.compile(r"làm ăn xa|vắng|đi xa|tạm", re.IGNORECASE)


def returns_from_claims(claims: list[Claim]) -> dict[str, int]:
    """Figures for a unit's returns read from the first rates of party members and of non-members
    that hold; the officer confirms or corrects them before anything is saved."""
    found: dict[str, int] = {}
    for claim in claims:
        if claim.kind != RATE or claim.verdict != HOLDS:
            continue
        ratio = RATIO.search(mask_non_figures(claim.text))
        if ratio is None:
            continue
        a, b = int(parse_number(ratio.group("a"))), int(parse_number(ratio.group("b")))
        if _NON_MEMBERS.search(claim.sentence):
            if "non_members_studied" not in found:
                found.update(non_members_studied=a, non_members_expected=b)
            continue
        if "studied" in found or "đảng viên" not in claim.sentence.lower():
            continue
        found.update(studied=a, members_total=b, exempt=0, away=0)
        exclusion = _EXCLUSION.search(mask_non_figures(claim.text))
        if exclusion is not None:
            for item in re.split(r",|;|\bvà\b(?=\s+\d)", exclusion.group()):
                number = NUMBER.search(item)
                if number is None:
                    continue
                key = "exempt" if _EXEMPT.search(item) else "away" if _AWAY.search(item) else ""
                if key:
                    found[key] += int(parse_number(number.group()))
            if rate_matches(parse_number(claim.stated.rstrip("%")), a, b):
                # The rate is of b itself: b is those expected, the total adds those left out.
                found["members_total"] = b + found["exempt"] + found["away"]
    return found
