"""search_keys_of (many rows at once, for imports) gives what search_key_of gives each row."""

from chuyende.members.search import search_key_of, search_keys_of


def test_search_keys_of_many_rows_are_those_of_search_key_of():
    names = ["Nguyễn Văn Ánh", "ĐỖ THỊ HƯƠNG", "Σίσυφος ΟΔΥΣΣΕΥΣ", "İlkay Şahin", "  a  b ", "ab\u00a0cd",
             "a \u0301 b", "tab\there\nand line", "Ngô" * 120, "x", "Lê\u2003Văn"]
    codes = ["HB-DONG-01", "HB-ĐÔNG-02", "ab cd", "ΣΑ", "X\u00a0Y", "Q" * 64, "a\u0301", "c", "d", "e", "f"]
    expected = [search_key_of(name, code) for name, code in zip(names, codes, strict=True)]
    assert search_keys_of(names, codes) == expected
    ascii_codes = ["".join(chr(code) for code in range(32, 127)), "", "A\tB", "abc", "X-1.Y_2", "a\x1fb", " "]
    assert search_keys_of(["An"] * len(ascii_codes), ascii_codes) == [
        search_key_of("An", code) for code in ascii_codes]
