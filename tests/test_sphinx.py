"""The Sphinx extension: real ``sphinx-build -W`` runs (autodoc with napoleon, and with numpydoc)
over a package whose docstrings hold guides written by ``generate``, and the reST it writes."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest
from docutils import nodes
from docutils.core import publish_doctree

from howto_ls.guide import HEADING
from howto_ls.sphinx import put_guides_back, rest_inline, take_guides
from tests.guided_package import (
    HUMAN_TEXTS,
    PACKAGE,
    page_text,
    readme_block,
    tool_env,
    write_guided_package,
)

# conf.py as the README says: its line, word for word.
NAPOLEON = readme_block("python").removeprefix("extensions = ")
NUMPYDOC = '["sphinx.ext.autodoc", "numpydoc", "howto_ls.sphinx"]'
# The usual numpydoc settings: no validation report, member tables without stub pages.
NUMPYDOC_SETTINGS = "numpydoc_validation_checks = set()\nnumpydoc_class_members_toctree = False\n"
INDEX = f"""\
API
===

.. automodule:: {PACKAGE}

.. automodule:: {PACKAGE}.text
   :members:

.. automodule:: {PACKAGE}.boxes
   :members:

.. automodule:: {PACKAGE}.stats
   :members:
"""


def sphinx_build(
    root: Path, name: str, extensions: str, settings: str = ""
) -> tuple[int, str, str]:
    """Run ``sphinx-build -W -b html`` on a one-page project; (exit code, stderr, index.html)."""
    source = root / name
    source.mkdir()
    (source / "conf.py").write_text(
        f"project = 'shelf'\nextensions = {extensions}\n{settings}", encoding="utf-8"
    )
    (source / "index.rst").write_text(INDEX, encoding="utf-8")
    out = root / f"{name}-html"
    command = [sys.executable, "-m", "sphinx", "-W", "-q", "-b", "html", str(source), str(out)]
    result = subprocess.run(
        command, env=tool_env(root), capture_output=True, text=True, timeout=300, check=False
    )
    page = out / "index.html"
    return result.returncode, result.stderr, page.read_text("utf-8") if page.exists() else ""


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int]:
    """The package's folder and how many guides ``generate`` wrote into it."""
    root = tmp_path_factory.mktemp("sphinx")
    return root, write_guided_package(root)


@pytest.fixture(scope="module", params=["napoleon", "numpydoc"])
def build(request: pytest.FixtureRequest, package: tuple[Path, int]) -> tuple[int, str, str]:
    """One warnings-as-errors build per configuration, with the extension."""
    root, _ = package
    if request.param == "napoleon":
        return sphinx_build(root, "napoleon", NAPOLEON)
    return sphinx_build(root, "numpydoc", NUMPYDOC, NUMPYDOC_SETTINGS)


def test_the_readme_line_adds_the_extension_after_napoleon() -> None:
    assert NAPOLEON == '["sphinx.ext.autodoc", "sphinx.ext.napoleon", "howto_ls.sphinx"]'


def test_every_guide_holding_package_builds_without_a_warning(
    build: tuple[int, str, str], package: tuple[Path, int]
) -> None:
    code, stderr, _ = build
    assert code == 0, stderr
    assert "WARNING" not in stderr and "ERROR" not in stderr, stderr
    assert "UserWarning" not in stderr, stderr  # numpydoc's notes on the guide's headings
    assert package[1] >= 9  # modules, functions, a variable, classes and methods


def test_the_page_shows_each_guide_as_rendered_markup(
    build: tuple[int, str, str], package: tuple[Path, int]
) -> None:
    _, _, page = build
    guides = package[1]
    assert page.count('<div class="highlight-python') == guides  # every example highlighted
    assert page.count('<ol class="arabic') == guides  # every guide's steps as a numbered list
    text = page_text(page)
    assert text.count(HEADING) == guides
    assert "```" not in text
    assert "howto-ls: fingerprint" not in text
    assert "=====" not in text and "-----" not in text
    assert "Receives line (str) and optional sep (str, default '\\t')" in text  # a backslash
    assert 'default \'"""\'' in text  # triple quotes in a default
    assert "re.compile('\\\\w+')" in text
    assert ".. rubric::" not in text and "#. " not in text  # no guide read as a section's text


def test_a_guide_after_docstring_sections_follows_them(build: tuple[int, str, str]) -> None:
    text = page_text(build[2])
    for section_text, guide in [
        ("The scaled values.", "scale is a function in shelf.stats"),
        ("The sum of the values.", "total is a function in shelf.stats"),
    ]:
        returns = text.index(section_text)
        assert returns < text.index(HEADING, returns) < text.index(guide, returns) < returns + 300


