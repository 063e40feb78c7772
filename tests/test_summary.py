"""The summary line opening a docstring howto-ls creates, and recognising it later."""

from __future__ import annotations

import pytest

from howto_ls.summary import is_written_summary, measure, sentences, summary_line

OFFLINE = (
    "`want_bytes` is a function in `itsdangerous.encoding`. It takes `s` (`str | bytes`) and "
    "the optional `encoding` and `errors` and returns `bytes`."
)


def function(description: str, width: int | None = None, imperative: bool = True) -> str:
    return summary_line(
        description, name="want_bytes", kind="function", imperative=imperative, width=width
    )


@pytest.mark.parametrize(
    ("description", "expected"),
    [
        (
            OFFLINE,
            "Take `s` (`str | bytes`) and the optional `encoding` and `errors` and return `bytes`.",
        ),
        (
            "Parses the config file and returns its sections.",
            "Parse the config file and return its sections.",
        ),
        ("This function applies the patch. It logs.", "Apply the patch."),
        ("It matches `x`, checks `y` and passes `z` on.", "Match `x`, check `y` and pass `z` on."),
        ("Read the file and return its lines.", "Read the file and return its lines."),
    ],
)
def test_a_function_summary_starts_with_its_verb_in_the_imperative(
    description: str, expected: str
) -> None:
    assert function(description) == expected


def test_google_keeps_the_third_person_and_classes_keep_their_sentence() -> None:
    assert function("Parses the file. More.", imperative=False) == "Parses the file."
    assert function(OFFLINE, imperative=False) == (
        "`want_bytes` is a function in `itsdangerous.encoding`."
    )
    described = summary_line(
        "`BadData` is a class deriving from `Exception`. It defines 2 methods.",
        name="BadData",
        kind="class",
        imperative=True,
    )
    assert described == "`BadData` is a class deriving from `Exception`."


def test_a_plural_noun_is_not_taken_for_a_verb() -> None:
    assert function("Utilities for the registry.") == "Call `want_bytes`."
    assert summary_line(
        "Utilities for the registry.", name="m", kind="module", imperative=True
    ) == ("Utilities for the registry.")


def test_too_long_a_sentence_is_cut_at_a_clause_and_the_line_fits() -> None:
    summary = function(OFFLINE, width=60)
    assert summary == "Take `s` (`str | bytes`) and the optional `encoding`."
    assert measure(summary) <= 60
    assert function("It " + "x" * 200 + ".", width=40) == "Call `want_bytes`."


def test_escapes_count_against_the_width() -> None:
    description = 'It returns `"""` or `\\\\`, and the rest of it.'
    summary = function(description, width=35)
    assert measure(summary) <= 35
    assert measure('"""') == 6 and measure("\\") == 2


def test_quotations_and_code_are_never_changed_or_cut() -> None:
    description = 'It defines the class `IoT` ("Client and returns things, it says.").'
    assert function(description) == (
        'Define the class `IoT` ("Client and returns things, it says.").'
    )
    assert sentences('It says "Stop. Go." Then `a. B` runs.') == [
        'It says "Stop. Go."',
        "Then `a. B` runs.",
    ]


def test_every_summary_is_recognised_and_a_persons_line_is_not() -> None:
    for width in (None, 60, 30):
        for imperative in (True, False):
            assert is_written_summary(function(OFFLINE, width, imperative), OFFLINE)
    assert is_written_summary("Call `want_bytes`.", OFFLINE)
    assert not is_written_summary("Encode a string to bytes.", OFFLINE)
    assert not is_written_summary("Take `s`.\nMore.", OFFLINE)


def test_a_summary_starts_with_a_capital_and_ends_with_one_period() -> None:
    summary = summary_line("returns the rows!", name="Rows", kind="class", imperative=True)
    assert summary == "Returns the rows."
    assert summary_line('It says "Stop."', name="f", kind="function", imperative=True) == (
        'Say "Stop.".'
    )


@pytest.mark.parametrize(
    ("description", "does", "says"),
    [
        ("A context manager that opens a connection.", "Open a connection.", None),
        ("`load` reads the file.", "Read the file.", None),
        ("Caches the result of `fn`.", "Cache the result of `fn`.", "Caches the result of `fn`."),
        ("It takes `x` and returns `y`.", "Take `x` and return `y`.", "Takes `x` and returns `y`."),
    ],
)
def test_a_function_turns_round_what_a_class_keeps_as_written(
    description: str, does: str, says: str | None
) -> None:
    assert function(description) == does
    kept = summary_line(description, name="C", kind="class", imperative=True)
    assert kept == (says or description)
