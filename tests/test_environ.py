"""Environment variables read without a fallback are set by the example first; run."""

from __future__ import annotations

import ast
from pathlib import Path

from howto_ls.offline.analysis import parse_module
from howto_ls.offline.environ import required_variables
from tests.test_example import example_for, run_example

COMPLETION = '''\
"""Shell completion that reads what the shell puts in the environment."""

from __future__ import annotations

import os


class Completion:
    """Completes the word under the cursor."""

    def __init__(self, program: str) -> None:
        self.program = program

    def arguments(self) -> tuple[list[str], str]:
        words = os.environ["COMP_WORDS"].split()
        index = int(os.environ["COMP_CWORD"])
        debug = os.environ.get("COMP_DEBUG")
        if debug:
            print(debug)
        return words[1:index], words[index] if index < len(words) else ""

    def complete(self) -> str:
        """The completions, one per line."""
        words, incomplete = self.arguments()
        return "\\n".join([*words, incomplete])


def home_config() -> str:
    """Where the configuration lives."""
    return os.path.join(os.environ["CONFIG_HOME"], "app.toml")
'''


def test_a_method_reached_through_self_gets_its_variables_set(tmp_path: Path) -> None:
    _, example = example_for(tmp_path, "Completion.complete", COMPLETION)
    assert 'os.environ["COMP_WORDS"] = "example"' in example
    assert 'os.environ["COMP_CWORD"] = "1"' in example  # converted with int()
    assert "COMP_DEBUG" not in example  # read with .get(): optional
    assert example.index("os.environ") < example.index(".complete(")
    run_example(tmp_path, example)


def test_a_function_gets_its_variables_set(tmp_path: Path) -> None:
    _, example = example_for(tmp_path, "home_config", COMPLETION)
    assert 'os.environ["CONFIG_HOME"] = "example"' in example
    assert "example/app.toml" in run_example(tmp_path, example)


def test_writes_and_lookups_with_a_fallback_are_not_requirements() -> None:
    tree = parse_module(
        "import os\n"
        "def f():\n"
        "    os.environ['SET_HERE'] = '1'\n"
        "    del os.environ['GONE']\n"
        "    return os.getenv('A'), os.environ.get('B')\n"
    )
    assert tree is not None
    function = tree.body[1]
    assert isinstance(function, ast.FunctionDef)
    assert required_variables([function]) == {}
