"""The accent- and case-insensitive search key of a member, the same on SQLite and PostgreSQL.

Vietnamese users type "nguyen van" or "DO" for "Nguyễn Văn" or "Đỗ". SQLite's LIKE folds ASCII case
only and neither database ignores diacritics by default, so the roster stores a folded copy of the
name and code (``Member.search_key``) and folds the query the same way before a plain ``contains``.

Every word of a key starts with a space, the query's too: a query matches from the start of a word
("do" finds Đỗ Thị Hương, not every code HB-DONG-..), and may run on over several words.
"""

import unicodedata
from collections.abc import Sequence

SEARCH_KEY_MAX_LENGTH = 321  # space + full name (255) + space + code (64)


def search_key_of(*parts: str) -> str:
    """Lowercase, without diacritics (NFD, combining marks dropped, đ -> d), each word after a space."""
    text = " ".join(parts).lower().replace("đ", "d")
    bare = "".join(ch for ch in unicodedata.normalize("NFD", text) if not unicodedata.combining(ch))
    return "".join(f" {word}" for word in bare.split())[:SEARCH_KEY_MAX_LENGTH]


def search_keys_of(names: Sequence[str], codes: Sequence[str]) -> list[str]:
    """search_key_of(full_name, code) of every row, each distinct name and word folded once.

    search_key_of keeps whitespace where it is and folds each word on its own (lower case, no
    diacritics), so the key of a text is the keys of its words put together; a word of ASCII only
    (codes) folds to its lower case. Tests check both against search_key_of."""
    words: dict[str, str] = {}
    folded_names: dict[str, str] = {}
    keys = []
    for name, code in zip(names, codes, strict=True):
        folded = folded_names.get(name)
        if folded is None:
            parts = []
            for word in name.split():
                part = words.get(word)
                if part is None:
                    part = words[word] = search_key_of(word)
                parts.append(part)
            folded = folded_names[name] = "".join(parts)
        if code.isascii() and code.isprintable() and " " not in code and code:  # one word, no whitespace
            folded += " " + code.lower()
        elif code.isascii():
            folded += "".join([" " + word for word in code.lower().split()])
        else:
            folded += search_key_of(code)
        keys.append(folded if len(folded) <= SEARCH_KEY_MAX_LENGTH else folded[:SEARCH_KEY_MAX_LENGTH])
    return keys
