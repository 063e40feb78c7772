"""Static facts about bodies: the clauses name the real calls, literals, branches and results."""

from __future__ import annotations

import ast
import textwrap

import pytest

from howto_ls.model import Parameter
from howto_ls.offline.analysis import (
    Clause,
    analyse,
    cap_steps,
    class_attributes,
    code,
    condition,
    dataclass_fields,
    definitions,
    dotted,
    join_clauses,
    main_method,
    parameters_of,
    parse_module,
    sentence,
    top_level_class,
)


def body(source: str) -> list[ast.stmt]:
    """The statements of the first function in ``source``."""
    function = ast.parse(textwrap.dedent(source)).body[0]
    assert isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef)
    return function.body


def steps(source: str) -> list[str]:
    return [c.text for c in analyse(body(source)).steps]


def expression(text: str) -> ast.expr:
    statement = ast.parse(text).body[0]
    assert isinstance(statement, ast.Expr)
    return statement.value


def test_dotted_names_of_callees() -> None:
    assert dotted(expression("response.content.iter_any")) == "response.content.iter_any"
    assert dotted(expression("super().create")) == "super().create"
    assert dotted(expression("items[0].strip")) == "items.strip"
    assert dotted(expression("(a + b).bit_length")) == "bit_length"
    assert dotted(expression("(a + b)")) is None


def test_code_is_one_line_and_shortened_keeping_the_callee() -> None:
    long_call = expression("session.post(url, json={'a': 1, 'b': 2, 'c': 3, 'd': 4}, proxy=proxy)")
    assert code(long_call, 50) == "session.post(url, json=..., proxy=proxy)"
    assert "`" not in code(expression("'a`b'"))
    assert len(code(expression("x + " * 40 + "x"), 30)) <= 30
    assert code(None) == ""


@pytest.mark.parametrize(
    ("test", "words"),
    [
        ("response.status == 429", "`response.status` equals `429`"),
        ("seed is None", "`seed` is not set"),
        ("token is not None", "`token` is set"),
        ("not os.path.isdir(p)", "`os.path.isdir(p)` is false"),
        ("not items", "`items` is falsy"),
        ("chunk", "`chunk` is truthy"),
        ("is_ready", "`is_ready`"),
        ("chunk.strip()", "`chunk.strip()` is non-empty"),
        ("'event' not in message", "`'event' not in message`"),
    ],
)
def test_conditions_read_as_words(test: str, words: str) -> None:
    assert condition(expression(test)) == words


def test_http_requests_name_method_url_and_payload() -> None:
    found = steps(
        """
        async def f(cls, data):
            async with ClientSession(headers=headers) as session:
                async with session.post(f"{cls.url}/api/generate", json=data) as response:
                    await raise_for_status(response)
            r = httpx.get("https://example.com/items", params={"q": 1})
            client.request("DELETE", url)
        """
    )
    assert found[0] == "opens `ClientSession(headers=headers)` as `session` with `async with`"
    assert found[1].startswith("sends a POST request to `f'{cls.url}/api/generate'`")
    assert "through `session` with `json=data`" in found[1]
    assert found[2].startswith("checks the HTTP status with `raise_for_status(response)`")
    assert found[3].startswith("sends a GET request to `'https://example.com/items'`")
    assert found[3].endswith("and stores the response into `r`") or "`r`" in found[3]
    assert found[4].startswith("sends a DELETE request to `url` through `client`")


def test_non_http_get_is_not_a_request() -> None:
    found = steps(
        """
        def f(mapping):
            value = mapping.get("key")
        """
    )
    assert "request" not in found[0]
    assert found[0] == "computes `value` as `mapping.get('key')`"


def test_branches_raises_and_messages() -> None:
    found = steps(
        """
        async def f(response):
            if response.status == 500:
                if "Quota exceeded" in await response.text():
                    raise RateLimitError(f"Response {response.status}: Rate limit reached")
            elif response.status == 404:
                return None
            else:
                log.debug("ok")
        """
    )
    assert found == [
        "if `response.status` equals `500` and `'Quota exceeded' in await response.text()`, "
        "raises `RateLimitError` with the message "
        "`f'Response {response.status}: Rate limit reached'`; "
        "else if `response.status` equals `404`, returns; otherwise, logs `log.debug('ok')`"
    ]


