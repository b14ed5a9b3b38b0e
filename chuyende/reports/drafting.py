"""Section II of a report (results), written in Vietnamese from the report's figures dict.

Every number printed is a `FigureRef` whose `key` points into the figures dict, so a reader can
open the records that make it up (the sources page) and documents can print the text as is.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from chuyende.campaigns.models import Campaign


@dataclass(frozen=True)
class FigureRef:
    """A number as printed (`text`) and the dotted path of the figure it comes from (`key`)."""

    text: str
    key: str


@dataclass(frozen=True)
class Paragraph:
    segments: tuple[str | FigureRef, ...]
    heading: bool = False

    @property
    def text(self) -> str:
        return "".join(s.text if isinstance(s, FigureRef) else s for s in self.segments)


def results_section(figures: dict[str, Any], *, campaign: Campaign, unit_name: str) -> list[Paragraph]:
    """Section II: headings and paragraphs of prose; work in progress returns the headings only."""
    return []
