"""Values the example writes by type and by parameter name, and limits its writers share."""

from __future__ import annotations

MAX_BUILD_DEPTH = 3  # classes built inside classes, at most


EXCEPTION_HANDLING_LINES = ("try:", '    raise ValueError("example error")', "except ValueError:")
"""The lines an example runs code under while an exception is being handled, for code that
reads ``sys.exc_info()``: the code goes after them, indented one level."""


MESSAGES = [
    "messages = [",
    '    {"role": "user", "content": "Hello, how are you?"},',
    "]",
]


VALUES_BY_NAME: tuple[tuple[str, str], ...] = (
    (r"^(base_)?(url|uri|href|link|endpoint|api_url|api_base)$|_url$", '"https://example.com"'),
    (r"^(host|hostname|domain)$", '"example.com"'),
    (r"^port$", "8080"),
    (r"^(iterable|iterables|iterator|seq|sequence|it|items_iterable)$", "[1, 2, 3]"),
    (r"^(status|status_code)$", "200"),
    (r"^(dir|directory|folder|root|cwd|dirname)$|_dir$", '"data"'),
    (r"^(path|file|filename|filepath|fname)$|_(path|file)$", '"data.txt"'),
    (r"^(messages|history|conversation)$", "messages"),
    (r"^(headers)$", '{"Accept": "application/json"}'),
    (r"^(data|payload|json|params|query_params|body|cookies|options|config|kwargs|mapping)$",
     '{"key": "value"}'),
    (r"^(timeout|delay|interval|seconds|wait)$|_seconds$", "5.0"),
    (r"^(n|r|k|count|size|limit|length|index|idx|line|column|col|number|num|retries|depth|level"
     r"|start|stop|step)$"
     r"|^(max|min|num)_|_(count|size|limit|index)$", "1"),
    (r"^(callback|func|fn|function|handler|hook|factory|key_func|keyfunc|predicate|pred|cb)$"
     r"|_callback$|^(key|value|reduce)func$|^(validator|converter)$|_(validator|converter)$",
     "lambda *args: None"),
    (r"^(is|has|use|enable|should|allow)_|^(verbose|strict|force|debug|quiet|stream)$", "True"),
    (r"^(encoding|charset)$", '"utf-8"'),
    (r"^(method)$", '"GET"'),
    (r"^(source|code|src)$", '"x = 1\\n"'),
    (r"^(items|values|elements|names|keys|args|lines|parts)$", '["example"]'),
    (r"^(text|message|prompt|content|query|question|string|s|msg|line_text)$",
     '"Hello, world"'),
)  # fmt: skip
"""(regular expression over a parameter's name, the value an example passes): the first
pattern that matches the name gives the value."""


VALUES_BY_TYPE: dict[str, str] = {
    "str": '"example"',
    "int": "1",
    "float": "1.0",
    "bool": "True",
    "bytes": 'b"data"',
    "bytearray": 'bytearray(b"data")',
    "dict": '{"key": "value"}',
    "list": '["example"]',
    "tuple": '("example",)',
    "set": '{"example"}',
    "frozenset": 'frozenset({"example"})',
    "Any": '"example"',
    "object": '"example"',
    "Messages": "messages",
    "None": "None",
    "complex": "1j",
    # the protocols of ``typing`` and ``collections.abc`` a builtin value satisfies
    "SupportsInt": "1",
    "SupportsIndex": "1",
    "SupportsFloat": "1.0",
    "SupportsAbs": "1",
    "Sized": '["example"]',
    "Hashable": '"example"',
}
"""The value an example passes for a parameter annotated with a builtin type (or ``Any``)."""
