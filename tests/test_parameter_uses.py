"""Unannotated parameters get a value that supports what the function's code does with them:
each rule as a small module whose example is checked as text and run."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from howto_ls.astutil import parse
from howto_ls.offline.parameter_uses import Use, guess, use_of
from tests.test_example import example_for, run_example

USES = '''\
import http.cookiejar


def netmask(mask):
    """Arithmetic: ``__sub__`` needs a number."""
    return 32 - mask


def slices(text, slice_length):
    """Ordering against a number: ``__le__``."""
    if slice_length is None or slice_length <= 0:
        slice_length = len(text)
    return [text[i : i + slice_length] for i in range(0, len(text), slice_length)]


def merge(url, proxies):
    """Mapping methods: ``get`` and ``setdefault``."""
    proxies.setdefault("https", url)
    return proxies.get("no_proxy")


def expires(cookie):
    """String keys: ``__getitem__`` of a mapping."""
    return cookie["max-age"] or cookie["expires"]


def to_pair(morsel):
    """String keys and the attributes only a standard-library class offers."""
    return morsel.key, morsel.value, morsel["path"]


def apply(auth, request):
    """Called with one argument, its result used: ``__call__``."""
    prepared = auth(request)
    return prepared


def register(check):
    """Checked with ``callable()``."""
    if not callable(check):
        raise TypeError("check must be callable")
    return check


def update(pairs):
    """Iterated, each item unpacked into two names."""
    return {key.upper(): value for key, value in pairs}


def run_all(handlers):
    """Iterated, each item called."""
    return [handler(1) for handler in handlers]


class InvalidHeader(ValueError):
    """An exception whose name ends like a parameter's: never passed for it."""


def header_name(header):
    """Unpacked into two names."""
    name, value = header
    return name


def lines(manager):
    """Used in a ``with`` statement, what it gives iterated."""
    with manager as stream:
        yield from stream


def first_line(stream):
    """Read like a file."""
    return stream.readline()


def merge_jar(other):
    """Checked against a standard-library class with ``isinstance``."""
    if isinstance(other, http.cookiejar.CookieJar):
        return len(list(other))
    return 0


def prepare(auth):
    """What runs only for one kind of value (a tuple) is not asked of every value."""
    if isinstance(auth, tuple):
        auth = Basic(*auth)
    return auth(1)


class Basic:
    def __init__(self, user, password):
        self.user = user

    def __call__(self, request):
        return request


def fail(exception, *args):
    """Called, and what the call returns raised: an exception class."""
    raise exception(*args)


def cookie_names(cookies):
    """The name's value (a dict) is one of the classes the code checks for: kept."""
    if isinstance(cookies, dict):
        return sorted(cookies)
    if isinstance(cookies, http.cookiejar.CookieJar):
        return [cookie.name for cookie in cookies]
    return []


def outer(settings):
    """Passes the parameter on: what the function it is passed to does counts."""
    return _copy(settings)


def _copy(settings):
    return settings.copy()


def shift(mask: float):
    """Annotated: the annotation decides."""
    return 32 - mask


def wait(timeout):
    """The name's value (a number) supports the use: kept."""
    return timeout * 2 - 1


def load(data):
    """The name's value (a dict) does not support ``read()``: replaced."""
    return data.read()


def shout(text):
    """A string supports everything done here: unchanged."""
    return text.upper() + "!"


def outer_by_keyword(settings):
    """Passes the parameter on by keyword: what the function it is passed to does counts."""
    return _copy(settings=settings)


def positional_count(sigspec):
    """One attribute no builtin value has: the standard class that has it."""
    return sum(1 for p in sigspec.parameters.values() if p.kind == p.POSITIONAL_OR_KEYWORD)


def hour_of(when):
    """The attributes of a moment."""
    return when.astimezone(when.tzinfo).hour