def test_try_is_flattened_and_handlers_say_what_they_catch() -> None:
    found = steps(
        """
        def f(text):
            try:
                value = json.loads(text)
            except ValueError as error:
                raise ParseError(str(error)) from error
            finally:
                handle.close()
            return value
        """
    )
    assert found == [
        "parses `json.loads(text)` into `value`",
        "if `ValueError` is raised, raises `ParseError`",
        "finally, closes `handle`",
        "returns `value`",
    ]


def test_loops_yields_and_lettered_top_level_blocks() -> None:
    facts = analyse(
        body(
            """
            async def f(response):
                async for chunk in response.content.iter_any():
                    yield chunk
                for line in lines:
                    if not line:
                        continue
                    parsed = json.loads(line)
                    results.append(parsed)
                    yield parsed["text"]
            """
        )
    )
    assert facts.steps[0].text == (
        "iterates asynchronously over `response.content.iter_any()` and yields each `chunk`"
    )
    assert facts.steps[1].text == (
        "iterates over `lines`; for each `line`: (a) skips to the next item when `line` is falsy; "
        "(b) parses `json.loads(line)` into `parsed`; (c) adds `parsed` to `results`; "
        "(d) yields `parsed['text']`"
    )
    assert facts.yields == ["chunk", "parsed['text']"]


def test_dicts_name_their_keys_and_the_calls_that_fill_them() -> None:
    found = steps(
        """
        def f(messages, timestamp):
            data = {
                "messages": messages,
                "time": timestamp,
                "sign": generate_signature(timestamp, messages[-1]["content"]),
            }
            history = [m for m in messages if m["role"] != "system"]
            return {"ok": True, "count": len(history)}
        """
    )
    assert found[0] == (
        "builds `data` with the keys `'messages'`, `'time'` and `'sign'`, filling `'sign'` "
        "from `generate_signature(timestamp, messages[-1]['content'])`"
    )
    assert found[1] == (
        "builds `history` from `messages`, keeping items where `m['role'] != 'system'`"
    )
    assert found[2] == "returns a dict with the keys `'ok'` and `'count'`"


def test_trivial_assignments_merge_and_inner_functions_are_described() -> None:
    found = steps(
        """
        def f(cls):
            a = 1
            b = "x"
            c = None
            async def generate():
                async with session.post(cls.url_flux, json=payload) as response:
                    return ImageResponse(await response.json())
            task = asyncio.create_task(generate())
        """
    )
    assert found[0] == "sets `a`, `b` and `c`"
    assert found[1].startswith("defines the inner coroutine `generate()` that sends a POST request")
    assert "`cls.url_flux`" in found[1]
    assert "returns `ImageResponse(await response.json())`" in found[1]
    assert found[2] == "starts a background task with `asyncio.create_task(generate())` into `task`"


def test_join_and_cap_keep_order_and_weight() -> None:
    clauses = [Clause(f"step {i}", 2 if i % 3 == 0 else 0) for i in range(20)]
    capped = cap_steps(clauses, 6)
    assert len(capped) == 6
    texts = " ".join(c.text for c in capped)
    assert [int(n) for n in texts.replace(";", "").split() if n.isdigit()] == sorted(
        int(n) for n in texts.replace(";", "").split() if n.isdigit()
    )
    assert all(f"step {i}" in texts for i in range(0, 20, 3))
    many = [Clause(f"c{i}", 1) for i in range(6)]
    assert join_clauses(many[:2]) == "c0 and then c1"
    assert join_clauses(many[:3], lettered=True) == "(a) c0; (b) c1; (c) c2"
    assert join_clauses(many, limit=4).endswith("(plus 2 smaller statements)")
    assert sentence("sends it") == "Sends it."


