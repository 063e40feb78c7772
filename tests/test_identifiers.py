"""Identifiers normalized as Python normalizes them (NFKC, PEP 3131)."""

from __future__ import annotations

import ast

from howto_ls.identifiers import normalize, normalize_words, normalized_column


def test_normalize_matches_what_the_parser_binds() -> None:
    for written in ("𝔣𝔬𝔬", "ｒｕｎ", "ﬁle", "Full.ｒｕｎ"):
        tree = ast.parse(f"{written.split('.')[-1]} = 1")
        target = tree.body[0].targets[0]  # type: ignore[attr-defined]
        assert normalize(written.split(".")[-1]) == target.id
    assert normalize("Full.ｒｕｎ") == "Full.run"


def test_normalize_words_keeps_lines_and_already_normal_text() -> None:
    text = "x = 1\n"
    assert normalize_words(text) is text
    source = "def 𝔣𝔬𝔬():\n    return f.ｒｕｎ(2)  # ＯＫ\n"
    assert normalize_words(source) == "def foo():\n    return f.run(2)  # OK\n"
    assert normalize_words(source).count("\n") == source.count("\n")


def test_normalized_column_follows_words_that_change_length() -> None:
    line = "ﬁx = 𝔣𝔬𝔬 + ｒｕｎ"  # "ﬁ" is one character, "fi" two
    column = line.index("ｒｕｎ")
    assert normalize_words(line)[normalized_column(line, column) :] == "run"
