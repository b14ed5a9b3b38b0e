"""The accent- and case-insensitive search key of a member, the same on SQLite and PostgreSQL.

Vietnamese users type "nguyen van" or "DO" for "Nguyễn Văn" or "Đỗ". SQLite's LIKE folds ASCII case
only and neither database ignores diacritics by default, so the roster stores a folded copy of the
name and code (``Member.search_key``) and folds the query the same way before a plain ``contains``.

Every word of a key starts with a space, the query's too: a query matches from the start of a word
("do" finds Đỗ Thị Hương, not every code HB-DONG-..), and may run on over several words.
"""

import unicodedata

SEARCH_KEY_MAX_LENGTH = 321  # space + full name (255) + space + code (64)


def search_key_of(*parts: str) -> str:
    """Lowercase, without diacritics (NFD, combining marks dropped, đ -> d), each word after a space."""
    text = " ".join(parts).lower().replace("đ", "d")
    bare = "".join(ch for ch in unicodedata.normalize("NFD", text) if not unicodedata.combining(ch))
    return "".join(f" {word}" for word in bare.split())[:SEARCH_KEY_MAX_LENGTH]