def test_human_text_is_on_the_page_before_the_guide(build: tuple[int, str, str]) -> None:
    text = page_text(build[2])
    for human in HUMAN_TEXTS:
        assert human in text
    body = text.index(HUMAN_TEXTS[1])  # split_fields: its summary, its text, then its guide
    assert text.rindex(HUMAN_TEXTS[0], 0, body) > body - 100
    assert body < text.index(HEADING, body) < body + 100


def test_without_the_extension_the_strict_build_fails(package: tuple[Path, int]) -> None:
    root, _ = package
    plain = '["sphinx.ext.autodoc", "sphinx.ext.napoleon"]'
    code, stderr, _ = sphinx_build(root, "plain", plain)
    assert code != 0
    assert "Inline literal start-string without end-string" in stderr


def render(rest: str) -> nodes.document:
    """``rest`` parsed by docutils, its messages kept in the tree (none printed)."""
    settings = {"report_level": 5, "halt_level": 5, "warning_stream": io.StringIO()}
    return publish_doctree(rest, settings_overrides=settings)


@pytest.mark.parametrize(
    ("markdown", "shown"),
    [
        ("Pass `sep` (default `'\\t'`) to split.", "Pass sep (default '\\t') to split."),
        (
            "Use `*args` and **kwargs with a_b_ and |x| [1]_",
            "Use *args and **kwargs with a_b_ and |x| [1]_",
        ),
        ("Call `f`s and `g`'s result", "Call fs and g's result"),
        ("Returns `obj.__dict__`.", "Returns obj.__dict__."),
        ("**Step one**: open the file.", "Step one: open the file."),
        ("- not a list", "- not a list"),
        ("1. not a list either", "1. not a list either"),
        (".. not a comment", ".. not a comment"),
        (">>> not a doctest", ">>> not a doctest"),
        ("Ends with a colon::", "Ends with a colon::"),
        ("A path C:\\temp\\new", "A path C:\\temp\\new"),
        ("Code with a double tick `x``y` stays text", "Code with a double tick `x``y` stays text"),
        ("`unclosed code", "`unclosed code"),
    ],
)
def test_guide_prose_reads_as_the_same_text_in_rest(markdown: str, shown: str) -> None:
    document = render(rest_inline(markdown))
    messages = [node.astext() for node in document.findall(nodes.system_message)]
    assert messages == []
    assert document.astext() == shown


def process(lines: list[str]) -> None:
    """What autodoc's listeners do to ``lines`` with this extension and no docstring parser."""
    take_guides(None, "function", "f", None, None, lines)  # type: ignore[arg-type]
    put_guides_back(None, "function", "f", None, None, lines)  # type: ignore[arg-type]


GUIDE = [
    HEADING,
    "=" * 89,
    "",
    "Description",
    "-" * 25,
    "Adds `a` and `b`.",
    "",
    "Execution Steps",
    "-" * 25,
    "1. Receives `a`.",
    "",
    "Usage Example",
    "-" * 25,
    "",
    "```python",
    "print(add(1, 2))",
    "```",
    "",
    ".. howto-ls: fingerprint=0123456789ab",
]


def test_docstring_lines_keep_their_own_text_then_the_guides() -> None:
    # autodoc joins a class's docstring and its __init__'s (autoclass_content = "both")
    lines = ["A sum.", "", *GUIDE, "Text after the guide.", "", "Made with care.", "", *GUIDE, ""]
    process(lines)
    text = "\n".join(lines)
    assert text.startswith("A sum.\n\nText after the guide.\n\nMade with care.\n\n.. rubric::")
    assert text.count(f".. rubric:: {HEADING}") == 2
    assert text.count(".. code-block:: python") == 2
    assert "fingerprint" not in text and "```" not in text
    assert "#. Receives ``a``." in text
    untouched = ["Only human text.", "", "Description", "-----------", "Kept."]
    copy = list(untouched)
    process(copy)
    assert copy == untouched


def test_a_guide_alone_becomes_the_whole_docstring() -> None:
    lines = [*GUIDE, ""]
    process(lines)
    assert lines[0] == f".. rubric:: {HEADING}"
    assert lines[-1] == ""


def test_an_example_pygments_cannot_lex_is_plain_text() -> None:
    lines = [HEADING, "=" * 89, "", "Usage Example", "-" * 25, "```python", "x = $1", "```"]
    process(lines)
    assert ".. code-block:: text" in lines


def test_importing_howto_ls_needs_no_sphinx_nor_griffe() -> None:
    code = (
        "import sys, howto_ls, howto_ls.cli, howto_ls.server, howto_ls.doctools\n"
        "print(sorted(m for m in ('sphinx', 'docutils', 'griffe') if m in sys.modules))"
    )
    command = [sys.executable, "-c", code]
    result = subprocess.run(
        command, env=tool_env(), capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
