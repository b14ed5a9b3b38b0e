"""The importer reads back the text a spreadsheet export neutralised (exports.tables.restore)."""

import pytest

from chuyende.exports.tables import neutralise
from chuyende.imports.reading import parse_code, parse_text


@pytest.mark.parametrize(
    "text", ['=HYPERLINK("http://x","y")', "+84 912", "-", "@chi bo", "'=already quoted", "''=twice", " =x"],
)
def test_a_neutralised_text_reads_back_as_it_was_written(text):
    assert parse_text(neutralise(text)) == text.strip()


@pytest.mark.parametrize("text", ["'tên có dấu nháy", "'", "Bình thường", "'' "])
def test_a_quote_not_followed_by_a_formula_start_is_kept(text):
    assert parse_text(text) == text.strip()


def test_a_neutralised_code_reads_back_as_it_was_written():
    assert parse_code(neutralise("-HB-01")) == "-HB-01"
    assert parse_code("'HB-01") == "'HB-01"