DEFINITIONS = """\
from dataclasses import dataclass
from typing import ClassVar, overload

TEXT = '''
class Fake:
'''


@dataclass
class Item:
    kind: ClassVar[str] = "item"
    sku: str
    count: int = 1

    def total(self, price: float, /, *extra: float, rounding: int = 2, **options: str) -> float:
        return round(price * self.count, rounding)


@overload
def scale(value: int) -> int: ...
def scale(value):
    return value
"""


def test_definitions_are_read_from_the_cached_tree() -> None:
    tree = parse_module(DEFINITIONS)
    assert tree is not None and parse_module(DEFINITIONS) is tree
    assert parse_module("def broken(:\n") is None
    found = definitions(tree)
    assert set(found) == {"Item", "Item.total", "scale"}
    scale = found["scale"]
    assert isinstance(scale, ast.FunctionDef) and not scale.decorator_list
    item = top_level_class(DEFINITIONS, "Item")
    assert item is not None and item.name == "Item"
    assert top_level_class(DEFINITIONS, "Fake") is None  # only text inside a string
    assert top_level_class(DEFINITIONS, "Missing") is None


def test_parameters_fields_attributes_and_main_method() -> None:
    item = top_level_class(DEFINITIONS, "Item")
    assert item is not None
    total = main_method(item)
    assert total is not None and total.name == "total"
    assert [(p.name, p.kind) for p in parameters_of(total)] == [
        ("self", "positional_only"),
        ("price", "positional_only"),
        ("extra", "var_positional"),
        ("rounding", "keyword_only"),
        ("options", "var_keyword"),
    ]
    assert parameters_of(total)[3] == Parameter("rounding", "int", "2", "keyword_only")
    assert dataclass_fields(item) == [Parameter("sku", "str"), Parameter("count", "int", "1")]
    assert class_attributes(item, skip_fields=True) == []
    assert ("kind", "'item'") in class_attributes(item)


def test_attrs_fields_are_constructor_parameters() -> None:
    source = (
        "import attr\n\n\n@attr.s\nclass Version:\n"
        "    _year = attr.ib(type=int)\n    label = attr.ib(default='final')\n"
        "    cache = attr.ib(init=False)\n"
    )
    tree = ast.parse(source)
    node = tree.body[1]
    assert isinstance(node, ast.ClassDef)
    assert [(p.name, p.annotation, p.default) for p in dataclass_fields(node)] == [
        ("year", "int", None),
        ("label", None, "'final'"),
    ]


@pytest.mark.parametrize(
    "guard",
    [
        '__name__ == "__main__"',
        '"__main__" == __name__',
        '__name__ == "__main__" and len(sys.argv) > 1',
    ],
)
def test_a_main_guard_reads_as_run_as_a_script_however_written(guard: str) -> None:
    found = steps(f"def f():\n    if {guard}:\n        main()\n")
    assert len(found) == 1 and found[0].startswith("when run as a script"), found


def test_what_an_inner_function_returns_yields_or_raises_is_not_the_outer_functions() -> None:
    facts = analyse(
        body(
            """
            def test_memoize():
                @memoize(cache={1: True})
                def f(x):
                    return False

                def g():
                    yield 1
                    raise ValueError("never run here")

                assert f(2) is False
            """
        )
    )
    assert facts.returns == [] and facts.yields == [] and facts.raises == []
    assert not any(h.text.startswith(("returns", "yields", "raises")) for h in facts.highlights)
    assert any("defines the inner function `f()`" in s.text for s in facts.steps)


def test_an_inner_function_the_outer_returns_or_calls_raises_as_part_of_it() -> None:
    factory = analyse(
        body(
            """
            def command(name=None):
                def decorator(f):
                    if not callable(f):
                        raise TypeError("not a function")
                    return Command(name, f)
                if callable(name):
                    return decorator(name)
                return decorator
            """
        )
    )
    assert factory.raises == ["TypeError"]
    assert "Command(name, f)" not in factory.returns
    assert factory.returns == ["decorator(name)", "decorator"]
