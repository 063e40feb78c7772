"""Guides found by the words of a task: words, endings, scores, ranking and bounds."""

from __future__ import annotations

from pathlib import Path

import pytest

from howto_ls import config, guide_search
from howto_ls.engine import Engine, GuideState
from howto_ls.errors import UsageError
from howto_ls.guide_search import query_terms, score_guide, search_guides, stem, words

# Two guides written by hand in the seed format: one in a docstring, one fingerprinted stale.
GUIDED = '''\
"""Loading settings."""


def load_config(path: str) -> dict[str, str]:
    """Read a settings file.

    How to Use This Code Block
    ==========================

    Description
    -----------
    Parses an INI file into a dictionary of settings.

    Execution Steps
    ---------------
    1. Opens the file.

    Usage Example
    -------------

    ```python
    from settings import load_config

    print(load_config("app.ini"))
    ```

    .. howto-ls: fingerprint=000000000000
    """
    return {}


def retry(times: int) -> None:
    """Call again.

    How to Use This Code Block
    ==========================

    Description
    -----------
    Retries a request a number of times.

    Usage Example
    -------------

    ```python
    retry(3)
    ```
    """
'''


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    root.mkdir()
    (root / "pyproject.toml").write_text("", encoding="utf-8")
    (root / "settings.py").write_text(GUIDED, encoding="utf-8")
    (root / "empty.py").write_text("def nothing() -> None:\n    pass\n", encoding="utf-8")
    return root


def engines(root: Path) -> Engine:
    return Engine(config.Settings(backend="offline"), root)


@pytest.mark.parametrize(
    ("word", "stemmed"),
    [
        ("parse", "pars"),
        ("parses", "pars"),
        ("parsed", "pars"),
        ("Parsing", "pars"),
        ("retries", "retry"),
        ("retrying", "retry"),
        ("classes", "class"),
        ("class", "class"),
        ("status", "status"),
        ("use", "use"),
        ("uses", "use"),
    ],
)
def test_stem_joins_the_forms_of_a_word(word: str, stemmed: str) -> None:
    assert stem(word) == stemmed


def test_identifiers_split_into_words() -> None:
    assert words("parseConfig read_file HTTPServer") == [
        "pars",
        "config",
        "read",
        "fil",
        "http",
        "server",
    ]


def test_query_drops_function_words_and_keeps_spellings() -> None:
    assert query_terms("How do I parse the config files, parsing configs?") == {
        "pars": "parse",
        "config": "config",
        "fil": "files",
    }


def test_score_counts_name_words_three_and_text_words_one() -> None:
    matched, score = score_guide(["config", "pars", "yaml"], "settings load_config", "parses it")
    assert matched == ("config", "pars")
    assert score == guide_search.NAME_POINTS + guide_search.TEXT_POINTS


def test_search_ranks_by_words_matched_and_tells_the_state(project: Path) -> None:
    found = search_guides([project], "parse a settings file", lambda _: engines(project))
    # retry matches "settings" only, by its module's name
    assert [(hit.key, hit.score) for hit in found.hits] == [
        ("load_config", 1 + (3 + 1) + 1),  # parse; settings: module name and text; file
        ("retry", 3),
    ]
    best = found.hits[0]
    assert best.matched == ("parse", "settings", "file")
    assert best.state is GuideState.STALE  # its fingerprint is not the code's
    assert best.where == "docstring"
    assert best.line == 4
    assert best.excerpt == "Read a settings file."
    assert found.terms == ("parse", "settings", "file")
    assert found.files_searched == 2
    assert not found.truncated


def test_search_matches_words_of_the_guide_text(project: Path) -> None:
    found = search_guides([project], "retrying requests", lambda _: engines(project))
    assert [hit.key for hit in found.hits] == ["retry"]
    assert found.hits[0].excerpt == "Retries a request a number of times."


def test_search_is_bounded(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert len(search_guides([project], "settings", lambda _: engines(project), 1).hits) == 1
    monkeypatch.setattr(guide_search, "MAX_FILES", 1)
    found = search_guides([project], "settings", lambda _: engines(project))
    assert found.truncated
    assert found.files_searched == 1


def test_a_query_without_words_is_a_usage_error(project: Path) -> None:
    with pytest.raises(UsageError, match="no word to look for"):
        search_guides([project], "the of ...", lambda _: engines(project))


def test_a_missing_folder_is_a_usage_error(project: Path) -> None:
    with pytest.raises(UsageError, match="no such file or folder"):
        search_guides([project / "absent"], "settings", lambda _: engines(project))


def test_a_file_symlinked_out_of_the_root_is_not_read(project: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "outlib.py").write_text(GUIDED.replace("settings", "secrets"), encoding="utf-8")
    (project / "outlink.py").symlink_to(outside / "outlib.py")
    (project / "inlink.py").symlink_to(project / "settings.py")  # inside: still searched

    found = search_guides([project], "secrets settings", lambda _: engines(project))
    assert {hit.path.name for hit in found.hits} == {"settings.py", "inlink.py"}
    assert search_guides([project / "outlink.py"], "secrets", lambda _: engines(project)).hits == ()
    elsewhere = search_guides([project], "settings", lambda _: engines(project), root=outside)
    assert elsewhere.hits == ()  # the root given, not the project's, bounds what is read
