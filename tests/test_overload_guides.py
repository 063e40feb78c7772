"""Guides of ``@overload``-ed functions: their call forms, offline and in prompts."""

from __future__ import annotations

from pathlib import Path

import pytest

from howto_ls.definitions import call_forms
from howto_ls.model import GuideRequest
from howto_ls.offline.writer import write_guide
from howto_ls.prompt import MAX_CODE_CHARS, user_message
from howto_ls.symbols import symbol_named
from howto_ls.testing.position_fuzz import PACKAGES, download

CODECS = '''\
"""Codecs."""

from typing import overload


@overload
def encode(value: str) -> bytes: ...
@overload
def encode(value: int, *, width: int = 4) -> bytes: ...
def encode(value, *, width=4):
    if isinstance(value, str):
        return value.encode()
    return value.to_bytes(width, "big")


class Registry:
    @overload
    def get(self, name: str) -> str: ...
    @overload
    def get(self, name: str, default: int) -> str | int: ...
    def get(self, name, default=None):
        return default

    @overload
    @staticmethod
    def parse(text: str) -> str: ...
    @overload
    @staticmethod
    def parse(text: bytes) -> bytes: ...
    @staticmethod
    def parse(text):
        return text
'''


def _request(tmp_path: Path, qualname: str, source: str = CODECS) -> GuideRequest:
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'codecs'\n", encoding="utf-8")
    path = tmp_path / "codecs_lib.py"
    path.write_text(source, encoding="utf-8")
    return GuideRequest(symbol_named(source, path, qualname, tmp_path), source)


def test_the_offline_guide_lists_the_call_forms_of_the_signatures(tmp_path: Path) -> None:
    guide = write_guide(_request(tmp_path, "encode"))
    assert (
        "Its `@overload` signatures give 2 call forms: `encode(value: str) -> bytes` or "
        "`encode(value: int, *, width: int=4) -> bytes`." in guide.description
    )
    assert "isinstance" in guide.description + " ".join(guide.steps)  # the implementation


def test_method_call_forms_leave_out_what_the_call_binds(tmp_path: Path) -> None:
    get = write_guide(_request(tmp_path, "Registry.get")).description
    assert "`get(name: str) -> str` or `get(name: str, default: int) -> str | int`" in get
    parse = write_guide(_request(tmp_path, "Registry.parse")).description
    assert "`parse(text: str) -> str` or `parse(text: bytes) -> bytes`" in parse


def test_signatures_with_no_implementation_list_every_call_form(tmp_path: Path) -> None:
    source = CODECS.split("def encode(value, *", maxsplit=1)[0]
    guide = write_guide(_request(tmp_path, "encode", source))
    assert "give 2 call forms: `encode(value: str) -> bytes` or `encode(value: int" in (
        guide.description
    )


def test_a_function_without_overloads_lists_no_call_forms(tmp_path: Path) -> None:
    source = "def encode(value: str) -> bytes:\n    return value.encode()\n"
    guide = write_guide(_request(tmp_path, "encode", source))
    assert "call form" not in guide.description and "@overload" not in guide.description


def test_the_prompt_gives_the_call_forms_even_when_the_code_is_cut(tmp_path: Path) -> None:
    long_body = "".join(f"    step_{n} = value * {n}\n" for n in range(MAX_CODE_CHARS // 20))
    source = CODECS.replace(
        "def encode(value, *, width=4):\n", f"def encode(value, *, width=4):\n{long_body}"
    )
    text = user_message(_request(tmp_path, "encode", source))
    signature = text.split("Signature: ", 1)[1].split("\nUsage Example:", 1)[0]
    assert signature.splitlines()[1:] == [
        "  call form (@overload): encode(value: str) -> bytes",
        "  call form (@overload): encode(value: int, *, width: int=4) -> bytes",
    ]
    code = text.split("```python\n", 1)[1]
    assert code.startswith("def encode(value, *, width=4):\n    step_0 = value * 0\n")
    assert "# ... (cut after line" in code and "-> bytes: ..." not in code


def test_call_forms_read_signatures_cut_from_an_indented_file() -> None:
    stub = "@overload\n    def get(\n        self,\n        name: str,\n    ) -> str: ..."
    assert call_forms([stub], method=True) == ["get(name: str) -> str"]
    assert call_forms(["def get(self): ...", "not python ("]) == []
    long = "@overload\ndef f(" + ", ".join(f"a{n}: int" for n in range(40)) + ") -> int: ..."
    (form,) = call_forms([long], limit=60)
    assert len(form) == 60 and form.endswith("…")


@pytest.mark.network_download
def test_click_command_guide_lists_its_four_call_forms(
    pytestconfig: pytest.Config, tmp_path: Path
) -> None:
    cache = pytestconfig.cache
    folder = cache.mkdir("position-fuzz") if cache else tmp_path / "cache"
    root = download("click", PACKAGES["click"], folder)
    path = root / "click" / "decorators.py"
    source = path.read_text(encoding="utf-8")
    guide = write_guide(GuideRequest(symbol_named(source, path, "command", root), source))
    assert "Its `@overload` signatures give 4 call forms: " in guide.description
    assert "`command(name: _AnyCallable) -> Command`" in guide.description
    assert "cls: t.Type[CmdType], **attrs: t.Any) -> t.Callable[[_AnyCallable], CmdType]`" in (
        guide.description
    )
    assert "raises `TypeError`" in guide.description  # the implementation is described
