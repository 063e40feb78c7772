"""The error line an example's run is reported by."""

from __future__ import annotations

from howto_ls.examples_run import error_kind, last_error_line


def test_a_carriage_return_in_the_message_keeps_the_exception_type() -> None:
    stderr = (
        "Traceback (most recent call last):\n"
        '  File "<example>", line 3, in <module>\n'
        "ValueError: A\r::error::B\x1b]0;title\x07\n"
    )
    line = last_error_line(stderr)
    assert line == "ValueError: A\r::error::B\x1b]0;title\x07"
    assert error_kind(line) == "ValueError"


def test_the_line_is_cut_and_blank_lines_are_skipped() -> None:
    assert (
        last_error_line("KeyError: " + "k" * 500 + "\n\n  \n") == ("KeyError: " + "k" * 500)[:200]
    )
    assert last_error_line("") == ""