'''

EXPECTED = {
    "netmask": ("netmask(mask=1)", "31\n"),
    "slices": ('slices(text="Hello, world", slice_length=1)', "'d']\n"),
    "merge": ('proxies={"key": "value"}', "None\n"),
    "expires": ('expires(cookie={"max-age": "example", "expires": "example"})', "example\n"),
    "to_pair": ('morsel=http.cookies.SimpleCookie("name=value")["name"]', None),
    "apply": ("apply(auth=lambda request: request, request=", None),
    "register": ("register(check=lambda *args: None)", None),
    "update": ('update(pairs=[("example", "example")])', "{'EXAMPLE': 'example'}\n"),
    "run_all": ("run_all(handlers=[lambda value: value])", "[1]\n"),
    "header_name": ('header_name(header=("example", "example"))', "example\n"),
    "lines": ('lines(manager=contextlib.nullcontext(["example"]))', "example\n"),
    "first_line": ('first_line(stream=io.StringIO("example\\n"))', "example\n\n"),
    "merge_jar": ("merge_jar(other=http.cookiejar.CookieJar())", "0\n"),
    "prepare": ("prepare(auth=lambda value: value)", "1\n"),
    "fail": ("fail(exception=ValueError)", None),
    "cookie_names": ('cookie_names(cookies={"key": "value"})', "['key']\n"),
    "outer": ('outer(settings={"key": "value"})', "{'key': 'value'}\n"),
    "shift": ("shift(mask=1.0)", "31.0\n"),
    "wait": ("wait(timeout=5.0)", "9.0\n"),
    "load": ('load(data=io.StringIO("example\\n"))', "example\n\n"),
    "shout": ('shout(text="Hello, world")', "HELLO, WORLD!\n"),
    "positional_count": ("sigspec=inspect.signature(", "1\n"),
    "outer_by_keyword": ('outer_by_keyword(settings={"key": "value"})', "{'key': 'value'}\n"),
    "hour_of": ("when=datetime.datetime(2024, 1, 1, 12, 0", "12\n"),
}


@pytest.mark.parametrize("qualname", sorted(EXPECTED))
def test_each_use_gets_a_value_that_supports_it(tmp_path: Path, qualname: str) -> None:
    text, output = EXPECTED[qualname]
    _, example = example_for(tmp_path, qualname, USES)
    assert text in example, example
    printed = run_example(tmp_path, example)
    if output is not None:
        assert printed.endswith(output), (example, printed)


def test_the_import_the_value_needs_is_written(tmp_path: Path) -> None:
    for qualname, module in (("first_line", "io"), ("to_pair", "http.cookies")):
        _, example = example_for(tmp_path, qualname, USES)
        assert f"import {module}\n" in example, example


def function(source: str) -> ast.FunctionDef:
    """The first function of ``source``."""
    return next(n for n in parse(source).body if isinstance(n, ast.FunctionDef))


def test_uses_are_read_from_the_code() -> None:
    node = function(
        "def f(x, y, z):\n    for key in x:\n        print(x[key])\n    y(1, 2)\n    return -z\n"
    )
    x, y, z = (use_of(node, name) for name in "xyz")
    assert x is not None and x.mapping and x.iterated
    assert y is not None and y.calls == (2,) and not y.returns
    assert z == Use(number="int")
    assert use_of(node, "unused") is None


def test_a_use_nothing_can_satisfy_gets_no_value() -> None:
    use = Use(number="int", keys=("a",))  # a number that is also a mapping
    assert guess(use) is None
    assert not use.fits(1) and not use.fits({"a": 1})


def test_lambdas_take_what_the_calls_pass() -> None:
    node = function("def f(a, b):\n    a(1)\n    a(1, 2)\n    b(key=1)\n")
    for name in "ab":
        use = use_of(node, name)
        assert use is not None
        found = guess(use)
        assert found is not None and found.expression == "lambda *args, **kwargs: None"


CACHES = """\
import time


class Cache:
    def __init__(self, maxsize, getsizeof=None):
        if maxsize < 0:
            raise ValueError("maxsize must be non-negative")
        self.maxsize = maxsize
        self.items = {}


class TimedCache(Cache):
    def __init__(self, maxsize, timer=time.monotonic, getsizeof=None):
        super().__init__(maxsize, getsizeof)
        self.timer = timer


class TTLCache(TimedCache):
    def __init__(self, maxsize, ttl, timer=time.monotonic, getsizeof=None):
        TimedCache.__init__(self, maxsize, timer, getsizeof)
        self.ttl = ttl

    def clear(self):
        self.items.clear()
        return self.maxsize
"""


def test_what_a_base_class_does_with_a_parameter_handed_to_it_counts(tmp_path: Path) -> None:
    expected = {"TimedCache": "TimedCache(maxsize=1)", "TTLCache.clear": "maxsize=1"}
    for qualname, call in expected.items():
        _, example = example_for(tmp_path, qualname, CACHES)
        assert call in example, example
        run_example(tmp_path, example)


RETRIES = """\
class Retrier:
    def __init__(self, attempts, on_retry, label):
        self.attempts = attempts
        self.on_retry = on_retry
        self.label = label

    def rename(self, label):
        self.label = label

    def run(self):
        for attempt in range(self.attempts - 1):
            self.on_retry(attempt)
        return self.label.upper()
"""


def test_what_the_methods_do_with_the_attribute_a_constructor_stores_counts(
    tmp_path: Path,
) -> None:
    _, example = example_for(tmp_path, "Retrier.run", RETRIES)
    assert "attempts=1, on_retry=lambda attempt: None" in example, example
    assert 'label="example"' in example  # set by another method too: not read from its uses
    assert run_example(tmp_path, example) == "EXAMPLE\n"


CURRY = """\
class curry:
    def __init__(self, *args, **kwargs):
        if not args:
            raise TypeError("curry() takes at least one argument")
        func, args = args[0], args[1:]
        if not callable(func):
            raise TypeError("Input must be callable")
        self.func = func
        self.args = args

    def __call__(self, *args):
        return self.func(*self.args, *args)
"""


def test_the_first_item_of_star_args_gets_a_value_that_survives_its_use(tmp_path: Path) -> None:
    _, example = example_for(tmp_path, "curry.__call__", CURRY)
    assert "curry_obj = curry(lambda *args: None)" in example, example
    assert run_example(tmp_path, example) == "None\n"
